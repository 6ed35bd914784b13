/**
 * The authorization matrix: every read path × every role × department, on any store. For each
 * caller the test derives what it may see — which departments' events and alerts, and which
 * personal values in clear — and requires that no path (search, aggregations, field statistics,
 * one event, alerts, one alert, the audit trail) returns anything else.
 */
import type { Alert } from '../core/alert';
import { adminSession, type Running, signInAs, startTestPlatform } from './test-support/harness';

const PEOPLE = {
  城管: { phone: '13811112222', id_number: '110101199001011111', name: '张三' },
  公安: { phone: '13933334444', id_number: '220202198002022222', name: '李四' },
} as const;
type Dept = keyof typeof PEOPLE;
const DEPTS: Dept[] = ['城管', '公安'];

const EVENTS = DEPTS.flatMap((d, i) =>
  [0, 1, 2].map((k) => ({
    '@timestamp': `2026-11-20T0${i}:0${k}:00Z`,
    message: `export by ${PEOPLE[d].name} phone ${PEOPLE[d].phone}`,
    event: { id: `${d === '城管' ? 'cg' : 'ga'}-${k}`, action: 'export', original: `raw ${PEOPLE[d].phone} ${PEOPLE[d].id_number} ${PEOPLE[d].name}` },
    organization: { name: d },
    host: { name: `${d === '城管' ? 'cg' : 'ga'}-host` },
    citysoc: { person: { ...PEOPLE[d] }, data: { classification: '内部' } },
  })),
);

const alertOf = (id: string, department: Dept): Alert => ({
  id,
  dedupKey: `k-${id}`,
  rule: { id: 'mass-export', name: 'Mass export', type: 'sigma', severity: 'high', tags: [] },
  entities: [{ type: 'user', value: department === '城管' ? 'zhangsan' : 'lisi' }],
  eventIds: [],
  firstSeen: '2026-11-20T01:00:00.000Z',
  lastSeen: '2026-11-20T01:00:00.000Z',
  count: 1,
  risk: 80,
  department,
  status: 'open',
  history: [],
});

interface Caller {
  readonly name: string;
  readonly roles: string;
  readonly department?: Dept;
  /** Departments whose events and alerts it sees; null: refused outright. */
  readonly sees: Dept[] | null;
  /** Departments whose personal values it sees in clear. */
  readonly clear: Dept[];
}

const CALLERS: Caller[] = [
  { name: 'm-auditor', roles: 'auditor', sees: ['城管', '公安'], clear: [] },
  { name: 'm-lead', roles: 'security_lead', sees: ['城管', '公安'], clear: [] },
  { name: 'm-cg-analyst', roles: 'analyst', department: '城管', sees: ['城管'], clear: [] },
  { name: 'm-ga-analyst', roles: 'analyst', department: '公安', sees: ['公安'], clear: [] },
  { name: 'm-cg-owner', roles: 'department_admin', department: '城管', sees: ['城管'], clear: ['城管'] },
  { name: 'm-nodept', roles: 'analyst', sees: null, clear: [] },
];

const EVENTS_Q = '{events(size:1000){total events}}';
const AGGS_Q = `{eventAggregations(aggs:[
  {name:"org",type:terms,field:"organization.name",size:100},
  {name:"phone",type:terms,field:"citysoc.person.phone",size:100},
  {name:"host",type:terms,field:"host.name",size:100},
  {name:"n",type:cardinality,field:"host.name"}]){total aggs{name keys buckets{key count} value}}}`;
const ALERTS_Q = '{alerts(size:1000){total alerts{id department entities{value}}}}';

export function describeAuthorizationMatrix(name: string, overrides: Record<string, unknown>): void {
  describe(`the authorization matrix on ${name}`, () => {
    let r: Running;
    const tokens = new Map<string, string>();
    beforeAll(async () => {
      r = await startTestPlatform(undefined, false, overrides);
      const admin = await adminSession(r);
      await r.platform.ports.events.write(EVENTS.map((e) => r.platform.policy.prepareForIndex(e)) as never);
      await r.platform.ports.events.refresh();
      for (const [id, d] of [
        ['al-cg', '城管'],
        ['al-ga', '公安'],
      ] as const)
        await r.platform.ports.alerts.upsert(alertOf(id, d), 0);
      for (const c of CALLERS) tokens.set(c.name, await signInAs(r, admin, c.name, c.roles, c.department));
    }, 240_000);
    afterAll(async () => r.stop());

    for (const c of CALLERS) {
      it(`${c.name} (${c.roles}${c.department ? ` of ${c.department}` : ''}) sees ${c.sees ? c.sees.join(' and ') : 'nothing'}, and no personal value it may not see in clear`, async () => {
        const t = tokens.get(c.name)!;
        const answers: unknown[] = [];
        const ask = async <T>(q: string) => {
          const res = await r.gql<T>(q, {}, t);
          answers.push(res);
          return res;
        };
        const events = await ask<{ events: { total: number; events: { event: { id: string } }[] } }>(EVENTS_Q);
        const aggs = await ask<{
          eventAggregations: { total: number; aggs: { name: string; keys: string | null; buckets: { key: string }[] | null; value: number | null }[] };
        }>(AGGS_Q);
        const alerts = await ask<{ alerts: { total: number; alerts: { id: string; department: string }[] } }>(ALERTS_Q);
        if (c.sees === null) {
          for (const a of [events, aggs, alerts]) expect(a.errors?.[0]?.extensions?.code).toBe('FORBIDDEN');
        } else {
          const mine = (id: string) => c.sees!.includes(id.startsWith('cg') || id === 'al-cg' ? '城管' : '公安');
          expect(events.data!.events.events.map((e) => e.event.id).sort()).toEqual(
            EVENTS.map((e) => e.event.id)
              .filter(mine)
              .sort(),
          );
          expect(aggs.data!.eventAggregations.total).toBe(3 * c.sees.length);
          const org = aggs.data!.eventAggregations.aggs.find((a) => a.name === 'org')!;
          expect(org.buckets!.map((b) => b.key).sort()).toEqual([...c.sees].sort());
          expect(alerts.data!.alerts.alerts.map((a) => a.id).sort()).toEqual(['al-cg', 'al-ga'].filter(mine).sort());
          const phone = aggs.data!.eventAggregations.aggs.find((a) => a.name === 'phone')!;
          expect(phone.keys).toBe(c.clear.length ? 'clear' : 'mask');
        }
        // one event and one alert of each department: visible ones answer, the others are NOT_FOUND like absent ones
        // (even for a caller who sees nothing: a single read never tells a hidden record from a missing one)
        for (const e of EVENTS) {
          const one = await ask<{ event: { event: { id: string } } }>(`{event(id:"${e.event.id}")}`);
          const visible = c.sees?.includes(e.organization.name as Dept) ?? false;
          if (visible) expect(one.data!.event.event.id).toBe(e.event.id);
          else expect([one.data?.event ?? null, one.errors![0]!.extensions!.code]).toEqual([null, 'NOT_FOUND']);
        }
        for (const [id, d] of [
          ['al-cg', '城管'],
          ['al-ga', '公安'],
        ] as const) {
          const one = await ask<{ alert: { id: string } }>(`{alert(id:"${id}"){id department entities{value}}}`);
          if (c.sees?.includes(d)) expect(one.data!.alert.id).toBe(id);
          else expect([one.data?.alert ?? null, one.errors![0]!.extensions!.code]).toEqual([null, 'NOT_FOUND']);
        }
        // the audit trail, for those who may read it
        await ask('{auditRecords(size:1000){actor resource details}}');
        // No clear personal value outside the departments the caller may see in clear, on any path.
        const text = JSON.stringify(answers);
        for (const d of DEPTS) {
          for (const [field, v] of Object.entries(PEOPLE[d])) {
            const allowed = c.clear.includes(d) && c.sees?.includes(d);
            if (!allowed) expect({ field, department: d, leaked: text.includes(v) }).toEqual({ field, department: d, leaked: false });
            // the control: where the caller may see a value in clear, the answers do carry it (the check above reads real answers)
            else if (field !== 'id_number') expect({ field, department: d, present: text.includes(v) }).toEqual({ field, department: d, present: true });
          }
        }
      });
    }
  });
}
