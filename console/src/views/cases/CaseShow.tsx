/**
 * One case, as TheHive and Elastic Cases users work it: summary and SLA, status moves with the
 * resolution, assignment, editing its fields, comments, tasks, observables, linked alerts, merge suggestions, the
 * evidence export and the whole timeline.
 */
import { Box, Chip, Grid, Stack, Table, TableBody, TableCell, TableRow, Typography } from '@mui/material';
import type { ReactNode } from 'react';
import { CanAccess, Show, useRecordContext, useTranslate } from 'react-admin';
import { Link } from 'react-router-dom';
import { SeverityChip } from '../../components/Chips';
import { When } from '../../components/When';
import type { CaseRecord } from '../../data/cases';
import { AssignCase } from './AssignCase';
import { CaseAlerts } from './CaseAlerts';
import { CaseStatusChip } from './CaseChips';
import { CaseComments } from './CaseComments';
import { CaseMerge } from './CaseMerge';
import { CaseObservables } from './CaseObservables';
import { CaseTasks } from './CaseTasks';
import { CaseTimeline } from './CaseTimeline';
import { EditCase } from './EditCase';
import { ExportCase } from './ExportCase';
import { MoveCase } from './MoveCase';
import { Section } from '../../components/Section';
import { SlaChip } from './SlaChip';
import { useLiveCases } from '../live/useLiveRefresh';

const caseLink = (id: string) => (
  <Link key={id} to={`/cases/${encodeURIComponent(id)}/show`}>
    {id}
  </Link>
);

function Summary({ c }: { c: CaseRecord }) {
  const t = useTranslate();
  const rows: [string, ReactNode][] = [
    ['resources.cases.fields.assignee', c.assignee ?? '—'],
    ['resources.cases.fields.departments', c.departments.join('、') || '—'],
    ['resources.cases.fields.tags', c.tags.length ? c.tags.map((x) => <Chip key={x} size="small" label={x} sx={{ mr: 0.5 }} />) : '—'],
    ['resources.cases.fields.tlp', t(`citysoc.cases.tlp.${c.tlp}`, { _: c.tlp })],
    ['resources.cases.fields.classification', c.classification],
    ['resources.cases.fields.createdAt', <When key="c" value={c.createdAt} />],
    ['resources.cases.fields.createdBy', c.createdBy],
    ['resources.cases.fields.updatedAt', <When key="u" value={c.updatedAt} />],
    ['resources.cases.fields.acknowledgeBy', <When key="a" value={c.sla.acknowledgeBy} />],
    ['resources.cases.fields.resolveBy', <When key="r" value={c.sla.resolveBy} />],
    [
      'resources.cases.fields.resolution',
      c.resolution ? t(c.resolution === 'merged' ? 'citysoc.cases.resolution_merged' : `citysoc.resolution.${c.resolution}`) : '—',
    ],
    ['resources.cases.fields.resolutionNote', c.resolutionNote ?? '—'],
  ];
  if (c.resolvedAt) rows.push(['resources.cases.fields.resolvedAt', <When key="rs" value={c.resolvedAt} />]);
  if (c.closedAt) rows.push(['resources.cases.fields.closedAt', <When key="cl" value={c.closedAt} />]);
  if (c.mergedInto) rows.push(['resources.cases.fields.mergedInto', caseLink(c.mergedInto)]);
  if (c.mergedFrom.length) rows.push(['resources.cases.fields.mergedFrom', c.mergedFrom.map(caseLink)]);
  return (
    <>
      {c.description && (
        <Typography variant="body2" sx={{ whiteSpace: 'pre-wrap', mb: 1 }}>
          {c.description}
        </Typography>
      )}
      <Table size="small" data-testid="case-summary">
        <TableBody>
          {rows.map(([k, v]) => (
            <TableRow key={k}>
              <TableCell sx={{ width: 180, color: 'text.secondary' }}>{t(k)}</TableCell>
              <TableCell>{v}</TableCell>
            </TableRow>
          ))}
        </TableBody>
      </Table>
    </>
  );
}

function CaseDetail() {
  const c = useRecordContext<CaseRecord>();
  const t = useTranslate();
  // Another analyst's task, comment, status move, observable or merge on this case shows without a reload.
  useLiveCases((change) => !!c && change.id === c.id);
  // Opened from the case list, the page first holds the list's row (react-admin seeds its cache
  // with it), which lacks the tasks, observables and timeline: the case itself follows.
  if (!c || (c as Partial<CaseRecord>).timeline === undefined) return null;
  return (
    <Box sx={{ p: 2 }}>
      <Stack direction="row" spacing={1} sx={{ alignItems: 'center', mb: 2, flexWrap: 'wrap', rowGap: 1 }}>
        <SeverityChip severity={c.severity} />
        <Typography variant="h6" component="h1" sx={{ flexGrow: 1 }}>
          <Box component="span" sx={{ fontFamily: 'monospace', mr: 1 }} data-testid="case-id">
            {c.id}
          </Box>
          {c.title}
        </Typography>
        <CaseStatusChip status={c.status} />
        <SlaChip colour={c.slaColour} stage={c.sla.stage} />
        <CanAccess resource="cases" action="work">
          <MoveCase c={c} />
          <AssignCase c={c} />
          <EditCase c={c} />
        </CanAccess>
      </Stack>
      <Grid container spacing={2}>
        <Grid size={{ xs: 12, lg: 8 }}>
          <Section title={t('citysoc.cases.summary')}>
            <Summary c={c} />
          </Section>
          <Section title={t('citysoc.cases.tasks')}>
            <CaseTasks c={c} />
          </Section>
          <Section title={t('citysoc.cases.observables')}>
            <CaseObservables c={c} />
          </Section>
          <Section title={t('citysoc.cases.alerts')}>
            <CaseAlerts c={c} />
          </Section>
          <Section title={t('citysoc.cases.timeline')}>
            <CaseTimeline entries={c.timeline} />
          </Section>
        </Grid>
        <Grid size={{ xs: 12, lg: 4 }}>
          <Section title={t('citysoc.cases.comments')}>
            <CaseComments c={c} />
          </Section>
          <Section title={t('citysoc.cases.merge_suggestions')}>
            <CaseMerge c={c} />
          </Section>
          {/* Whoever may read the case exports it: the server proves it with the audit records about the case, or the whole stretch for an auditor. */}
          <Section title={t('citysoc.cases.export')}>
            <ExportCase caseId={c.id} />
          </Section>
        </Grid>
      </Grid>
    </Box>
  );
}

export function CaseShow() {
  return (
    <Show actions={false}>
      <CaseDetail />
    </Show>
  );
}
