/**
 * The audit trail, newest first, filtered by actor, action, resource, decision and time, and the
 * chain verification. The API pages newest-first results only by size (no offset), so page N is
 * the tail of the first N pages, within the API's limit of 10,000 records.
 */
import type { GetListParams } from 'ra-core';
import { graphql } from './graphql';
import { present, type ResourceAdapter } from './resource';

export const AUDIT_DECISIONS = ['allow', 'deny', 'success', 'failure', 'info'] as const;
const MAX_RECORDS = 10_000;

export interface AuditRecord {
  id: number;
  seq: number;
  at: string;
  actor: string;
  actorType: string;
  action: string;
  resource: string;
  decision: (typeof AUDIT_DECISIONS)[number];
  reason: string;
  sourceIp: string | null;
  details: unknown;
  prevHash: string;
  hash: string;
}

export interface AuditVerification {
  ok: boolean;
  checked: number;
  firstBadSeq: number | null;
  problem: string | null;
}

const LIST = /* GraphQL */ `
  query AuditRecords($actor: String, $action: String, $resource: String, $decision: AuditDecision, $from: String, $to: String, $size: Int) {
    auditRecords(actor: $actor, action: $action, resource: $resource, decision: $decision, from: $from, to: $to, size: $size) {
      seq
      at
      actor
      actorType
      action
      resource
      decision
      reason
      sourceIp
      details
      prevHash
      hash
    }
  }
`;
const VERIFY = /* GraphQL */ `
  query AuditVerify {
    auditVerify {
      ok
      checked
      firstBadSeq
      problem
    }
  }
`;

export async function verifyAuditChain(): Promise<AuditVerification> {
  return (await graphql<{ auditVerify: AuditVerification }>(VERIFY)).auditVerify;
}

export const audit: ResourceAdapter = {
  async getList(params: GetListParams) {
    const f = (params.filter ?? {}) as Record<string, unknown>;
    const page = params.pagination?.page ?? 1;
    const perPage = params.pagination?.perPage ?? 25;
    const vars: Record<string, unknown> = {};
    for (const k of ['actor', 'action', 'resource', 'decision', 'from', 'to'] as const) if (present(f[k])) vars[k] = f[k];
    // One more than the page shows tells whether another page follows.
    const size = Math.min(page * perPage + 1, MAX_RECORDS);
    const rows = (await graphql<{ auditRecords: Omit<AuditRecord, 'id'>[] }>(LIST, { ...vars, size })).auditRecords;
    const start = (page - 1) * perPage;
    return {
      data: rows.slice(start, start + perPage).map((r) => ({ ...r, id: r.seq })),
      pageInfo: { hasPreviousPage: page > 1, hasNextPage: rows.length > start + perPage },
    };
  },
};
