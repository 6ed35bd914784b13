/**
 * The cases module: its configuration section (`cases`), its services (bound door actions, for
 * GraphQL, playbooks and other modules) and its GraphQL contribution, and the offline
 * verification of case evidence as a command-line verb. What it needs it takes from the profile's ports (the case store, the audit trail) and the kernel (the
 * identity store), so nothing here chooses an engine; CasesWiring replaces any of them.
 */
import { readFileSync } from 'node:fs';
import { trustedFingerprints } from '../core/config';
import { CitySocError } from '../core/errors';
import type { CaseStore } from '../core/ports/case-store';
import { defineModule, type CitySocModule, KERNEL, type ModuleContext } from '../core/module';
import type { IdentityKernel } from '../identity/module';
import { exportTrail } from '../policy/audit/export';
import { parseExport } from '../policy/audit/verify-export';
import { auditSigningKey } from '../policy/audit/signing-key';
import { trustFrom, type TrustAnchor } from '../policy/audit/trust';
import { type CasesConfig, CasesConfigSchema } from './config';
import { type CaseChanges, watchCaseStore } from './case-changes';
import { type CaseEvidence, verifyCaseEvidence } from './evidence';
import { casesGraphQL } from './graphql';
import type { AuditTrailSource, RuleExceptionRepository, UserDirectory, UserLookup } from './ports';
import { type CasesServices, createCasesServices } from './service';
import { exportRecordsWithProofs } from './trail-records';

/** What the module takes from elsewhere when the defaults (the profile's ports, the kernel) do not fit. */
export interface CasesWiring {
  /** A CaseStore of its own, closed when the module stops; default: the profile's (ports.cases, closed by the platform). */
  caseStore?(ctx: ModuleContext<CasesConfig>): CaseStore;
  /** Default: the identity store's enabled users. */
  users?(ctx: ModuleContext<CasesConfig>): UserLookup;
  /** The accounts the assignee picker lists; default: the identity store's enabled users. */
  directory?(ctx: ModuleContext<CasesConfig>): UserDirectory;
  /** The rule repository's filter writer; default: the analytics module's (analyticsRules). */
  rules?(ctx: ModuleContext<CasesConfig>): RuleExceptionRepository;
  /** Default: the profile's audit trail, exported with the key its checkpoints are signed with. */
  trail?(ctx: ModuleContext<CasesConfig>): AuditTrailSource;
}

function identityUsers(ctx: ModuleContext<CasesConfig>): UserLookup {
  const identity = ctx.services.get<IdentityKernel>(KERNEL.identity);
  return (username) => {
    const u = identity.store.user(username);
    return u && !u.disabled ? { roles: u.roles, department: u.department } : null;
  };
}

function identityDirectory(ctx: ModuleContext<CasesConfig>): UserDirectory {
  const identity = ctx.services.get<IdentityKernel>(KERNEL.identity);
  return () =>
    identity.store
      .listUsers()
      .filter((u) => !u.disabled)
      .map((u) => ({ username: u.username, displayName: u.displayName, roles: u.roles, department: u.department }));
}

/**
 * The analytics module's rule repository, looked up when an exception is made rather than at
 * start: the platform runs cases with or without detection, and without it an exception answers
 * UNAVAILABLE.
 */
export function analyticsRules(ctx: Pick<ModuleContext<unknown>, 'services'>): RuleExceptionRepository {
  return {
    addFilter(filter) {
      if (!ctx.services.has(ANALYTICS))
        throw new CitySocError('UNAVAILABLE', 'rule exceptions need detection (the analytics module), which this platform does not run');
      return ctx.services.get<{ exceptions: RuleExceptionRepository }>(ANALYTICS).exceptions.addFilter(filter);
    },
  };
}

/** The profile's trail as a case export reads it: records with their checkpoints and a manifest signed by the trail's own key. */
export function profileTrail(ctx: Pick<ModuleContext<unknown>, 'platform' | 'ports' | 'clock'>): AuditTrailSource {
  const key = auditSigningKey(ctx.platform);
  const audit = ctx.ports.audit;
  return {
    fingerprint: key.fingerprint,
    export: (range) => exportTrail(audit, { ...range, signer: key, signHead: false, clock: ctx.clock }),
    exportRecords: (records) => exportRecordsWithProofs(audit, records, { signer: key, clock: ctx.clock }),
    async checkpointAtOrAfter(seq) {
      const found = (await audit.checkpoints({ fromSeq: seq }))[0];
      if (found) return found.seq;
      return (await audit.checkpoint('manual'))?.seq ?? null;
    },
  };
}

/** What the module hands to others: the bound actions, and every case change as it is stored (the live feed follows it). */
export type CasesModuleServices = CasesServices & { readonly changes: CaseChanges };

/** The module that keeps the rule repository (analytics/module.ts). */
const ANALYTICS = 'analytics';

const collect = (v: string, acc: string[] = []) => [...acc, v];

export function casesModule(w: CasesWiring = {}, dependsOn: readonly string[] = [KERNEL.identity, KERNEL.policy]): CitySocModule<CasesConfig> {
  return defineModule<CasesConfig>({
    name: 'cases',
    dependsOn,
    config: { key: 'cases', schema: CasesConfigSchema },
    cli(program, env) {
      program
        .command('cases')
        .description('cases: offline checks of case evidence')
        .command('verify-export <file>')
        .description(
          'checks a case export (JSON or CSV) offline: the audit chain and signatures, every hash, and the case against the records that vouch for it',
        )
        .option('--trusted-key <fingerprint|pem-file>', 'the trusted signing key (repeatable; default audit.trustedKeyFingerprint)', collect)
        .action((file: string, o: { trustedKey?: string[] }) => {
          let e: CaseEvidence;
          try {
            e = parseExport(readFileSync(file, 'utf8')) as CaseEvidence;
          } catch (err) {
            env.err(`cases verify-export: cannot read ${file}: ${(err as Error).message}\n`);
            process.exitCode = 2;
            return;
          }
          let trust: TrustAnchor;
          try {
            const given = trustFrom(o.trustedKey ?? [], (f) => readFileSync(f, 'utf8'));
            trust = given.fingerprints.length || given.keys.length ? given : { fingerprints: trustedFingerprints(env.loadConfig()), keys: [] };
          } catch (err) {
            env.err(`cases verify-export: ${(err as Error).message}\n`);
            process.exitCode = 2;
            return;
          }
          if (trust.fingerprints.length === 0 && trust.keys.length === 0) {
            env.err('cases verify-export needs the trusted key: --trusted-key <sha256:…|sm3:…|public-key.pem> (or audit.trustedKeyFingerprint)\n');
            process.exitCode = 2;
            return;
          }
          const v = verifyCaseEvidence(e, trust);
          env.out(
            JSON.stringify({
              ok: v.ok,
              problems: v.problems,
              auditRecords: v.audit.checked,
              checkpoints: v.audit.checkpointsVerified,
              caseVouchedBy: v.caseVouchedBy,
            }) + '\n',
          );
          process.exitCode = v.ok ? 0 : 1;
        });
    },
    async start(ctx) {
      const own = w.caseStore?.(ctx);
      const { store: cases, changes } = watchCaseStore(own ?? ctx.ports.cases, (err) => ctx.log.error({ err }, 'a listener of case changes failed'));
      const rules = w.rules ? w.rules(ctx) : analyticsRules(ctx);
      const trail = w.trail ? w.trail(ctx) : profileTrail(ctx);
      const services = createCasesServices({
        door: ctx.door,
        alerts: ctx.ports.alerts,
        cases,
        events: ctx.ports.events,
        state: ctx.ports.state,
        audit: ctx.ports.audit,
        users: w.users ? w.users(ctx) : identityUsers(ctx),
        directory: w.directory ? w.directory(ctx) : identityDirectory(ctx),
        ...(rules ? { rules } : {}),
        ...(trail ? { trail } : {}),
        config: ctx.config,
      });
      return {
        services: { ...services, changes } satisfies CasesModuleServices,
        graphql: casesGraphQL(services),
        ...(own ? { stop: () => own.close() } : {}),
      };
    },
  });
}

/** The cases module as the platform runs it: the profile's case store and trail, the identity store's users. */
export const CASES_MODULE = casesModule();
