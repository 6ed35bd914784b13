/** Emergency (战时) access: requests, their approvals and expiry. */
import type { CreateParams } from 'ra-core';
import { graphql } from './graphql';
import { present, type ResourceAdapter } from './resource';

export interface EmergencyGrantRecord {
  id: string;
  requester: string;
  reason: string;
  department: string;
  resource: string;
  actions: string;
  durationMinutes: number;
  requestedAt: string;
  approvals: { by: string; at: string }[];
  startsAt?: string;
  expiresAt?: string;
  reported: boolean;
}

const LIST = /* GraphQL */ `
  query EmergencyGrants {
    emergencyGrants
  }
`;
const REQUEST = /* GraphQL */ `
  mutation RequestEmergencyAccess($reason: String!, $department: String!, $resource: String, $actions: String, $durationMinutes: Int!) {
    requestEmergencyAccess(reason: $reason, department: $department, resource: $resource, actions: $actions, durationMinutes: $durationMinutes)
  }
`;
const APPROVE = /* GraphQL */ `
  mutation ApproveEmergencyAccess($id: ID!) {
    approveEmergencyAccess(id: $id)
  }
`;

/** pending until approved, active until it expires. */
export function grantStatus(g: EmergencyGrantRecord, now = Date.now()): 'pending' | 'active' | 'expired' {
  if (!g.startsAt) return 'pending';
  return g.expiresAt && Date.parse(g.expiresAt) <= now ? 'expired' : 'active';
}

export async function approveGrant(id: string): Promise<EmergencyGrantRecord> {
  return (await graphql<{ approveEmergencyAccess: EmergencyGrantRecord }>(APPROVE, { id })).approveEmergencyAccess;
}

export const emergencyGrants: ResourceAdapter = {
  async getList() {
    const rows = (await graphql<{ emergencyGrants: EmergencyGrantRecord[] }>(LIST)).emergencyGrants;
    const data = [...rows].sort((a, b) => b.requestedAt.localeCompare(a.requestedAt));
    return { data, total: data.length };
  },
  async create(params: CreateParams) {
    const d = params.data as { reason: string; department: string; resource?: string; actions?: string; durationMinutes: number | string };
    const r = await graphql<{ requestEmergencyAccess: EmergencyGrantRecord }>(REQUEST, {
      reason: d.reason,
      department: d.department,
      durationMinutes: Number(d.durationMinutes),
      ...(present(d.resource) ? { resource: d.resource } : {}),
      ...(present(d.actions) ? { actions: d.actions } : {}),
    });
    return { data: r.requestEmergencyAccess };
  },
};
