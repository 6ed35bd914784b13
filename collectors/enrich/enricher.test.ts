import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { Enricher } from './enricher';
import { loadReferenceData } from './reference-data';
import { ReloadingEnricher } from './reloading';

const dir = mkdtempSync(path.join(tmpdir(), 'citysoc-enrich-'));
const file = (name: string, text: string) => {
  const p = path.join(dir, name);
  writeFileSync(p, text);
  return p;
};

const ASSETS = `assets:
  - id: nn-01
    name: HDFS NameNode 1
    hostnames: [hdfs-nn-01, nn-01.city.gov]
    ips: [10.20.0.11]
    type: hdfs-namenode
    criticality: critical
    department: 大数据局
  - id: ws-cg-07
    ips: 10.30.1.7
    department: 城管局
`;
const IDENTITIES = `identities:
  - user: zhangsan
    aliases: ['CITY\\zhangsan']
    full_name: 张三
    department: 公安局
    roles: [analyst]
  - user: hdfs
    department: 大数据局
    roles: [superuser]
    privileged: true
`;
const DATASETS = JSON.stringify({
  datasets: [
    { dataset: 'population', resources: ['/data/population', 'ods.population_base'], classification: '敏感', owner_department: '公安局' },
    { dataset: 'population-secret', resources: ['/data/population/secret'], classification: '涉密', owner_department: '公安局' },
  ],
});

describe('enrichment from reference data', () => {
  const data = loadReferenceData({
    assets: file('assets.yaml', ASSETS),
    identities: file('identities.yaml', IDENTITIES),
    datasets: file('datasets.json', DATASETS),
  });
  const e = new Enricher(data);

  it('a host becomes an asset with its owning department, which becomes the event department', () => {
    const ev = e.enrich({ host: { name: 'HDFS-NN-01' }, source: { ip: '10.30.1.7' } });
    expect(ev).toEqual({
      host: { name: 'HDFS-NN-01' },
      source: { ip: '10.30.1.7' },
      citysoc: {
        asset: { id: 'nn-01', name: 'HDFS NameNode 1', type: 'hdfs-namenode', criticality: 'critical', department: '大数据局' },
        source_asset: { id: 'ws-cg-07', department: '城管局' },
      },
      organization: { name: '大数据局' },
    });
  });

  it('a user gets department, roles and privilege; a department the collector set is kept', () => {
    const ev = e.enrich({ user: { name: 'hdfs' }, organization: { name: '城管局' } });
    expect(ev).toEqual({
      user: { name: 'hdfs', roles: ['superuser'] },
      citysoc: { identity: { department: '大数据局', privileged: true } },
      organization: { name: '城管局' },
    });
    expect(e.enrich({ user: { name: 'CITY\\zhangsan' } })).toMatchObject({
      user: { full_name: '张三', roles: ['analyst'] },
      citysoc: { identity: { privileged: false } },
    });
  });

  it('a resource takes the classification of the longest matching dataset prefix', () => {
    const read = (resource: string) => (e.enrich({ citysoc: { data: { resource } } }).citysoc as { data: object }).data;
    expect(read('/data/population/2026/part-0')).toEqual({
      resource: '/data/population/2026/part-0',
      dataset: 'population',
      classification: '敏感',
      owner_department: '公安局',
    });
    expect(read('/data/population/secret/x')).toMatchObject({ dataset: 'population-secret', classification: '涉密' });
    expect(read('ods.population_base')).toMatchObject({ dataset: 'population' });
    expect(read('/data/populationx')).toEqual({ resource: '/data/populationx' });
  });

  it('an invalid file is refused naming the file, the entry and the field', () => {
    expect(() => loadReferenceData({ datasets: file('bad.yaml', 'datasets:\n  - dataset: x\n    classification: secret\n') })).toThrow(
      /^datasets file .*bad\.yaml is invalid: datasets\.0\.classification: /,
    );
  });

  it('reloads on demand and keeps the previous data when the new file is bad', () => {
    const p = file('ids.yaml', 'identities:\n  - user: lisi\n    department: 城管局\n');
    const reports: { ok: boolean }[] = [];
    const r = new ReloadingEnricher({ identities: p }, (x) => reports.push(x));
    expect(r.enricher.enrich({ user: { name: 'lisi' } })).toMatchObject({ organization: { name: '城管局' } });
    writeFileSync(p, 'identities:\n  - user: lisi\n    department: 公安局\n');
    expect(r.reload()).toEqual({ ok: true, counts: { assets: 0, identities: 1, datasets: 0 } });
    expect(r.enricher.enrich({ user: { name: 'lisi' } })).toMatchObject({ organization: { name: '公安局' } });
    writeFileSync(p, 'identities: [oops');
    expect(r.reload()).toMatchObject({ ok: false, error: expect.stringMatching(/is not valid YAML/) });
    expect(r.enricher.enrich({ user: { name: 'lisi' } })).toMatchObject({ organization: { name: '公安局' } });
    r.close();
  });

  it('picks up a changed file by itself', async () => {
    const p = file('watched.yaml', 'identities:\n  - user: wangwu\n    department: 城管局\n');
    const r = new ReloadingEnricher({ identities: p });
    r.watch(20);
    writeFileSync(p, 'identities:\n  - user: wangwu\n    department: 交通局\n');
    const end = Date.now() + 5000;
    while (Date.now() < end && (r.enricher.enrich({ user: { name: 'wangwu' } }).organization as { name: string }).name !== '交通局')
      await new Promise((res) => setTimeout(res, 20));
    expect(r.enricher.enrich({ user: { name: 'wangwu' } })).toMatchObject({ organization: { name: '交通局' } });
    r.close();
  });
});

describe('dataset lookup by resource', () => {
  /** The rule as first written: the longest prefix (first in file order among equals) that ends at a boundary. */
  function linear(prefixes: string[], resource: string): string | undefined {
    const sorted = prefixes.map((p, i) => [p, i] as const).sort((a, b) => b[0].length - a[0].length);
    const hit = sorted.find(([p]) => resource === p || resource.startsWith(p.endsWith('/') ? p : `${p}/`) || resource.startsWith(`${p}.`));
    return hit === undefined ? undefined : `ds${hit[1]}`;
  }

  it('finds the same dataset as a scan of every prefix, for resources at and around every boundary', () => {
    const prefixes = ['/data', '/data/police', '/data/police/', '/data/police/secret', 'hive.db', 'hive.db.t', '', '/', 'a.b/c', '/data/police'];
    const enricher = new Enricher({
      assets: [],
      identities: [],
      datasets: prefixes.map((p, i) => ({ dataset: `ds${i}`, resources: [p], classification: '内部' as const })),
    });
    const resources = [
      '',
      '/',
      '.',
      '/data',
      '/data/',
      '/data.x',
      '/datax',
      '/data/police',
      '/data/police/',
      '/data/police/secret/x',
      '/data/policex',
      '/data/police.x',
      '/data/police//x',
      'hive.db',
      'hive.db.t.x',
      'hive.dbt',
      'hive.db/t',
      'a.b/c',
      'a.b/c.d',
      'a.b/cd',
      'x',
      '.x',
      '/x',
    ];
    for (const resource of resources) {
      const event = { citysoc: { data: { resource } } };
      enricher.enrich(event);
      expect([resource, (event.citysoc.data as Record<string, unknown>).dataset]).toEqual([resource, linear(prefixes, resource)]);
    }
  });
});
