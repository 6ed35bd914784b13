/**
 * Rule exceptions in the running platform: a root login over SSH raises an alert, an analyst of
 * the department turns it into an exception (a Sigma filter in the user rules folder, through the
 * rule repository), and the same login no longer alerts while another one still does; the filter
 * outlives a restart and is audited once. Attacks: field names that are paths, values that would
 * break the YAML or widen the filter, an analyst of another department, roles without the right.
 */
import { existsSync, mkdtempSync, readdirSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import YAML from 'yaml';
import { adminSession, type Running, signInAs, startTestPlatform, STRONG } from './test-support/harness';
import { ADD_EXCEPTION as ADD, alerted, exceptionRecords, ingest, rootAlerts, rootLogin } from './test-support/root-logins';

jest.setTimeout(180_000);

const signIn = async (r: Running, username: string) => {
  const s = await r.gql<{ login: { token: string } }>('mutation($u:String!,$p:String!){login(username:$u,password:$p){token}}', { u: username, p: STRONG });
  return s.data!.login.token;
};

describe('rule exceptions in the running platform', () => {
  const dir = mkdtempSync(path.join(tmpdir(), 'citysoc-exceptions-'));
  const userRules = path.join(dir, 'user-rules');
  let r: Running;
  let admin: string;
  let cg: string;
  let alertId: string;
  let exceptionId: string;

  beforeAll(async () => {
    r = await startTestPlatform(dir, true);
    admin = await adminSession(r);
    cg = await signInAs(r, admin, 'cg-analyst', 'analyst', '城管');
  });
  afterAll(async () => {
    await r.stop();
    rmSync(dir, { recursive: true, force: true });
  });

  it('an analyst of the department excepts a root login from its jump host: that login no longer alerts, others still do', async () => {
    await ingest(r, [rootLogin('10.10.0.5')], '城管');
    const [alert, ...more] = await rootAlerts(r, cg);
    expect(more).toEqual([]);
    expect(alert).toMatchObject({ count: 1, department: '城管' });
    alertId = alert!.id;

    const made = await r.gql<{ addRuleException: { id: string; file: string; ruleId: string; yaml: string } }>(
      ADD,
      { a: alertId, f: [{ field: 'source.ip', values: ['10.10.0.5'] }], r: '运维跳板机 (ops jump host)' },
      cg,
    );
    expect(made.errors).toBeUndefined();
    const ex = made.data!.addRuleException;
    exceptionId = ex.id;
    expect(ex.file).toBe(`user-rules/exception-${ex.id}.yml`);
    // the file is the filter the answer shows, scoped to the alert's department
    expect(readFileSync(path.join(dir, ex.file), 'utf8')).toBe(ex.yaml);
    expect(YAML.parse(ex.yaml)).toMatchObject({
      id: ex.id,
      author: 'cg-analyst',
      filter: { rules: [ex.ruleId], selection: { 'source.ip': '10.10.0.5', 'organization.name': '城管' }, condition: 'selection' },
    });
    const listed = await r.gql<{ rules: { id: string; kind: string; enabled: boolean }[] }>('{rules{id kind enabled}}', {}, admin);
    expect(listed.data!.rules.filter((x) => x.kind === 'filter')).toEqual([{ id: ex.id, kind: 'filter', enabled: true }]);

    // the excepted login again: nothing; another source: alerts; the excepted source in another department: alerts
    expect(await alerted(r, admin, [rootLogin('10.10.0.5'), rootLogin('10.10.0.5')], '城管')).toEqual({});
    expect(await alerted(r, admin, [rootLogin('10.10.0.7')], '城管', { 城管: 1 })).toEqual({ 城管: 1 });
    expect(await alerted(r, admin, [rootLogin('10.10.0.5', 'ga-bastion')], '公安', { 公安: 1 })).toEqual({ 公安: 1 });

    const records = await exceptionRecords(r, admin);
    expect(records.map((x) => [x.actor, x.decision, x.resource])).toEqual([['cg-analyst', 'allow', `rule:${ex.ruleId}`]]);
    expect(records[0]!.details).toMatchObject({ exception: ex.id, file: ex.file, fields: { 'source.ip': ['10.10.0.5'] } });
  });

  it('refuses field names that are paths and values that would widen the filter or break its YAML, writing nothing', async () => {
    const before = await exceptionRecords(r, admin);
    const traversal = await r.gql(ADD, { a: alertId, f: [{ field: '../../x', values: ['1'] }], r: 'x' }, cg);
    expect(traversal.errors?.[0]?.message).toMatch(/each key a field name such as source.ip or user.name/);
    expect(traversal.errors?.[0]?.extensions?.code).toBe('INPUT_INVALID');
    const proto = await r.gql(ADD, { a: alertId, f: [{ field: '__proto__', values: ['1'] }], r: 'x' }, cg);
    expect(proto.errors?.[0]?.extensions?.code).toBe('INPUT_INVALID');
    // the department is the alert's: an analyst cannot name another one
    const dept = await r.gql(ADD, { a: alertId, f: [{ field: 'organization.name', values: ['公安'] }], r: 'x' }, cg);
    expect(dept.errors?.[0]?.message).toMatch(/the department an exception covers is the alert's own/);
    expect(readdirSync(userRules).filter((n) => n.endsWith('.yml'))).toEqual([`exception-${exceptionId}.yml`]);
    // one denial or failure per refused call
    expect((await exceptionRecords(r, admin)).length - before.length).toBe(3);

    // a value that would end the YAML document and add a rule of its own, and a lone wildcard: kept as literal text
    const hostile = "x'\n---\ntitle: injected\nfilter: {rules: ['*']}\n#";
    const made = await r.gql<{ addRuleException: { id: string; yaml: string } }>(
      ADD,
      { a: alertId, f: [{ field: 'user.name', values: [hostile, '*'] }], r: 'reason: "quoted"\n- list' },
      cg,
    );
    expect(made.errors).toBeUndefined();
    const docs = YAML.parseAllDocuments(made.data!.addRuleException.yaml);
    expect(docs).toHaveLength(1);
    expect((docs[0]!.toJS() as { filter: { selection: Record<string, unknown> } }).filter.selection).toEqual({
      'user.name': [hostile.replace('*', '\\*'), '\\*'],
      'organization.name': '城管',
    });
    // root is not named "*": the wildcard did not silence the rule
    expect(await alerted(r, admin, [rootLogin('10.10.0.8')], '城管', { 城管: 1 })).toEqual({ 城管: 1 });
  });

  it('an analyst of another department finds no alert, and roles without the right are refused, each audited once', async () => {
    const ga = await signInAs(r, admin, 'ga-analyst', 'analyst', '公安');
    const auditor = await signInAs(r, admin, 'auditor-1', 'auditor');
    const author = await signInAs(r, admin, 'author-1', 'playbook_author');
    const files = readdirSync(userRules).sort();
    const before = (await exceptionRecords(r, admin)).length;
    const input = { a: alertId, f: [{ field: 'source.ip', values: ['10.10.0.9'] }], r: 'not mine' };

    const other = await r.gql(ADD, input, ga);
    expect(other.errors?.[0]?.extensions?.code).toBe('NOT_FOUND');
    expect(other.errors?.[0]?.message).toBe(`no alert ${alertId}`);
    // exactly what an alert that does not exist answers
    const missing = await r.gql(ADD, { ...input, a: 'no-such-alert' }, ga);
    expect(missing.errors?.[0]?.message).toBe('no alert no-such-alert');

    for (const t of [auditor, author]) {
      const refused = await r.gql(ADD, input, t);
      expect(refused.errors?.[0]?.extensions?.code).toBe('FORBIDDEN');
      expect(refused.errors?.[0]?.message).toMatch(/rules.add_exception needs the permission rules:except/);
    }
    expect(readdirSync(userRules).sort()).toEqual(files);
    const after = await exceptionRecords(r, admin);
    // the caller cannot tell the two apart; the trail can (a policy denial, a missing alert)
    expect(after.slice(before).map((x) => [x.actor, x.decision])).toEqual([
      ['ga-analyst', 'deny'],
      ['ga-analyst', 'failure'],
      ['auditor-1', 'deny'],
      ['author-1', 'deny'],
    ]);
  });

  it('the exception outlives a restart: the file stays in the user rules folder and the login still does not alert', async () => {
    await r.platform.close();
    r = await startTestPlatform(dir, true);
    admin = await signIn(r, 'admin');
    expect(existsSync(path.join(userRules, `exception-${exceptionId}.yml`))).toBe(true);
    expect(await alerted(r, admin, [rootLogin('10.10.0.5')], '城管')).toEqual({});
    expect(await alerted(r, admin, [rootLogin('10.10.0.11')], '城管', { 城管: 1 })).toEqual({ 城管: 1 });
    // still one record of the exception's creation
    expect((await exceptionRecords(r, admin)).filter((x) => x.decision === 'allow' && x.details.exception === exceptionId)).toHaveLength(1);
  });
});
