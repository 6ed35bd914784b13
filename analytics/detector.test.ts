import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { SqliteAlertStore } from '../adapters/sqlite/alert-store';
import { Alert } from '../core/alert';
import { alertTags, entitiesOf, riskScore, toAlert } from './alerts';
import { CorrelationEngine } from './correlation/engine';
import { Detector } from './detector';
import { loadContent } from './engine/content';
import { getPipeline } from './sigma/pipelines';

const RULES = join(__dirname, '../rules/ssh');
const ssh = (outcome: string, user: string, ip: string, t: string, id: string) => ({
  '@timestamp': t,
  event: { id, dataset: 'openssh.auth', action: 'ssh_login', outcome },
  user: { name: user },
  source: { ip },
  host: { name: 'bastion-01' },
});

function detector(store?: SqliteAlertStore): Detector {
  const content = loadContent([RULES], { pipelines: [getPipeline('citysoc')] });
  return new Detector({
    ruleSet: content.ruleSet,
    correlations: new CorrelationEngine(content.correlations),
    ...(store ? { store } : {}),
    suppressionMs: 3_600_000,
  });
}

describe('alerts', () => {
  test('ATT&CK technique tags become technique ids; tactics stay as written', () => {
    expect(alertTags(['attack.credential-access', 'attack.t1110.001', 'attack.t1078'])).toEqual(['attack.credential-access', 'T1110.001', 'T1078']);
  });

  test('risk grows with the level and, for correlations, with the events behind it', () => {
    expect([riskScore('low'), riskScore('high'), riskScore('high', 16), riskScore('critical', 1000)]).toEqual([30, 75, 95, 100]);
  });

  test('entities come from ECS fields and from raw Windows EventData', () => {
    expect(
      entitiesOf({ user: { name: 'bob' }, source: { ip: '1.2.3.4' }, Event: { System: { Computer: 'dc01' }, EventData: { Image: 'C:\\x.exe' } } }),
    ).toEqual([
      { type: 'user', value: 'bob' },
      { type: 'host', value: 'dc01' },
      { type: 'ip', value: '1.2.3.4' },
      { type: 'process', value: 'C:\\x.exe' },
    ]);
  });
});

describe('Detector', () => {
  test('a brute force then a success: the correlation alerts fit the core Alert schema, base matches stay silent', () => {
    const d = detector();
    const out = [
      ...Array.from({ length: 10 }, (_, i) => ssh('failure', 'root', '203.0.113.9', `2026-03-02T02:00:${String(i * 5).padStart(2, '0')}Z`, `f${i}`)),
      ssh('success', 'root', '203.0.113.9', '2026-03-02T02:01:30Z', 's1'),
    ].flatMap((e) => d.detect(e));
    const alerts = out.map(toAlert);
    for (const a of alerts) expect(Alert.safeParse(a).success).toBe(true);
    expect(alerts.map((a) => [a.rule.name, a.rule.type, a.rule.severity, a.dedupKey.split('|')[1]])).toEqual([
      ['SSH Brute Force From One Address', 'correlation', 'medium', '203.0.113.9'],
      ['SSH Root Login Accepted', 'sigma', 'medium', 'bastion-01'],
      ['SSH Login Success After Brute Force', 'correlation', 'critical', '203.0.113.9'],
    ]);
    expect(alerts[0]).toMatchObject({
      eventIds: ['f0', 'f1', 'f2', 'f3', 'f4', 'f5', 'f6', 'f7', 'f8', 'f9'],
      entities: [{ type: 'ip', value: '203.0.113.9' }],
      risk: 67,
    });
  });

  test('repeated firings within the suppression window fold into one stored alert with a count', async () => {
    const store = new SqliteAlertStore(join(mkdtempSync(join(tmpdir(), 'det-')), 'alerts.db'));
    const d = detector(store);
    for (let i = 0; i < 20; i++) d.onEvent(ssh('failure', 'root', '203.0.113.9', new Date(Date.UTC(2026, 2, 2, 2, 0, i * 5)).toISOString(), `f${i}`));
    await d.idle();
    const { alerts } = await store.list({});
    expect(alerts.map((a) => [a.rule.name, a.count, a.eventIds.length])).toEqual([['SSH Brute Force From One Address', 2, 20]]);
    await store.close();
  });

  test('onEvent never throws: a failing store is reported to onError', async () => {
    const errors: string[] = [];
    const content = loadContent([RULES], { pipelines: [getPipeline('citysoc')] });
    const broken = { upsert: () => Promise.reject(new Error('disk full')) } as unknown as SqliteAlertStore;
    const d = new Detector({ ruleSet: content.ruleSet, store: broken, onError: (e) => errors.push((e as Error).message) });
    expect(() => d.onEvent(ssh('success', 'root', '1.1.1.1', '2026-03-02T02:00:00Z', 'x'))).not.toThrow();
    await d.idle();
    expect(errors).toEqual(['disk full']);
  });
});
