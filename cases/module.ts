/**
 * The cases module: its configuration section (`cases`), its services (bound door actions, for
 * GraphQL, playbooks and other modules) and its GraphQL contribution, and the offline
 * verification of case evidence as a command-line verb. What it needs from the profile and from
 * other modules (the case store, the user lookup, the rule repository, the audit trail's export)
 * the composition root hands it through CasesWiring, so nothing here chooses an engine.
 */
import { readFileSync } from 'node:fs';
import type { CaseStore } from '../core/ports/case-store';
import { defineModule, type CitySocModule, type ModuleContext } from '../core/module';
import { type CasesConfig, CasesConfigSchema } from './config';
import { type CaseEvidence, verifyCaseEvidence } from './evidence';
import { casesGraphQL } from './graphql';
import type { AuditTrailSource, RuleExceptionRepository, UserLookup } from './ports';
import { createCasesServices } from './service';

export interface CasesWiring {
  /** The profile's CaseStore (SqliteCaseStore embedded, SearchCaseStore in the cluster); closed when the module stops. */
  caseStore(ctx: ModuleContext<CasesConfig>): CaseStore;
  /** The identity store's user lookup. */
  users(ctx: ModuleContext<CasesConfig>): UserLookup;
  /** The rule repository's filter writer; absent: rule exceptions answer UNAVAILABLE. */
  rules?(ctx: ModuleContext<CasesConfig>): RuleExceptionRepository;
  /** The audit trail's export with its proof; absent: case exports answer UNAVAILABLE. */
  trail?(ctx: ModuleContext<CasesConfig>): AuditTrailSource;
}

export function casesModule(w: CasesWiring, dependsOn: readonly string[] = []): CitySocModule<CasesConfig> {
  return defineModule<CasesConfig>({
    name: 'cases',
    dependsOn,
    config: { key: 'cases', schema: CasesConfigSchema },
    cli(program, env) {
      program
        .command('cases')
        .description('cases: offline checks of case evidence')
        .command('verify-export <file>')
        .description('checks a case export offline: the audit chain and signatures, every hash, and the case against the records that vouch for it')
        .action((file: string) => {
          let e: CaseEvidence;
          try {
            e = JSON.parse(readFileSync(file, 'utf8')) as CaseEvidence;
          } catch (err) {
            env.err(`cases verify-export: cannot read ${file}: ${(err as Error).message}\n`);
            process.exitCode = 2;
            return;
          }
          const v = verifyCaseEvidence(e);
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
      const cases = w.caseStore(ctx);
      const rules = w.rules?.(ctx);
      const trail = w.trail?.(ctx);
      const services = createCasesServices({
        door: ctx.door,
        alerts: ctx.ports.alerts,
        cases,
        events: ctx.ports.events,
        state: ctx.ports.state,
        audit: ctx.ports.audit,
        users: w.users(ctx),
        ...(rules ? { rules } : {}),
        ...(trail ? { trail } : {}),
        config: ctx.config,
      });
      return {
        services,
        graphql: casesGraphQL(services),
        stop: () => cases.close(),
      };
    },
  });
}
