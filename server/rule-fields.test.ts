/**
 * Reading a rule's source and trying a rule on a pasted event through the running platform's
 * GraphQL API: exact answers, the pasted text as hostile input (bad JSON, too large, too deep, not
 * an object), refusals for roles without rules:read, and one audit record per call without the
 * event's content.
 */
import { readFileSync } from 'node:fs';
import path from 'node:path';
import { adminSession, type Running, signInAs, startTestPlatform } from './test-support/harness';

jest.setTimeout(120_000);

const ROOT_RULE = '167d9478-7807-4ee7-981c-14f913d6287c';
const BRUTE_FORCE = 'ad814613-1f7e-4fdb-880b-033b3f69c4b8';
const SOURCE = '{ruleSource(id:"167d9478-7807-4ee7-981c-14f913d6287c")}';
const TEST = `query($id:String!,$e:JSON!){testRule(id:$id,event:$e){ruleId title kind matched logsourceMatched needsStream note matchedFields
  conditions{name matched} selections{name matched} event}}`;
const ROOT_LOGIN = {
  '@timestamp': '2026-03-02T02:00:00Z',
  event: { dataset: 'openssh.auth', action: 'ssh_login', outcome: 'success' },
  user: { name: 'root' },
  source: { ip: '10.0.0.1' },
  organization: { name: 'cg' },
};

type Answer = Awaited<ReturnType<Running['gql']>>;

describe('a rule read and tried from the API', () => {
  let r: Running;
  let admin: string;
  let auditor: string;
  let deptAdmin: string;
  let collector: string;

  beforeAll(async () => {
    r = await startTestPlatform();
    admin = await adminSession(r);
    auditor = await signInAs(r, admin, 'shen.ji', 'auditor');
    deptAdmin = await signInAs(r, admin, 'cg-owner', 'department_admin', '城管');
    collector = (await r.platform.identity.issueApiToken('fb-01', ['collector'], 'test')).token;
  });
  afterAll(async () => r.stop());

  const tryRule = (e: unknown, token = admin, id = ROOT_RULE) => r.gql<{ testRule: Record<string, unknown> }>(TEST, { id, e }, token);
  const error = (a: Answer) => ({ code: a.errors?.[0]?.extensions?.code, message: a.errors?.[0]?.message });

  it("answers the rule's file as written", async () => {
    const a = await r.gql<{ ruleSource: string }>(SOURCE, {}, auditor);
    expect(a.errors).toBeUndefined();
    expect(a.data!.ruleSource).toBe(readFileSync(path.resolve(__dirname, '../rules/ssh/ssh_root_login_success.yml'), 'utf8'));
    expect(error(await r.gql(`{ruleSource(id:"nope")}`, {}, admin))).toEqual({ code: 'NOT_FOUND', message: 'no rule nope' });
  });

  it('a pasted root login matches the root-login rule; the answer names the selections, the condition and the event as matched (department code read as its name)', async () => {
    const a = await tryRule(JSON.stringify(ROOT_LOGIN, null, 2));
    expect(a.errors).toBeUndefined();
    expect(a.data!.testRule).toEqual({
      ruleId: ROOT_RULE,
      title: 'SSH Root Login Accepted',
      kind: 'rule',
      matched: true,
      logsourceMatched: true,
      needsStream: false,
      note: null,
      matchedFields: ['event.dataset', 'event.action', 'event.outcome', 'user.name'],
      conditions: [{ name: 'selection', matched: true }],
      selections: [
        { name: 'selection', matched: true },
        { name: '_pipeline_dataset_sshd', matched: true },
      ],
      event: { ...ROOT_LOGIN, organization: { name: '城管', id: 'cg' } },
    });
  });

  it("an event sent as a JSON object is read the same; alice's login does not match", async () => {
    const a = await tryRule({ ...ROOT_LOGIN, user: { name: 'alice' } });
    expect(a.data!.testRule).toMatchObject({ matched: false, logsourceMatched: true, conditions: [{ name: 'selection', matched: false }], matchedFields: [] });
  });

  it('a correlation answers that it needs a stream', async () => {
    const a = await tryRule(ROOT_LOGIN, admin, BRUTE_FORCE);
    expect(a.data!.testRule).toMatchObject({ kind: 'correlation', matched: false, needsStream: true, event: null, conditions: [], selections: [] });
    expect(a.data!.testRule.note).toMatch(/^a correlation rule counts events .* it needs a stream of events, not one/);
  });

  it('hostile pasted text is refused with what is wrong: bad JSON, not an object, too deep, too large', async () => {
    expect(error(await tryRule('{"user": {"name": "root"'))).toEqual({
      code: 'INPUT_INVALID',
      message: expect.stringMatching(/^event: not valid JSON: /),
    });
    expect(error(await tryRule('[1, 2]'))).toEqual({ code: 'INPUT_INVALID', message: 'event: expected one JSON object (an ECS event), got an array' });
    expect(error(await tryRule('"root"'))).toEqual({ code: 'INPUT_INVALID', message: 'event: expected one JSON object (an ECS event), got string' });
    expect(error(await tryRule(`${'{"a":'.repeat(100)}1${'}'.repeat(100)}`))).toEqual({
      code: 'INPUT_INVALID',
      message: 'event: nests objects or arrays deeper than 64 levels',
    });
    let deep: Record<string, unknown> = { a: 1 };
    for (let i = 0; i < 100; i++) deep = { a: deep };
    expect(error(await tryRule(deep))).toEqual({
      code: 'INPUT_INVALID',
      message: 'event: nests objects or arrays deeper than 64 levels (ingest.maxJsonDepth)',
    });
    const big = JSON.stringify({ ...ROOT_LOGIN, message: 'x'.repeat(300_000) });
    expect(error(await tryRule(big))).toEqual({ code: 'LIMIT_EXCEEDED', message: `event: ${big.length} bytes; at most 262144 bytes` });
    expect(error(await tryRule(ROOT_LOGIN, admin, 'nope'))).toEqual({ code: 'NOT_FOUND', message: 'no rule nope' });
  });

  it('roles without rules:read are refused both calls', async () => {
    for (const token of [deptAdmin, collector]) {
      expect(error(await r.gql(SOURCE, {}, token))).toMatchObject({
        code: 'FORBIDDEN',
        message: expect.stringMatching(/^rules\.source needs the permission rules:read/),
      });
      expect(error(await tryRule(ROOT_LOGIN, token))).toMatchObject({
        code: 'FORBIDDEN',
        message: expect.stringMatching(/^rules\.test needs the permission rules:read/),
      });
    }
    expect(error(await r.gql(SOURCE, {}))).toMatchObject({ code: 'UNAUTHENTICATED' });
  });

  it('each call is audited once, with the verdict and the size of the event but not its content', async () => {
    const before = await records(r, admin);
    await tryRule(ROOT_LOGIN);
    const after = await records(r, admin);
    const added = after.slice(before.length);
    expect(added).toEqual([
      {
        actor: 'admin',
        decision: 'allow',
        resource: `rule:${ROOT_RULE}`,
        details: {
          eventBytes: Buffer.byteLength(JSON.stringify({ ...ROOT_LOGIN, organization: { name: '城管', id: 'cg' } })),
          matched: true,
          needsStream: false,
        },
      },
    ]);
    expect(JSON.stringify(added)).not.toContain('10.0.0.1');
  });
});

async function records(r: Running, admin: string) {
  const q = await r.gql<{ auditRecords: { seq: number; actor: string; decision: string; resource: string; details: Record<string, unknown> }[] }>(
    '{auditRecords(action:"rules.test",size:1000){seq actor decision resource details}}',
    {},
    admin,
  );
  if (!q.data) throw new Error(JSON.stringify(q.errors));
  return [...q.data.auditRecords].sort((a, b) => a.seq - b.seq).map(({ actor, decision, resource, details }) => ({ actor, decision, resource, details }));
}
