/**
 * What the CitySOC palette asks of the platform: exactly the calls its nodes make, each taken as
 * an Actor (a playbook run: kind `playbook`, `run: {playbookId, runId, step}`, `person` the one
 * accountable). The platform implements every call over its application services, so the PDP
 * and the audit trail see a playbook's action exactly as a person's: the door authorizes and
 * audits it once. Nothing here bypasses a service.
 */
import type { Actor } from '../core/actor';
import type { Alert, AlertEntity, AlertStatus, Severity } from '../core/alert';
import type { Classification } from '../core/event';

export interface Contact {
  readonly name?: string;
  readonly email?: string;
  /** A webhook that reaches the contact (an IM bot, a ticketing system). */
  readonly webhook?: string;
}

export interface UserProfile {
  readonly name: string;
  readonly department?: string;
  /** Holds administrative or privileged roles on some system (DBA, HDFS superuser, platform admin). */
  readonly privileged: boolean;
  /** The department's security contact (安全联系人). */
  readonly securityContact?: Contact;
}

export interface AssetProfile {
  readonly name: string;
  readonly ip?: string;
  readonly department?: string;
  readonly owner?: Contact;
}

export interface DatasetProfile {
  readonly id: string;
  readonly classification?: Classification;
  readonly ownerDepartment?: string;
  /** The data owner (数据所有者). */
  readonly owner?: Contact;
}

export interface Enrichment {
  readonly users: readonly UserProfile[];
  readonly hosts: readonly AssetProfile[];
  readonly datasets: readonly DatasetProfile[];
  readonly recentAlerts: readonly { readonly id: string; readonly ruleName: string; readonly severity: Severity; readonly lastSeen: string }[];
  readonly risk: readonly { readonly entity: string; readonly score: number }[];
}

export interface RiskChange {
  readonly entity: AlertEntity;
  readonly from: number;
  readonly to: number;
  readonly at: string;
  readonly department?: string;
}

export interface PlaybookHost {
  /** One alert as the actor may see it (manual runs on an alert); null when absent or not visible. */
  getAlert(actor: Actor, alertId: string): Promise<Alert | null>;
  /** Isolates the account: every action of it is refused (PDP) until `until` or a release. */
  isolateAccount(actor: Actor, input: { user: string; reason: string; until?: string }): Promise<{ isolationId: string; until?: string }>;
  releaseAccount(actor: Actor, input: { user: string; reason: string }): Promise<{ released: boolean }>;
  /** A deny in the PDP for every request from the address block until `until`. */
  blockSource(actor: Actor, input: { cidr: string; reason: string; until: string }): Promise<{ blockId: string; until: string }>;
  /** Asset, identity, data catalogue, recent alerts and risk of the entities. */
  enrich(actor: Actor, input: { entities: readonly AlertEntity[] }): Promise<Enrichment>;
  searchEvents(actor: Actor, input: { query: string; from?: string; to?: string; size: number }): Promise<{ total: number; events: Record<string, unknown>[] }>;
  updateAlert(
    actor: Actor,
    input: { alertId: string; status?: AlertStatus; assignee?: string; comment?: string },
  ): Promise<{ alertId: string; status: AlertStatus }>;
  /** Opens a case; the same idempotency key always answers the same case. */
  openCase(
    actor: Actor,
    input: {
      title: string;
      description: string;
      severity: Severity;
      department?: string;
      alertIds: readonly string[];
      observables: readonly AlertEntity[];
      idempotencyKey: string;
    },
  ): Promise<{ caseId: string }>;
  addToCase(
    actor: Actor,
    input: { caseId: string; alertIds?: readonly string[]; comment?: string; observables?: readonly AlertEntity[] },
  ): Promise<{ caseId: string }>;
  /** Entities' risk crossing levels, for the `risk level` trigger; returns the unsubscribe. Optional: without it the trigger reports it has no source. */
  watchRisk?(listener: (change: RiskChange) => void): () => void;
}
