import { cpSync, mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
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
