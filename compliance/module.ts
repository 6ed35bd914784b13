/**
 * What the server registers of the compliance domain: the `citysoc compliance report` verb and
 * the application-service action the console calls (permission compliance:read, audited by the
 * door like every action). Both take their evidence sources from the composition root, which knows
 * the profile's audit trail.
 */
import { writeFileSync } from 'node:fs';
import type { Command } from 'commander';
import { Option } from 'commander';
import { z } from 'zod';
import { type Config, trustedFingerprints } from '../core/config';
import { bind, defineAction } from '../core/door';
import { describeIssues } from '../core/event';
import { CitySocError } from '../core/errors';
import { type CliEnv, defineModule, viaService } from '../core/module';
import type { AuditLog } from '../core/ports/audit-log';
import type { ComplianceSources } from './evidence';
import { renderHtml } from './html';
import { renderPdf } from './pdf';
import { buildReport, type ComplianceReport } from './report';

export const ReportInput = z.strictObject({
  standard: z.literal('gb22239-2019').default('gb22239-2019'),
  level: z.coerce.number().int().pipe(z.literal(3)).default(3),
  from: z.iso.datetime({ offset: true }).optional(),
  to: z.iso.datetime({ offset: true }).optional(),
  format: z.enum(['html', 'pdf', 'json']).default('html'),
});
export type ReportInput = z.input<typeof ReportInput>;

export interface RenderedReport {
  readonly summary: ComplianceReport['summary'];
  readonly format: 'html' | 'pdf' | 'json';
  /** HTML or JSON text, or the PDF as base64. */
  readonly content: string;
}

function parseInput(input: unknown): z.infer<typeof ReportInput> {
  const p = ReportInput.safeParse(input);
  if (!p.success) throw new CitySocError('INPUT_INVALID', `compliance report: ${describeIssues(p.error)}`);
  return p.data;
}

async function render(sources: ComplianceSources, i: z.infer<typeof ReportInput>, font?: string): Promise<{ report: ComplianceReport; out: RenderedReport }> {
  const report = await buildReport(sources, {
    standard: i.standard,
    level: i.level,
    ...(i.from ? { from: new Date(i.from) } : {}),
    ...(i.to ? { to: new Date(i.to) } : {}),
  });
  const content =
    i.format === 'pdf'
      ? (await renderPdf(report, font ? { font } : {})).toString('base64')
      : i.format === 'json'
        ? JSON.stringify(report, null, 1)
        : renderHtml(report);
  return { report, out: { summary: report.summary, format: i.format, content } };
}

/** The sources of a report from the configuration and an open trail. */
export function sourcesFrom(config: Config, audit: AuditLog, extra: Partial<ComplianceSources> = {}): ComplianceSources {
  return { config, audit, trust: { fingerprints: trustedFingerprints(config), keys: [] }, ...extra };
}

/** The console's action: the report as HTML, JSON or base64 PDF. */
export function complianceActions(deps: { sources(): ComplianceSources; pdfFont?: string }) {
  return {
    report: defineAction<ReportInput, RenderedReport>({
      name: 'compliance.report',
      permission: 'compliance:read',
      resource: (i) => `compliance:${i.standard ?? 'gb22239-2019'}:${i.level ?? 3}`,
      details: (i) => ({ from: i.from, to: i.to, format: i.format ?? 'html' }),
      async run(ctx, input) {
        const { out } = await render(deps.sources(), parseInput(input), deps.pdfFont);
        ctx.note({ met: out.summary.met, partial: out.summary.partial, gaps: out.summary.gap });
        return out;
      },
    }),
  };
}

/** `citysoc compliance report --standard gb22239-2019 --level 3 [--from --to] [--format html|pdf|json] [--out file]`. */
export function complianceCli(deps: { openAudit(config: Config): AuditLog; pdfFont?: string }): (program: Command, env: CliEnv) => void {
  return (program, env) => {
    program
      .command('compliance')
      .description('compliance evidence from live data')
      .command('report')
      .description('等保 2.0 evidence report: requirements mapped to live evidence, gaps listed')
      .option('--standard <standard>', 'gb22239-2019', 'gb22239-2019')
      .option('--level <level>', 'classified protection level', '3')
      .option('--from <time>', 'period start (ISO 8601)')
      .option('--to <time>', 'period end (ISO 8601)')
      .addOption(new Option('--format <format>').choices(['html', 'pdf', 'json']).default('html'))
      .option('--out <file>', 'write to a file (required for PDF)')
      .action(async (o: { standard: string; level: string; from?: string; to?: string; format: string; out?: string }) => {
        const input = parseInput({ standard: o.standard, level: o.level, from: o.from, to: o.to, format: o.format });
        if (input.format === 'pdf' && !o.out) throw new CitySocError('INPUT_INVALID', '--format pdf needs --out <file>');
        const config = env.loadConfig();
        const audit = deps.openAudit(config);
        try {
          const { out } = await render(sourcesFrom(config, audit), input, deps.pdfFont);
          if (o.out) writeFileSync(o.out, out.format === 'pdf' ? Buffer.from(out.content, 'base64') : out.content);
          else env.out(out.content);
          env.err(`compliance report: ${out.summary.met} evidenced, ${out.summary.partial} partly evidenced, ${out.summary.gap} gaps\n`);
        } finally {
          await audit.close();
        }
      });
  };
}

/** The compliance module: the report over GraphQL for the console (the CLI verb is registered by the server). */
export const complianceModule = defineModule({
  name: 'compliance',
  async start(ctx) {
    const svc = bind(ctx.door, complianceActions({ sources: () => sourcesFrom(ctx.platform, ctx.ports.audit) }));
    return {
      services: svc,
      graphql: {
        typeDefs: /* GraphQL */ `
          "How many requirements are met, partly met, and gaps."
          type ComplianceSummary {
            met: Int!
            partial: Int!
            gap: Int!
          }
          "A compliance evidence report."
          type ComplianceReport {
            summary: ComplianceSummary!
            "html, pdf or json."
            format: String!
            "The HTML or JSON text, or the PDF as base64."
            content: String!
          }
          extend type Query {
            "The 等保 2.0 (GB/T 22239-2019) third-level evidence report from live data; items not evidenced are gaps."
            complianceReport(standard: String, level: Int, from: String, to: String, format: String): ComplianceReport!
          }
        `,
        resolvers: {
          Query: {
            complianceReport: viaService(
              svc.report,
              (a) => Object.fromEntries(Object.entries(a).filter(([, v]) => v !== null && v !== undefined)) as ReportInput,
            ),
          },
        },
      },
    };
  },
});
