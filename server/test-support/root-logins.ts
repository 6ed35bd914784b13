/**
 * Root logins over SSH as a rule-exception scenario needs them: sshd lines the shipped rule
 * ssh_root_login_success fires on, ingested through the gateway for a department, and the alerts
 * they raise counted per department (the same in every profile).
 */
import { indexerDrained } from '../../events/indexer';
import type { Running } from './harness';

export const ROOT_LOGIN_RULE = 'SSH Root Login Accepted';
export const ADD_EXCEPTION = `mutation($a:ID!,$f:[RuleExceptionField!]!,$r:String!){addRuleException(alertId:$a,fields:$f,reason:$r){id file ruleId yaml}}`;

export interface RootAlert {
  id: string;
  count: number;
  department: string | null;
  rule: { id: string; name: string };
}

let pid = 24_200;
/** One sshd line: root accepted from ip on host (alerts fold by rule, host and user). */
export const rootLogin = (ip: string, host = 'bastion-01') =>
  `Dec 10 07:0${pid % 10}:01 ${host} sshd[${pid++}]: Accepted password for root from ${ip} port 52683 ssh2`;

async function settled(r: Running): Promise<void> {
  if (!(await indexerDrained(r.platform.ports.bus, 60_000))) throw new Error('the indexer did not catch up');
  if (!(await r.platform.analytics.idle(60_000))) throw new Error('analytics did not catch up');
}

export async function ingest(r: Running, lines: string[], department: string): Promise<void> {
  const p = r.platform;
  const token = (await p.identity.issueApiToken(`fluent-bit-${pid++}`, ['collector'], 'test')).token;
  const body = lines.map((log, i) => JSON.stringify({ date: 1_700_000_000 + pid + i, log })).join('\n');
  const res = await fetch(`${p.url}/ingest/v1/fluent-bit/citysoc.openssh._.LabSZ?department=${encodeURIComponent(department)}`, {
    method: 'POST',
    headers: { authorization: `Bearer ${token}`, 'content-type': 'application/x-ndjson' },
    body,
  });
  if (res.status !== 200) throw new Error(`ingest answered ${res.status}: ${await res.text()}`);
  await settled(r);
}

export async function rootAlerts(r: Running, token: string): Promise<RootAlert[]> {
  const q = await r.gql<{ alerts: { alerts: RootAlert[] } }>('{alerts(size:1000){alerts{id count department rule{id name}}}}', {}, token);
  if (!q.data) throw new Error(JSON.stringify(q.errors));
  return q.data.alerts.alerts.filter((a) => a.rule.name === ROOT_LOGIN_RULE);
}

/** Root logins that raised or grew an alert, per department: the sum of the alerts' counts. */
export async function loginsSeen(r: Running, token: string): Promise<Record<string, number>> {
  const out: Record<string, number> = {};
  for (const a of await rootAlerts(r, token)) out[a.department ?? '-'] = (out[a.department ?? '-'] ?? 0) + a.count;
  return out;
}

/**
 * How many more root logins alerted per department after ingesting the lines. Waits (60 s at most)
 * until at least `awaited` more have alerted, then until the consumers are idle again, so a line
 * that should not alert has had every chance to.
 */
export async function alerted(
  r: Running,
  admin: string,
  lines: string[],
  department: string,
  awaited: Readonly<Record<string, number>> = {},
): Promise<Record<string, number>> {
  const before = await loginsSeen(r, admin);
  await ingest(r, lines, department);
  const delta = async () => {
    const after = await loginsSeen(r, admin);
    return Object.fromEntries(Object.entries(after).flatMap(([d, n]) => (n - (before[d] ?? 0) !== 0 ? [[d, n - (before[d] ?? 0)]] : [])));
  };
  const deadline = Date.now() + 60_000;
  while (Date.now() < deadline) {
    const d = await delta();
    if (Object.entries(awaited).every(([k, n]) => (d[k] ?? 0) >= n)) break;
    await new Promise((x) => setTimeout(x, 250));
  }
  await settled(r);
  return delta();
}

export async function exceptionRecords(r: Running, admin: string) {
  const q = await r.gql<{ auditRecords: { seq: number; actor: string; decision: string; resource: string; details: Record<string, unknown> }[] }>(
    '{auditRecords(action:"rules.add_exception",size:1000){seq actor decision resource details}}',
    {},
    admin,
  );
  if (!q.data) throw new Error(JSON.stringify(q.errors));
  return [...q.data.auditRecords].sort((a, b) => a.seq - b.seq);
}
