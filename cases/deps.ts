/** What every cases action is built over: the stores, the door (for its PDP), and the module's ports. */
import type { Door } from '../core/door';
import type { AlertStore, AuditLog, EventStore, StateStore } from '../core/ports';
import type { CaseStore } from '../core/ports/case-store';
import type { CasesConfig } from './config';
import type { AuditTrailSource, RuleExceptionRepository, UserLookup } from './ports';

export interface CasesDeps {
  readonly door: Door;
  readonly alerts: AlertStore;
  readonly cases: CaseStore;
  readonly events: EventStore;
  /** Shared by every replica: where alert suppressions live. */
  readonly state: StateStore;
  /** The audit trail, read for the records that touch a case. */
  readonly audit: AuditLog;
  readonly users: UserLookup;
  readonly rules?: RuleExceptionRepository;
  readonly trail?: AuditTrailSource;
  readonly config: CasesConfig;
}
