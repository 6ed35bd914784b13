/**
 * The action nodes: each turns its settings into an ActionSpec — what the step does as the
 * playbook actor (through the PlaybookHost or a door action) and what a dry run records instead.
 * Settings are checked when the node starts; a bad one fails every message with the reason.
 */
import { ALERT_STATUSES, type AlertEntity, type AlertStatus, SEVERITIES, type Severity } from '../../core/alert';
import type { Door } from '../../core/door';
import { CitySocError } from '../../core/errors';
import { canonicalIp, cidrContains, parseCidr } from '../../core/query/ip';
import type { Contact, Enrichment, PlaybookHost } from '../host';
import type { ActionSpec } from '../runs/engine';
import { type Message, type RunEnvelope, stepKey } from '../runs/envelope';
import type { Mailer } from './mail';
import { alertOf, pick, render, valueAt } from './message';
import type { OutboundPolicy } from './outbound';
import { firewallBlock, httpCall, notifyMail, notifyWebhook } from './outbound-actions';

export type Settings = Record<string, unknown>;

export interface ActionDeps {
  readonly host: PlaybookHost;
  readonly door: Door;
  readonly clock: () => Date;
  readonly outbound: OutboundPolicy;
  readonly mailer: Mailer | null;
  readonly firewall: { readonly url: string; readonly token?: string } | null;
  /** Address blocks a playbook may never block (the platform's own networks). */
  readonly protectedSources: readonly string[];
}

export interface ActionNode {
  readonly id: string;
  readonly credentials?: Record<string, string | undefined>;
}

const str = (s: Settings, k: string, dflt = ''): string => (typeof s[k] === 'string' ? (s[k] as string).trim() : dflt);

function num(s: Settings, k: string, dflt: number, min: number, max: number, what: string): number {
  const raw = s[k];
  const v = raw === undefined || raw === '' ? dflt : Number(raw);
  if (!Number.isFinite(v) || v < min || v > max)
    throw new CitySocError('INPUT_INVALID', `${what} must be a number from ${min} to ${max}, not '${String(raw)}'`);
  return v;
}

const env = (msg: Message): RunEnvelope => msg.citysoc as RunEnvelope;
/** The run and step (item included): what a receiver or a service dedupes a repeated call by. */
const stepId = (msg: Message, node: ActionNode) => `${env(msg).runId}:${stepKey(node.id, msg)}`;

function need<T>(v: T | undefined, what: string): T {
  if (v === undefined || v === '') throw new CitySocError('INPUT_INVALID', what);
  return v;
}

function hoursFromNow(clock: () => Date, hours: number): string | undefined {
  return hours > 0 ? new Date(clock().getTime() + hours * 3_600_000).toISOString() : undefined;
}

const DEFAULT_REASON = 'playbook {{citysoc.playbookName}}: {{alert.rule.name}}';

function isolate(s: Settings, d: ActionDeps): ActionSpec {
  const hours = num(s, 'hours', 24, 0, 24 * 365, 'the isolation period in hours (0: until released)');
  const reason = str(s, 'reason') || DEFAULT_REASON;
  const user = (msg: Message) => need(pick(str(s, 'user'), msg, 'user'), 'no account to isolate: the alert has no user entity and the node names none');
  return {
    outputPath: 'isolation',
    simulate: (msg) => ({ dryRun: true, user: user(msg), until: hoursFromNow(d.clock, hours) ?? null }),
    act: async (actor, msg) => {
      const u = user(msg);
      const until = hoursFromNow(d.clock, hours);
      const r = await d.host.isolateAccount(actor, { user: u, reason: render(reason, msg), ...(until ? { until } : {}) });
      return { user: u, ...r };
    },
  };
}

function release(s: Settings, d: ActionDeps): ActionSpec {
  const reason = str(s, 'reason') || DEFAULT_REASON;
  const user = (msg: Message) => need(pick(str(s, 'user'), msg, 'user'), 'no account to release: the alert has no user entity and the node names none');
  return {
    outputPath: 'release',
    simulate: (msg) => ({ dryRun: true, user: user(msg) }),
    act: async (actor, msg) => ({ user: user(msg), ...(await d.host.releaseAccount(actor, { user: user(msg), reason: render(reason, msg) })) }),
  };
}

/** An address or block as a CIDR, refused when wider than /16 (IPv4) or /48 (IPv6) or inside a protected block. */
export function sourceBlock(raw: string, protectedSources: readonly string[]): string {
  const ip = canonicalIp(raw);
  const cidr = ip ? `${ip}/${ip.includes(':') ? 128 : 32}` : raw;
  const c = parseCidr(cidr);
  if (!c) throw new CitySocError('INPUT_INVALID', `'${raw.slice(0, 100)}' is neither an IP address nor a CIDR block`);
  if (c.prefix < (c.bits === 32 ? 16 : 48)) throw new CitySocError('INPUT_INVALID', `${cidr} is wider than a playbook may block (/16 for IPv4, /48 for IPv6)`);
  const first = cidr.split('/')[0]!;
  for (const p of protectedSources)
    if (cidrContains(p, first) || (parseCidr(p) && cidrContains(cidr, p.split('/')[0]!)))
      throw new CitySocError('INPUT_INVALID', `${cidr} overlaps the protected block ${p}; playbooks never block it`);
  return cidr;
}

function blockSource(s: Settings, d: ActionDeps): ActionSpec {
  const hours = num(s, 'hours', 24, 0.1, 24 * 365, 'the block period in hours');
  const reason = str(s, 'reason') || DEFAULT_REASON;
  const cidr = (msg: Message) =>
    sourceBlock(need(pick(str(s, 'source'), msg, 'ip'), 'no source to block: the alert has no ip entity and the node names none'), d.protectedSources);
  return {
    outputPath: 'block',
    simulate: (msg) => ({ dryRun: true, cidr: cidr(msg), until: hoursFromNow(d.clock, hours), firewall: d.firewall !== null }),
    act: async (actor, msg) => {
      const c = cidr(msg);
      const until = hoursFromNow(d.clock, hours)!;
      const why = render(reason, msg);
      const r = await d.host.blockSource(actor, { cidr: c, reason: why, until });
      if (!d.firewall) return { cidr: c, ...r };
      const fw = await d.door.perform(actor, firewallBlock, {
        policy: d.outbound,
        cidr: c,
        idempotencyKey: stepId(msg, { id: actor.run?.step ?? '' }),
        request: {
          method: 'POST',
          url: d.firewall.url,
          headers: { 'content-type': 'application/json', ...(d.firewall.token ? { authorization: `Bearer ${d.firewall.token}` } : {}) },
          body: JSON.stringify({ action: 'block', cidr: c, until, reason: why, runId: env(msg).runId }),
        },
      });
      return { cidr: c, ...r, firewall: fw };
    },
  };
}

/** The enrichment plus what playbooks branch on: privileged accounts, 涉密 data, whom to tell. */
export function summarizeEnrichment(e: Enrichment): Record<string, unknown> {
  const classifications = [...new Set(e.datasets.map((x) => x.classification).filter((c): c is NonNullable<typeof c> => c !== undefined))];
  const contacts = (xs: (Contact | undefined)[]) => xs.filter((c): c is Contact => c !== undefined);
  return {
    privileged: e.users.some((u) => u.privileged),
    secret: classifications.includes('涉密'),
    classifications,
    securityContacts: contacts(e.users.map((u) => u.securityContact)),
    dataOwners: contacts(e.datasets.map((x) => x.owner)),
    maxRisk: e.risk.reduce((m, r) => Math.max(m, r.score), 0),
  };
}

function enrich(_s: Settings, d: ActionDeps): ActionSpec {
  return {
    outputPath: 'enrichment',
    simulate: (msg) => ({ dryRun: true, entities: alertOf(msg).entities }),
    act: async (actor, msg) => {
      const e = await d.host.enrich(actor, { entities: alertOf(msg).entities });
      return { ...e, summary: summarizeEnrichment(e) };
    },
  };
}

function searchEvents(s: Settings, d: ActionDeps): ActionSpec {
  const query = need(str(s, 'query'), 'give the search a query');
  const from = str(s, 'from') || 'now-24h';
  const size = num(s, 'size', 20, 1, 100, 'the number of events');
  return {
    outputPath: 'events',
    simulate: (msg) => ({ dryRun: true, query: render(query, msg), from, size }),
    act: (actor, msg) => d.host.searchEvents(actor, { query: render(query, msg), from, size }),
  };
}

function updateAlert(s: Settings, d: ActionDeps): ActionSpec {
  const status = str(s, 'status');
  if (status !== '' && !(ALERT_STATUSES as readonly string[]).includes(status))
    throw new CitySocError('INPUT_INVALID', `alert status '${status}' is not one of ${ALERT_STATUSES.join(', ')}`);
  const assignee = str(s, 'assignee');
  const comment = str(s, 'comment');
  if (status === '' && assignee === '' && comment === '') throw new CitySocError('INPUT_INVALID', 'give a status, an assignee or a comment');
  const input = (msg: Message) => ({
    alertId: need(alertOf(msg).id, 'the message carries no alert to update (msg.alert.id)'),
    ...(status ? { status: status as AlertStatus } : {}),
    ...(assignee ? { assignee: render(assignee, msg) } : {}),
    ...(comment ? { comment: render(comment, msg) } : {}),
  });
  return {
    outputPath: 'alertUpdate',
    simulate: (msg) => ({ dryRun: true, ...input(msg) }),
    act: (actor, msg) => d.host.updateAlert(actor, input(msg)),
  };
}

function openCase(s: Settings, d: ActionDeps, node: ActionNode): ActionSpec {
  const title = str(s, 'title') || '{{alert.rule.name}}';
  const description = str(s, 'description') || 'Opened by playbook {{citysoc.playbookName}} (run {{citysoc.runId}}).';
  const severity = str(s, 'severity');
  if (severity !== '' && !(SEVERITIES as readonly string[]).includes(severity))
    throw new CitySocError('INPUT_INVALID', `severity '${severity}' is not one of ${SEVERITIES.join(', ')}`);
  const input = (msg: Message) => {
    const a = alertOf(msg);
    const sev = (severity || valueAt(msg, 'alert.rule.severity') || 'medium') as Severity;
    const department = typeof a.department === 'string' ? a.department : undefined;
    return {
      title: render(title, msg).slice(0, 300),
      description: render(description, msg),
      severity: (SEVERITIES as readonly string[]).includes(sev) ? sev : 'medium',
      ...(department ? { department } : {}),
      alertIds: a.id ? [a.id] : [],
      observables: a.entities as readonly AlertEntity[],
      idempotencyKey: stepId(msg, node),
    };
  };
  return {
    outputPath: 'case',
    simulate: (msg) => ({ dryRun: true, ...input(msg) }),
    act: (actor, msg) => d.host.openCase(actor, input(msg)),
  };
}

function addToCase(s: Settings, d: ActionDeps): ActionSpec {
  const caseRef = str(s, 'caseId') || 'msg.case.caseId';
  const comment = str(s, 'comment');
  const input = (msg: Message) => {
    const a = alertOf(msg);
    return {
      caseId: need(pick(caseRef, msg), `no case to add to: ${caseRef} is empty`),
      ...(a.id ? { alertIds: [a.id] } : {}),
      ...(comment ? { comment: render(comment, msg) } : {}),
      observables: a.entities as readonly AlertEntity[],
    };
  };
  return {
    outputPath: 'caseUpdate',
    simulate: (msg) => ({ dryRun: true, ...input(msg) }),
    act: (actor, msg) => d.host.addToCase(actor, input(msg)),
  };
}

/**
 * Contacts a setting names: comma-separated URLs or addresses and `msg.<path>` entries holding
 * contacts, addresses or URLs (e.g. the data owners and the security contacts); each recipient once.
 */
function recipients(setting: string, msg: Message, channel: 'webhook' | 'mail'): string[] {
  const items = setting
    .split(',')
    .map((x) => x.trim())
    .flatMap((entry): unknown[] => {
      if (!entry.startsWith('msg.')) return [entry];
      const v = valueAt(msg, entry.slice(4));
      return Array.isArray(v) ? v : v === undefined ? [] : [v];
    });
  const out = items.flatMap((x): string[] => {
    if (typeof x === 'string') return [x.trim()];
    if (x && typeof x === 'object') {
      const c = x as Contact;
      const v = channel === 'mail' ? c.email : c.webhook;
      return typeof v === 'string' ? [v.trim()] : [];
    }
    return [];
  });
  return [...new Set(out.filter((x) => x !== ''))].slice(0, 20);
}

function notify(s: Settings, d: ActionDeps, node: ActionNode): ActionSpec {
  const channel = str(s, 'channel') || 'webhook';
  if (channel !== 'webhook' && channel !== 'mail') throw new CitySocError('INPUT_INVALID', `channel '${channel}' is neither webhook nor mail`);
  const to = need(str(s, 'to'), 'say whom to notify: addresses or URLs, or msg.<path> (e.g. msg.enrichment.summary.securityContacts)');
  const subject = str(s, 'subject') || '[CitySOC] {{alert.rule.name}}';
  const text = str(s, 'text') || 'Playbook {{citysoc.playbookName}} acted on alert {{alert.id}} ({{alert.rule.name}}).';
  const targets = (msg: Message) => {
    const t = recipients(to, msg, channel);
    if (t.length === 0) throw new CitySocError('INPUT_INVALID', `nobody to notify: ${to} names no ${channel === 'mail' ? 'e-mail address' : 'webhook'}`);
    return t;
  };
  return {
    outputPath: 'notification',
    simulate: (msg) => ({ dryRun: true, channel, to: targets(msg), subject: render(subject, msg) }),
    act: async (actor, msg) => {
      const key = stepId(msg, node);
      const sub = render(subject, msg);
      const body = render(text, msg);
      if (channel === 'mail') {
        if (!d.mailer) throw new CitySocError('INPUT_INVALID', 'mail is not configured: set playbooks.mail (host, port, from)');
        const messageId = `<${key.replace(/[^A-Za-z0-9.-]/g, '.')}@citysoc>`;
        return {
          channel,
          ...(await d.door.perform(actor, notifyMail, { mailer: d.mailer, message: { to: targets(msg), subject: sub, text: body, messageId } })),
        };
      }
      const a = alertOf(msg);
      const payload = JSON.stringify({
        subject: sub,
        text: body,
        playbook: env(msg).playbookName,
        runId: env(msg).runId,
        alert: a.id ? { id: a.id, rule: valueAt(msg, 'alert.rule.name'), severity: valueAt(msg, 'alert.rule.severity'), department: a.department } : null,
      });
      const delivered: { url: string; status: number }[] = [];
      for (const url of targets(msg)) {
        const r = await d.door.perform(actor, notifyWebhook, {
          policy: d.outbound,
          idempotencyKey: key,
          request: { method: 'POST', url, headers: { 'content-type': 'application/json' }, body: payload },
        });
        delivered.push({ url, status: r.status });
      }
      return { channel, delivered };
    },
  };
}

const METHODS = ['GET', 'POST', 'PUT', 'PATCH', 'DELETE'];

function httpRequest(s: Settings, d: ActionDeps, node: ActionNode): ActionSpec {
  const method = (str(s, 'method') || 'POST').toUpperCase();
  if (!METHODS.includes(method)) throw new CitySocError('INPUT_INVALID', `method '${method}' is not one of ${METHODS.join(', ')}`);
  const url = need(str(s, 'url'), 'give the URL to request');
  const auth = str(s, 'auth') || 'none';
  if (!['none', 'bearer', 'basic'].includes(auth)) throw new CitySocError('INPUT_INVALID', `authentication '${auth}' is not none, bearer or basic`);
  const sendBody = method !== 'GET' && method !== 'DELETE';
  const headers = (): Record<string, string> => {
    const c = node.credentials ?? {};
    if (auth === 'bearer') return { authorization: `Bearer ${need(c.token, 'the bearer token is missing from the node credentials')}` };
    if (auth === 'basic')
      return {
        authorization: `Basic ${Buffer.from(`${need(c.user, 'the user is missing from the node credentials')}:${c.password ?? ''}`).toString('base64')}`,
      };
    return {};
  };
  return {
    outputPath: 'response',
    simulate: (msg) => ({ dryRun: true, method, url: render(url, msg) }),
    act: (actor, msg) =>
      d.door.perform(actor, httpCall, {
        policy: d.outbound,
        idempotencyKey: stepId(msg, node),
        request: {
          method,
          url: render(url, msg),
          headers: { ...headers(), ...(sendBody ? { 'content-type': 'application/json' } : {}) },
          ...(sendBody ? { body: JSON.stringify(msg.payload ?? null) } : {}),
        },
      }),
  };
}

export const ACTION_TYPES = {
  'citysoc-isolate-account': isolate,
  'citysoc-release-account': release,
  'citysoc-block-source': blockSource,
  'citysoc-enrich': enrich,
  'citysoc-search-events': searchEvents,
  'citysoc-update-alert': updateAlert,
  'citysoc-open-case': openCase,
  'citysoc-add-to-case': addToCase,
  'citysoc-notify': notify,
  'citysoc-http-request': httpRequest,
} as const satisfies Record<string, (s: Settings, d: ActionDeps, node: ActionNode) => ActionSpec>;

export type ActionType = keyof typeof ACTION_TYPES;

export function isActionType(t: string): t is ActionType {
  return Object.prototype.hasOwnProperty.call(ACTION_TYPES, t);
}
