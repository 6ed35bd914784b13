import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { SqliteAuditLog } from '../adapters/sqlite/audit-log';
import type { Actor } from './actor';
import type { Authorizer, Decision, DecisionRequest } from './authz';
import { defineAction, Door } from './door';
import { CitySocError } from './errors';

const allow = (extra: Partial<Decision['obligations']> = {}): Decision => ({ decision: 'allow', reason: 'p-allow', matched: ['p-allow'], obligations: extra });
const deny: Decision = { decision: 'deny', reason: 'default-deny', matched: [], obligations: {} };

/** A PDP of one rule: the 城管 analyst sees 城管 rows only; li is isolated. */
const authorizer: Authorizer = {
  decide(req: DecisionRequest) {
    if (req.subject.department !== '城管') return allow({ grantId: 'g-1' });
    if (req.resource.department === undefined)
      return allow({ rowFilter: { query: 'organization.name:城管', node: { type: 'keyword', field: 'organization.name', value: '城管' } } });
    return req.resource.department === '城管' ? allow() : deny;
  },
  view: () => ({
    restricted: true,
    rewrite: (n) => n,
    aggregation: () => 'clear',
    treatBuckets: (_f, _v, b) => [...b],
    treat: (doc) => ({ ...doc, treated: true }),
  }),
  isolation: (user) => (user === 'li' ? { id: 'iso-1' } : null),
  zoneOf: () => '政务外网',
};

const analyst: Actor = { kind: 'user', name: 'wu', roles: ['analyst'], department: '城管', person: 'wu', sourceIp: '10.0.0.5' };

describe('the door every action goes through', () => {
  let audit: SqliteAuditLog;
  let door: Door;
  const internal: unknown[] = [];
  beforeEach(() => {
    audit = new SqliteAuditLog(path.join(mkdtempSync(path.join(tmpdir(), 'cs-door-')), 'audit.db'));
    internal.length = 0;
    door = new Door({ authorizer, audit, onInternalError: (e) => internal.push(e) });
  });
  afterEach(() => audit.close());

  const read = defineAction({
    name: 'things.read',
    permission: 'events:read',
    resource: (i: { id: string }) => `thing:${i.id}`,
    run: async (ctx, i: { id: string }) => {
      const doc = { organization: { name: i.id === 'a' ? '城管' : '公安' } };
      ctx.item({ kind: 'thing', id: i.id, doc, resource: { type: 'events', department: doc.organization.name } });
      return doc;
    },
  });

  it('keeps a hostile input short in the trail: a resource or details past their bounds are kept as their sizes', async () => {
    const huge = 'x'.repeat(1_000_000);
    const echo = defineAction({
      name: 'things.echo',
      permission: 'events:read',
      resource: (i: { id: string; q: string }) => `thing:${i.id}`,
      details: (i: { id: string; q: string }) => ({ q: i.q }),
      run: async (_ctx, i: { id: string; q: string }) => {
        if (i.q.length > 100) throw new CitySocError('INPUT_INVALID', 'q: at most 100 characters');
        return i.id;
      },
    });
    await expect(door.perform(analyst, echo, { id: huge, q: huge })).rejects.toMatchObject({ code: 'INPUT_INVALID' });
    await door.perform(analyst, echo, { id: 'a', q: 'short' });
    const [ok, bad] = await audit.query({ action: 'things.echo', size: 2 });
    expect([bad!.decision, bad!.resource, bad!.details]).toEqual(['failure', 'thing:xxxxxxxxxxxxxxxx… (1000006 characters)', { inputTooLarge: 1000008 }]);
    expect([ok!.decision, ok!.resource, ok!.details]).toEqual(['allow', 'thing:a', { q: 'short' }]);
  });

  it('refuses the unauthenticated and writes one deny record', async () => {
    await expect(door.perform(null, read, { id: 'a' }, { sourceIp: '1.2.3.4' })).rejects.toMatchObject({ code: 'UNAUTHENTICATED' });
    const recs = (await audit.query({})).sort((a, b) => a.seq - b.seq);
    expect(recs.map((r) => [r.actor, r.actorType, r.action, r.resource, r.decision, r.sourceIp])).toEqual([
      ['anonymous', 'anonymous', 'things.read', 'thing:a', 'deny', '1.2.3.4'],
    ]);
  });

  it('refuses everything but the allowed actions while a one-time password is owed', async () => {
    const owing = { ...analyst, mustChangePassword: true };
    await expect(door.perform(owing, read, { id: 'a' })).rejects.toMatchObject({ code: 'PASSWORD_CHANGE_REQUIRED' });
    const me = defineAction({ name: 'auth.me', permission: null, beforePasswordChange: true, run: async (ctx) => ctx.actor.name });
    await expect(door.perform(owing, me, {})).resolves.toBe('wu');
    expect((await audit.query({})).sort((a, b) => a.seq - b.seq).map((r) => [r.action, r.decision])).toEqual([
      ['things.read', 'deny'],
      ['auth.me', 'allow'],
    ]);
  });

  it('refuses an isolated account before anything runs, naming the isolation in the trail only', async () => {
    let ran = false;
    const a = defineAction({ name: 'x.y', permission: null, run: async () => (ran = true) });
    await expect(door.perform({ ...analyst, name: 'li', person: 'li' }, a, {})).rejects.toThrow('account li is isolated');
    expect(ran).toBe(false);
    expect((await audit.query({}))[0]).toMatchObject({ decision: 'deny', reason: 'isolation:iso-1' });
  });

  it('refuses a role without the permission', async () => {
    const collector: Actor = { kind: 'token', name: 'token:fb', roles: ['collector'], person: 'admin' };
    await expect(door.perform(collector, read, { id: 'a' })).rejects.toThrow(
      'things.read needs the permission events:read, which roles collector do not grant',
    );
    expect((await audit.query({}))[0]).toMatchObject({ actor: 'token:fb', actorType: 'token', decision: 'deny', details: { person: 'admin' } });
  });

  it('an allowed read writes one allow record with the decision it used and the department it touched', async () => {
    await expect(door.perform(analyst, read, { id: 'a' })).resolves.toEqual({ organization: { name: '城管' } });
    const recs = (await audit.query({})).sort((a, b) => a.seq - b.seq);
    expect(recs).toHaveLength(1);
    expect(recs[0]).toMatchObject({
      action: 'things.read',
      decision: 'allow',
      reason: 'role grants events:read',
      sourceIp: '10.0.0.5',
      details: { authz: [{ resource: 'thing:a', reason: 'p-allow' }], department: '城管' },
    });
  });

  it("an input's empty department does not hide the record from the department the action touched", async () => {
    const scoped = defineAction({
      name: 'things.scoped',
      permission: 'events:read',
      details: (i: { id: string; department?: string }) => ({ department: i.department ?? null }),
      run: async (ctx, i: { id: string; department?: string }) => {
        ctx.item({ kind: 'thing', id: i.id, doc: {}, resource: { type: 'events', department: '城管' } });
        return i.id;
      },
    });
    await door.perform(analyst, scoped, { id: 'a' });
    await door.perform(analyst, scoped, { id: 'b', department: '公安' });
    const recs = (await audit.query({ action: 'things.scoped' })).sort((a, b) => a.seq - b.seq);
    expect(recs.map((r) => r.details?.department)).toEqual(['城管', '公安']);
  });

  it("an action across two departments is read by each one's data owner through the audit row filter", async () => {
    const both = defineAction({
      name: 'things.both',
      permission: 'events:read',
      run: async (ctx, i: { ids: [string, string] }) => {
        ctx.item({ kind: 'thing', id: i.ids[0], doc: {}, resource: { type: 'events', department: '城管' } });
        ctx.item({ kind: 'thing', id: i.ids[1], doc: {}, resource: { type: 'events', department: '公安' } });
        return i.ids.length;
      },
    });
    // A city-wide analyst (no department of their own) under a grant: every department is allowed.
    await door.perform({ ...analyst, name: 'zhao', person: 'zhao', department: undefined }, both, { ids: ['a', 'b'] });
    const [rec] = await audit.query({ action: 'things.both' });
    expect(rec!.details?.department).toEqual(['公安', '城管']);
    const ownedBy = (department: string) => audit.query({ action: 'things.both', filter: { type: 'keyword', field: 'details.department', value: department } });
    expect((await ownedBy('城管')).map((r) => r.seq)).toEqual([rec!.seq]);
    expect((await ownedBy('公安')).map((r) => r.seq)).toEqual([rec!.seq]);
    expect(await ownedBy('水务')).toEqual([]);
  });

  it("another department's item is answered exactly as an absent one, and the refusal is audited as a deny", async () => {
    const absent = defineAction({
      name: 'things.read',
      permission: 'events:read',
      run: async () => {
        throw new CitySocError('NOT_FOUND', 'no thing b');
      },
    });
    const notYours = await door.perform(analyst, read, { id: 'b' }).catch((e: CitySocError) => [e.code, e.message, e.constructor.name]);
    const missing = await door.perform(analyst, absent, { id: 'b' }).catch((e: CitySocError) => [e.code, e.message, e.constructor.name]);
    expect(notYours).toEqual(['NOT_FOUND', 'no thing b', 'CitySocError']);
    expect(missing).toEqual(notYours);
    const recs = (await audit.query({})).sort((a, b) => a.seq - b.seq);
    expect(recs.map((r) => [r.decision, r.resource, r.reason])).toEqual([
      ['deny', 'thing:b', 'policy: default-deny'],
      ['failure', '', 'no thing b'],
    ]);
  });

  it('a search gets the row filter and the field treatments of one decision', async () => {
    const search = defineAction({
      name: 'things.search',
      permission: 'events:read',
      run: async (ctx) => {
        const s = ctx.scope('events');
        return { filters: s.filters, docs: s.treat([{ a: 1 }]) };
      },
    });
    const r = await door.perform(analyst, search, {});
    expect(r).toEqual({ filters: [{ type: 'keyword', field: 'organization.name', value: '城管' }], docs: [{ a: 1, treated: true }] });
    expect((await audit.query({}))[0]!.details).toEqual({ authz: [{ resource: 'events', reason: 'p-allow', rowFilter: 'organization.name:城管' }] });
  });

  it('a grant that contributed is named at the top of the record, where the grant report finds it', async () => {
    const central: Actor = { kind: 'user', name: 'zhao', roles: ['analyst'], person: 'zhao' };
    const a = defineAction({ name: 'things.search', permission: 'events:read', run: async (ctx) => ctx.scope('events').decision.reason });
    await door.perform(central, a, {});
    expect((await audit.query({}))[0]!.details).toMatchObject({ grantId: 'g-1' });
  });

  it('a bug answers INTERNAL without its message, is reported, and is audited as a failure', async () => {
    const buggy = defineAction({
      name: 'things.bug',
      permission: null,
      run: async () => {
        throw new TypeError('secret detail');
      },
    });
    const e = (await door.perform(analyst, buggy, {}).catch((x: unknown) => x)) as CitySocError;
    expect([e.code, e.message]).toEqual(['INTERNAL', 'internal error; the server log has the details']);
    expect(internal).toHaveLength(1);
    expect((await audit.query({}))[0]).toMatchObject({ decision: 'failure', reason: 'internal error: secret detail' });
  });

  it('a caller over its limit is refused before the action runs', async () => {
    const limited = new Door({ authorizer, audit, limiter: { admit: (_a, _ip, action) => (action === 'things.read' ? 'limit: 1 per minute' : null) } });
    await expect(limited.perform(analyst, read, { id: 'a' })).rejects.toMatchObject({ code: 'RATE_LIMITED', message: 'limit: 1 per minute' });
  });

  it('refusals of unauthenticated floods pass the audit gate only as far as it lets them', async () => {
    let left = 2;
    const gated = new Door({ authorizer, audit, anonymousAudit: { admit: () => left-- > 0 } });
    for (let i = 0; i < 5; i++) await gated.perform(null, read, { id: 'a' }).catch(() => undefined);
    expect(await audit.query({})).toHaveLength(2);
  });
});
