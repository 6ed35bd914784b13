/** A case's SLA colour as a chip: green within the target, yellow in its last share, red once missed. */
import { Chip } from '@mui/material';
import { useRecordContext, useTranslate } from 'react-admin';
import type { CaseRecord } from '../../data/cases';

const COLOR = { green: 'success', yellow: 'warning', red: 'error' } as const;

export function SlaChip({ colour, stage }: { colour: string; stage?: string }) {
  const t = useTranslate();
  const c = COLOR[colour as keyof typeof COLOR] ?? 'default';
  const label = t(`citysoc.cases.sla_colour.${colour}`, { _: colour });
  return (
    <Chip
      size="small"
      color={c}
      label={stage ? `${label} · ${t(`citysoc.cases.sla_stage.${stage}`, { _: stage })}` : label}
      data-testid="sla-chip"
      data-colour={colour}
    />
  );
}

export function SlaField(_: { label?: string }) {
  const r = useRecordContext<CaseRecord>();
  return r ? <SlaChip colour={r.slaColour} /> : null;
}
