/**
 * The palette's own actions that reach outside CitySOC (webhook and mail notifications, HTTP
 * requests, the firewall webhook), as door actions: each is authorized and audited exactly once,
 * like the platform's services the other nodes call. Only playbook runs perform them; the audit
 * record names where the request went, never what credentials it carried.
 */
import type { ActionContext } from '../../core/door';
import { defineAction, Refusal } from '../../core/door';
import type { Mailer, MailMessage } from './mail';
import { checkedUrl, type OutboundPolicy, type OutboundRequest, type OutboundResponse, request } from './outbound';

function onlyRuns(ctx: ActionContext, what: string): void {
  if (ctx.actor.kind !== 'playbook' || !ctx.actor.run)
    throw new Refusal('FORBIDDEN', `${what} is performed only by playbook runs`, `actor kind ${ctx.actor.kind} is not a playbook run`);
}

function where(policy: OutboundPolicy, url: string): string {
  try {
    const u = checkedUrl(policy, url);
    return `${u.origin}${u.pathname}`;
  } catch {
    return url.slice(0, 200).replace(/[?#].*$/, '');
  }
}

export interface OutboundInput {
  readonly policy: OutboundPolicy;
  readonly request: OutboundRequest;
  /** Sent as Idempotency-Key: the run and step, so a receiver can drop a repeated delivery. */
  readonly idempotencyKey: string;
}

function withKey(i: OutboundInput): OutboundRequest {
  return { ...i.request, headers: { ...(i.request.headers ?? {}), 'idempotency-key': i.idempotencyKey } };
}

export const notifyWebhook = defineAction({
  name: 'playbooks.notify',
  permission: null,
  resource: (i: OutboundInput) => `webhook:${where(i.policy, i.request.url)}`,
  details: (i: OutboundInput) => ({ channel: 'webhook', idempotencyKey: i.idempotencyKey }),
  run: async (ctx, i: OutboundInput): Promise<{ status: number }> => {
    onlyRuns(ctx, 'a notification');
    const res = await request(i.policy, withKey(i));
    ctx.note({ status: res.status });
    return { status: res.status };
  },
});

export interface MailInput {
  readonly mailer: Mailer;
  readonly message: MailMessage;
}

export const notifyMail = defineAction({
  name: 'playbooks.notify',
  permission: null,
  resource: (i: MailInput) => `mail:${i.message.to.join(',').slice(0, 300)}`,
  details: (i: MailInput) => ({ channel: 'mail', messageId: i.message.messageId }),
  run: async (ctx, i: MailInput) => {
    onlyRuns(ctx, 'a notification');
    const r = await i.mailer.send(i.message);
    ctx.note({ accepted: r.accepted.length });
    return r;
  },
});

export const httpCall = defineAction({
  name: 'playbooks.http_request',
  permission: null,
  resource: (i: OutboundInput) => `http:${i.request.method} ${where(i.policy, i.request.url)}`,
  details: (i: OutboundInput) => ({ idempotencyKey: i.idempotencyKey }),
  run: async (ctx, i: OutboundInput): Promise<OutboundResponse> => {
    onlyRuns(ctx, 'an HTTP request');
    const res = await request(i.policy, withKey(i));
    ctx.note({ status: res.status });
    return res;
  },
});

export const firewallBlock = defineAction({
  name: 'playbooks.firewall_block',
  permission: 'sources:block',
  resource: (i: OutboundInput & { cidr: string }) => `source:${i.cidr}`,
  details: (i: OutboundInput & { cidr: string }) => ({ firewall: where(i.policy, i.request.url), idempotencyKey: i.idempotencyKey }),
  run: async (ctx, i: OutboundInput & { cidr: string }): Promise<{ status: number }> => {
    onlyRuns(ctx, 'a firewall block');
    const res = await request(i.policy, withKey(i));
    ctx.note({ status: res.status });
    return { status: res.status };
  },
});
