/** A compliance report: the standard's requirements judged against the collected evidence. */
import { CitySocError } from '../core/errors';
import { collectEvidence, type ComplianceSources, type Evidence } from './evidence';
import { type Finding, GB22239_LEVEL3, type Requirement, type Text } from './gb22239';

export const STANDARDS = { 'gb22239-2019': { 3: GB22239_LEVEL3 } } as const;

export interface ReportItem extends Finding {
  readonly id: string;
  readonly area: Text;
  readonly requirement: Text;
}

export interface ComplianceReport {
  readonly standard: 'gb22239-2019';
  readonly level: 3;
  readonly title: Text;
  readonly evidence: Evidence;
  readonly items: readonly ReportItem[];
  readonly summary: { readonly met: number; readonly partial: number; readonly gap: number };
}

export interface ReportRequest {
  readonly standard: string;
  readonly level: number;
  readonly from?: Date;
  readonly to?: Date;
}

export function requirementsOf(standard: string, level: number): readonly Requirement[] {
  const byLevel = (STANDARDS as Record<string, Record<number, readonly Requirement[]>>)[standard];
  if (!byLevel) throw new CitySocError('INPUT_INVALID', `unknown standard '${standard}'; known: ${Object.keys(STANDARDS).join(', ')}`);
  const reqs = byLevel[level];
  if (!reqs) throw new CitySocError('INPUT_INVALID', `${standard}: level ${level} is not covered; covered: ${Object.keys(byLevel).join(', ')}`);
  return reqs;
}

export async function buildReport(sources: ComplianceSources, req: ReportRequest): Promise<ComplianceReport> {
  const requirements = requirementsOf(req.standard, req.level);
  if (req.from && req.to && req.from >= req.to) throw new CitySocError('INPUT_INVALID', '--from must be before --to');
  const evidence = await collectEvidence(sources, { ...(req.from ? { from: req.from } : {}), ...(req.to ? { to: req.to } : {}) });
  const items = requirements.map((r): ReportItem => ({ id: r.id, area: r.area, requirement: r.requirement, ...r.judge(evidence) }));
  const count = (s: Finding['status']) => items.filter((i) => i.status === s).length;
  return {
    standard: 'gb22239-2019',
    level: 3,
    title: {
      zh: '网络安全等级保护 2.0（GB/T 22239-2019）第三级 证据报告',
      en: 'Cybersecurity classified protection 2.0 (GB/T 22239-2019), level 3: evidence report',
    },
    evidence,
    items,
    summary: { met: count('met'), partial: count('partial'), gap: count('gap') },
  };
}

export const STATUS_TEXT: Readonly<Record<Finding['status'], Text>> = {
  met: { zh: '已证明', en: 'evidenced' },
  partial: { zh: '部分证明', en: 'partly evidenced' },
  gap: { zh: '差距', en: 'gap' },
};
