import { cpSync, mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { SigmaEvent } from '../sigma/backends/fieldpath';
import { getPipeline } from '../sigma/pipelines';
import { RuleRepository } from './rule-repository';
import { testRuleOnEvent } from './rule-test';

const ROOT_RULE = '167d9478-7807-4ee7-981c-14f913d6287c';
const BRUTE_FORCE = 'ad814613-1f7e-4fdb-880b-033b3f69c4b8';
const ROOT_LOGIN = {
  '@timestamp': '2026-03-02T02:00:00Z',
  event: { dataset: 'openssh.auth', action: 'ssh_login', outcome: 'success' },
  user: { name: 'root' },
  source: { ip: '10.0.0.1' },
};

function repository() {
  const dir = mkdtempSync(join(tmpdir(), 'rule-test-'));
  cpSync(join(__dirname, '../../rules/ssh'), join(dir, 'rules'), { recursive: true });
  return new RuleRepository({ folders: [join(dir, 'rules')], stateFile: join(dir, 'state.json'), pipelines: [getPipeline('citysoc')] });
}

function tryRule(repo: RuleRepository, id: string, event: SigmaEvent) {
  const x = repo.inspect(id)!;
  return testRuleOnEvent(x.doc, event, x.filters, x.pipelines);
}

describe('a rule tried on one event', () => {
  test('a root login over SSH matches the root-login rule: its selection, its condition and the fields that held', () => {
    const repo = repository();
    expect(tryRule(repo, ROOT_RULE, ROOT_LOGIN)).toEqual({
      kind: 'rule',
      matched: true,
      logsourceMatched: true,
      conditions: [{ name: 'selection', matched: true }],
      selections: [
        { name: 'selection', matched: true },
        { name: '_pipeline_dataset_sshd', matched: true },
      ],
      matchedFields: ['event.dataset', 'event.action', 'event.outcome', 'user.name'],
      needsStream: false,
      note: null,
    });
    // the verdict is the detect stage's: the loaded rule set says the same
    expect(
      repo
        .current()
        .ruleSet.match(ROOT_LOGIN)
        .map((m) => m.ruleId),
    ).toContain(ROOT_RULE);
  });

  test("alice's login does not match: the selection fails though the event is of the rule's logsource", () => {
    const r = tryRule(repository(), ROOT_RULE, { ...ROOT_LOGIN, user: { name: 'alice' } });
    expect(r).toMatchObject({ matched: false, logsourceMatched: true, conditions: [{ name: 'selection', matched: false }], matchedFields: [], note: null });
    expect(r.selections).toEqual([
      { name: 'selection', matched: false },
      { name: '_pipeline_dataset_sshd', matched: true },
    ]);
  });

  test("a root login without a dataset is not the rule's logsource: not matched though its selection holds, and the answer says why", () => {
    const r = tryRule(repository(), ROOT_RULE, { ...ROOT_LOGIN, event: { action: 'ssh_login', outcome: 'success' } });
    expect(r.matched).toBe(false);
    expect(r.logsourceMatched).toBe(false);
    expect(r.selections).toEqual([
      { name: 'selection', matched: true },
      { name: '_pipeline_dataset_sshd', matched: false },
    ]);
    expect(r.note).toBe("the event is not of the rule's logsource (product: citysoc, service: sshd): the detect stage does not run the rule on it");
  });

  test('a correlation cannot be decided on one event: it answers that it needs a stream', () => {
    expect(tryRule(repository(), BRUTE_FORCE, ROOT_LOGIN)).toEqual({
      kind: 'correlation',
      matched: false,
      logsourceMatched: false,
      conditions: [],
      selections: [],
      matchedFields: [],
      needsStream: true,
      note: 'a correlation rule counts events of the rules it names over a time window: it needs a stream of events, not one; test the rules it names',
    });
  });

  test('an enabled filter is folded in as the detect stage folds it: the excepted login no longer matches, and the condition says so', () => {
    const repo = repository();
    const filter = [
      'title: jump host',
      'id: 0b7c0d3e-0000-4000-8000-000000000001',
      'logsource: { product: citysoc, service: sshd }',
      'filter:',
      `  rules: [${ROOT_RULE}]`,
      '  selection: { source.ip: 10.0.0.1 }',
      '  condition: selection',
      '',
    ].join('\n');
    writeFileSync(join(repo.list().find((r) => r.id === ROOT_RULE)!.file!, '..', 'jump-host.yml'), filter);
    repo.reload();
    const r = tryRule(repo, ROOT_RULE, ROOT_LOGIN);
    expect(r.matched).toBe(false);
    expect(r.conditions).toEqual([{ name: '(selection) and not filters(0b7c0d3e-0000-4000-8000-000000000001)', matched: false }]);
    expect(r.selections).toContainEqual({ name: '_filter0_selection', matched: true });
    expect(
      repo
        .current()
        .ruleSet.match(ROOT_LOGIN)
        .map((m) => m.ruleId),
    ).not.toContain(ROOT_RULE);
    expect(tryRule(repo, ROOT_RULE, { ...ROOT_LOGIN, source: { ip: '10.0.0.2' } }).matched).toBe(true);
  });

  test('a disabled rule is still tried (to check it before enabling it again)', async () => {
    const repo = repository();
    await repo.setEnabled(ROOT_RULE, false);
    expect(tryRule(repo, ROOT_RULE, ROOT_LOGIN).matched).toBe(true);
  });

  test('an unknown id is not inspected', () => {
    expect(repository().inspect('nope')).toBeUndefined();
  });
});
