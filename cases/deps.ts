/** What every cases action is built over: the stores, the door (for its PDP), and the module's ports. */
import type { Door } from '../core/door';
import type { AlertStore, AuditLog, EventStore, StateStore } from '../core/ports';
import type { CaseStore } from '../core/ports/case-store';
import type { CasesConfig } from './config';
import type { AuditTrailSource, RuleExceptionRepository, UserDirectory, UserLookup } from './ports';

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
  /** The accounts the assignee picker looks through; without it the picker lists nobody. */
  readonly directory?: UserDirectory;
  readonly rules?: RuleExceptionRepository;
  readonly trail?: AuditTrailSource;
  readonly config: CasesConfig;
}
