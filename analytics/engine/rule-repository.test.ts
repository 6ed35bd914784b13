import { cpSync, mkdtempSync, readdirSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { getPipeline } from '../sigma/pipelines';
import { RuleRepository } from './rule-repository';

const SRC = join(__dirname, '../../rules/ssh');
const ROOT_LOGIN = {
  '@timestamp': '2026-03-02T02:00:00Z',
  event: { dataset: 'openssh.auth', action: 'ssh_login', outcome: 'success' },
  user: { name: 'root' },
  source: { ip: '10.0.0.1' },
};

function setup() {
  const dir = mkdtempSync(join(tmpdir(), 'rules-'));
  cpSync(SRC, join(dir, 'rules'), { recursive: true });
  const repo = new RuleRepository({
    folders: [join(dir, 'rules')],
    stateFile: join(dir, 'state', 'rules.json'),
    pipelines: [getPipeline('citysoc')],
    debounceMs: 50,
  });
  return { dir, repo };
}
const titles = (repo: RuleRepository) =>
  repo
    .current()
    .ruleSet.match(ROOT_LOGIN)
    .map((m) => m.title);
const rootRuleId = (repo: RuleRepository) => repo.list().find((r) => r.title === 'SSH Root Login Accepted')!.id;

describe('RuleRepository', () => {
  test('disabling a rule removes it from detection, persists, and survives a new repository', async () => {
    const { dir, repo } = setup();
    expect(titles(repo)).toContain('SSH Root Login Accepted');
    await repo.setEnabled(rootRuleId(repo), false);
    expect(titles(repo)).not.toContain('SSH Root Login Accepted');
    expect(JSON.parse(readFileSync(join(dir, 'state', 'rules.json'), 'utf8'))).toEqual({ disabled: [rootRuleId(repo)] });
    const again = new RuleRepository({ folders: [join(dir, 'rules')], stateFile: join(dir, 'state', 'rules.json'), pipelines: [getPipeline('citysoc')] });
    expect(again.list().find((r) => r.title === 'SSH Root Login Accepted')?.enabled).toBe(false);
    await again.setEnabled(rootRuleId(again), true);
    expect(titles(again)).toContain('SSH Root Login Accepted');
  });

  test('an unknown rule id is refused with the folder named', async () => {
    const { dir, repo } = setup();
    await expect(repo.setEnabled('nope', false)).rejects.toThrow(`rule nope is not in ${join(dir, 'rules')}`);
  });

  test('an edited rule file is picked up by the watcher without a restart', async () => {
    const { dir, repo } = setup();
    const reloaded = new Promise<void>((resolve) => {
      (repo as unknown as { options: { onReload: () => void } }).options.onReload = resolve;
    });
    const stop = repo.watch();
    const file = join(dir, 'rules', 'ssh_root_login_success.yml');
    writeFileSync(file, readFileSync(file, 'utf8').replace('title: SSH Root Login Accepted', 'title: SSH Root Login Accepted (edited)'));
    await reloaded;
    stop();
    expect(titles(repo)).toContain('SSH Root Login Accepted (edited)');
  });
});

describe('RuleRepository.addFilter (the writable folder)', () => {
  const filterYaml = (id: string, rules: string[], extra = '') =>
    `title: Exception\nid: ${id}\nlogsource: {}\nfilter:\n  rules: [${rules.join(', ')}]\n  selection: {source.ip: 10.0.0.1}\n  condition: selection\n${extra}`;
  const ID = '3f0c1c1e-9d7b-4a59-8f43-2f4e0d1b7a10';
  function writable(maxFiles?: number) {
    const { dir, repo: _unused } = setup();
    _unused.close();
    let reloads = 0;
    const repo = new RuleRepository({
      folders: [join(dir, 'rules')],
      stateFile: join(dir, 'state', 'rules.json'),
      pipelines: [getPipeline('citysoc')],
      writable: join(dir, 'user-rules'),
      onReload: () => void reloads++,
      ...(maxFiles ? { writableMaxFiles: maxFiles } : {}),
    });
    return { dir, repo, reloads: () => reloads };
  }

  test('writes the filter into the writable folder and loads it at once; a new repository loads it too', () => {
    const { dir, repo, reloads } = writable();
    expect(titles(repo)).toContain('SSH Root Login Accepted');
    const { file } = repo.addFilter({ id: ID, fileName: `exception-${ID}.yml`, yaml: filterYaml(ID, [rootRuleId(repo)]) });
    expect(file).toBe(join(dir, 'user-rules', `exception-${ID}.yml`));
    expect(reloads()).toBe(1);
    expect(titles(repo)).not.toContain('SSH Root Login Accepted');
    expect(repo.list().filter((r) => r.kind === 'filter')).toEqual([{ id: ID, title: 'Exception', kind: 'filter', enabled: true, file }]);
    const again = new RuleRepository({
      folders: [join(dir, 'rules')],
      stateFile: join(dir, 'state', 'rules.json'),
      pipelines: [getPipeline('citysoc')],
      writable: join(dir, 'user-rules'),
    });
    expect(titles(again)).not.toContain('SSH Root Login Accepted');
  });

  test('refuses file names that leave the folder, documents that are not one filter, unknown rules, and an existing file', () => {
    const { dir, repo } = writable();
    const rule = rootRuleId(repo);
    for (const fileName of ['../x.yml', '../../etc/x.yml', 'a/b.yml', '.hidden.yml', 'x.yaml.tmp', 'X.yml'])
      expect(() => repo.addFilter({ id: ID, fileName, yaml: filterYaml(ID, [rule]) })).toThrow('expected a name such as exception-<id>.yml');
    expect(() => repo.addFilter({ id: ID, fileName: 'e.yml', yaml: `${filterYaml(ID, [rule])}---\n${filterYaml(ID, [rule])}` })).toThrow(
      'expected exactly one Sigma filter document',
    );
    expect(() => repo.addFilter({ id: ID, fileName: 'e.yml', yaml: filterYaml('another-id', [rule]) })).toThrow("the document's id is another-id");
    expect(() => repo.addFilter({ id: ID, fileName: 'e.yml', yaml: filterYaml(ID, ['no-such-rule']) })).toThrow(
      'names rules that are not loaded: no-such-rule',
    );
    expect(() => repo.addFilter({ id: ID, fileName: 'e.yml', yaml: 'title: [unclosed' })).toThrow(/^filter .*: /);
    expect(readdirSync(join(dir, 'user-rules'))).toEqual([]);
    repo.addFilter({ id: ID, fileName: 'e.yml', yaml: filterYaml(ID, [rule]) });
    expect(() => repo.addFilter({ id: ID, fileName: 'e.yml', yaml: filterYaml(ID, [rule]) })).toThrow('filter file e.yml exists already');
  });

  test('holds at most writableMaxFiles files', () => {
    const { repo } = writable(1);
    const rule = rootRuleId(repo);
    repo.addFilter({ id: ID, fileName: 'a.yml', yaml: filterYaml(ID, [rule]) });
    expect(() => repo.addFilter({ id: 'b', fileName: 'b.yml', yaml: filterYaml('b', [rule]) })).toThrow('holds 1 rule files already');
  });

  test('without a writable folder, addFilter answers UNAVAILABLE', () => {
    const { repo } = setup();
    expect(() => repo.addFilter({ id: ID, fileName: 'a.yml', yaml: filterYaml(ID, [rootRuleId(repo)]) })).toThrow('no writable rules folder is configured');
  });
});
