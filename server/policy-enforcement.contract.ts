import type { Alert } from '../core/alert';
import { adminSession, type Running, signInAs, startTestPlatform } from './test-support/harness';

/** The same enforcement on any store: `overrides` choose the profile (embedded SQLite, or Elasticsearch/OpenSearch). */

const EVENTS = [
  {
    '@timestamp': '2026-11-20T01:00:00Z',
    event: { id: 'cg-1', action: 'query' },
    organization: { name: '城管' },
    citysoc: { person: { phone: '13812341234', id_number: '110101199001011234', name: '张三' } },
  },
  {
    '@timestamp': '2026-11-20T01:01:00Z',
    event: { id: 'ga-1', action: 'query' },
    organization: { name: '公安' },
    citysoc: { person: { phone: '13900001111', id_number: '110101198001015678', name: '李四' } },
  },
];

export function describePolicyEnforcement(name: string, overrides: Record<string, unknown>): void {
  describe(`policy enforcement on ${name}`, () => {
    let r: Running;
    let admin: string;
    let analyst: string;
    let owner: string;
    let apiToken: string;
    beforeAll(async () => {
      r = await startTestPlatform(undefined, false, overrides);
      admin = await adminSession(r);
      // as the indexer stores them: with the tokens and redacted text of their personal data
      await r.platform.ports.events.write(EVENTS.map((e) => r.platform.policy.prepareForIndex(e)) as never);
      await r.platform.ports.events.refresh();
      analyst = await signInAs(r, admin, 'cg-analyst', 'analyst', '城管');
      owner = await signInAs(r, admin, 'cg-owner', 'department_admin', '城管');
      const t = await r.gql<{ createApiToken: { token: string } }>('mutation{createApiToken(name:"gateway-1",roles:[collector]){token}}', {}, admin);
      apiToken = t.data!.createApiToken.token;
    });
    afterAll(async () => r.stop());

    it("an analyst of 城管 searching events sees none of 公安's", async () => {
      const res = await r.gql<{ events: { total: number; events: { event: { id: string } }[] } }>('{events{total events}}', {}, analyst);
      expect(res.data!.events.events.map((e) => e.event.id)).toEqual(['cg-1']);
    });

    it('fetching a 公安 event by id answers as if it did not exist, and the refusal is audited', async () => {
      const res = await r.gql('{event(id:"ga-1")}', {}, analyst);
      expect(res.errors![0]).toMatchObject({ message: 'no event ga-1', extensions: { code: 'NOT_FOUND' } });
      const [rec] = await r.platform.ports.audit.query({ actor: 'cg-analyst', resource: 'event:ga-1', decision: 'deny' });
      expect(rec).toMatchObject({ action: 'events.get', reason: 'policy: default-deny', details: { department: '公安', access: 'read' } });
    });

    it('a 敏感 field is masked for the analyst and clear for its data owner; the analyst finds the event by its token, never by the clear value', async () => {
      const byClear = await r.gql('{events(query:"citysoc.person.id_number:110101199001011234"){total}}', {}, analyst);
      expect(byClear.errors![0]!.extensions!.code).toBe('QUERY_FIELD');
      const all = await r.gql<{ events: { events: { citysoc: { person: Record<string, string> } }[] } }>('{events{events}}', {}, analyst);
      const person = all.data!.events.events[0]!.citysoc.person;
      expect(person.phone).toBe('138****1234');
      expect(person.name).toBe('张*');
      expect(person.id_number).toMatch(/^tok_[0-9a-f]{20}$/);
      const a = await r.gql<{ events: { total: number } }>(`{events(query:"citysoc.person.id_number:${person.id_number}"){total}}`, {}, analyst);
      expect(a.data!.events.total).toBe(1);
      const o = await r.gql<{ events: { events: { citysoc: { person: Record<string, string> } }[] } }>('{events{events}}', {}, owner);
      expect(o.data!.events.events[0]!.citysoc.person).toEqual({ phone: '13812341234', id_number: '110101199001011234', name: '张三' });
    });

    it("alerts follow the same policy: 城管's analyst lists only 城管's, and 公安's alert can be neither read nor moved", async () => {
      const alert = (id: string, department?: string): Alert => ({
        id,
        dedupKey: `k-${id}`,
        rule: { id: 'ssh-bruteforce', name: 'SSH brute force', type: 'correlation', severity: 'high', tags: [] },
        entities: [{ type: 'ip', value: '10.1.1.1' }],
        eventIds: [],
        firstSeen: '2026-11-20T01:00:00.000Z',
        lastSeen: '2026-11-20T01:00:00.000Z',
        count: 1,
        risk: 50,
        ...(department ? { department } : {}),
        status: 'open',
        history: [],
      });
      for (const a of [alert('al-cg', '城管'), alert('al-ga', '公安'), alert('al-none')]) await r.platform.ports.alerts.upsert(a, 0);
      const list = async (token: string) =>
        (await r.gql<{ alerts: { total: number; alerts: { id: string }[] } }>('{alerts{total alerts{id}}}', {}, token)).data!.alerts;
      expect(await list(analyst)).toEqual({ total: 1, alerts: [{ id: 'al-cg' }] });
      expect((await list(admin)).total).toBe(3);

      const get = await r.gql('{alert(id:"al-ga"){id}}', {}, analyst);
      expect(get.errors![0]).toMatchObject({ message: 'no alert al-ga', extensions: { code: 'NOT_FOUND' } });
      const none = await r.gql('{alert(id:"al-none"){id}}', {}, analyst);
      expect(none.errors![0]!.message).toBe('no alert al-none');
      const [why] = await r.platform.ports.audit.query({ actor: 'cg-analyst', resource: 'alert:al-none', decision: 'deny' });
      expect(why!.reason).toBe('policy: row-filter');
      expect((await r.gql<{ alert: { id: string } }>('{alert(id:"al-cg"){id}}', {}, analyst)).data!.alert.id).toBe('al-cg');

      const move = await r.gql('mutation{transitionAlert(id:"al-ga",to:acknowledged){id}}', {}, analyst);
      expect(move.errors![0]).toMatchObject({ message: 'no alert al-ga', extensions: { code: 'NOT_FOUND' } });
      expect((await r.platform.ports.alerts.get('al-ga'))!.status).toBe('open');
      const [rec] = await r.platform.ports.audit.query({ actor: 'cg-analyst', resource: 'alert:al-ga', decision: 'deny', action: 'alerts.transition' });
      expect(rec).toMatchObject({ reason: 'policy: default-deny', details: { department: '公安', access: 'write' } });
      const ok = await r.gql<{ transitionAlert: { status: string } }>('mutation{transitionAlert(id:"al-cg",to:acknowledged){status}}', {}, analyst);
      expect(ok.data!.transitionAlert.status).toBe('acknowledged');
    });

    it("a department's data owner reads the audit trail of decisions about its department only; auditors read all", async () => {
      const ga = await signInAs(r, admin, 'ga-owner', 'department_admin', '公安');
      // refused reads across departments: each concerns the department that owns the event
      expect((await r.gql('{event(id:"ga-1")}', {}, analyst)).errors![0]!.extensions!.code).toBe('NOT_FOUND');
      expect((await r.gql('{event(id:"cg-1")}', {}, ga)).errors![0]!.extensions!.code).toBe('NOT_FOUND');
      type Recs = { auditRecords: { actor: string; resource: string; details: { department?: string } | null }[] };
      const read = async (token: string, args = 'action:"events.get"') =>
        (await r.gql<Recs>(`{auditRecords(${args},size:1000){actor resource details}}`, {}, token)).data!.auditRecords;
      const police = await read(ga);
      expect(police.some((x) => x.actor === 'cg-analyst' && x.resource === 'event:ga-1')).toBe(true);
      expect(police.filter((x) => x.details?.department !== '公安')).toEqual([]);
      const city = await read(owner);
      expect(city.some((x) => x.actor === 'ga-owner' && x.resource === 'event:cg-1')).toBe(true);
      expect(city.filter((x) => x.details?.department !== '城管')).toEqual([]);
      const auditor = await signInAs(r, admin, 'auditor-1', 'auditor');
      const all = await read(auditor);
      // each owner sees exactly the auditor's records of its own department
      expect(all.filter((x) => x.details?.department === '公安')).toEqual(police);
      expect(all.filter((x) => x.details?.department === '城管')).toEqual(city);
      expect((await read(auditor, 'resource:"event:ga-1"')).map((x) => x.actor)).toContain('cg-analyst');
      expect((await r.gql('{auditRecords{seq}}', {}, analyst)).errors![0]!.extensions!.code).toBe('FORBIDDEN');
    });

    it('external PDP calls need a pdp token; malformed input gets a 400 with the reason and is audited', async () => {
      const collector = await fetch(`${r.platform.url}/authz/v1/decide`, {
        method: 'POST',
        headers: { authorization: `Bearer ${apiToken}` },
        body: JSON.stringify({ subject: { user: 'x' }, resource: { type: 'events' }, action: 'read' }),
      });
      // finding 11 of the security review: a collector's token is not a PDP client
      expect(collector.status).toBe(403);
      const t = await r.gql<{ createApiToken: { token: string } }>('mutation{createApiToken(name:"sharing-platform",roles:[pdp]){token}}', {}, admin);
      const pdpToken = t.data!.createApiToken.token;
      const res = await fetch(`${r.platform.url}/authz/v1/decide`, {
        method: 'POST',
        headers: { authorization: `Bearer ${pdpToken}` },
        body: JSON.stringify({ subject: { user: 'x' }, resource: { type: 'nope' }, action: 'read' }),
      });
      expect(res.status).toBe(400);
      const body = (await res.json()) as { error: string; message: string };
      expect(body.error).toBe('INPUT_INVALID');
      expect(body.message).toContain('resource.type: ');
      const [rec] = await r.platform.ports.audit.query({ action: 'authz.decide_external', decision: 'failure' });
      expect(rec!.reason).toBe(body.message);
      const ok = await fetch(`${r.platform.url}/authz/v1/decide`, {
        method: 'POST',
        headers: { authorization: `Bearer ${pdpToken}` },
        body: JSON.stringify({
          subject: { user: 'x', roles: ['analyst'], department: '城管' },
          resource: { type: 'events', department: '公安' },
          action: 'read',
          context: { zone: '政务外网' },
        }),
      });
      expect(ok.status).toBe(200);
      expect(await ok.json()).toMatchObject({ decision: 'deny', reason: 'default-deny' });
    });

    it('after isolate, the PDP denies the user at once and its open session is refused', async () => {
      await r.platform.policy.isolation.isolate('admin', 'cg-analyst', 'suspected credential theft');
      const d = r.platform.policy.pdp.decide({
        subject: { user: 'cg-analyst', roles: ['analyst'], department: '城管' },
        resource: { type: 'events' },
        action: 'read',
        context: {},
      });
      expect(d.reason).toMatch(/^isolation:/);
      const res = await r.gql('{events{total}}', {}, analyst);
      expect(res.errors![0]!.extensions!.code).toBe('UNAUTHENTICATED');
    });
  });
}
