/** One run: what started it, its step log (input, output, error, attempts, duration), its approvals, and replay. Live. */
import { Box, Button, Card, CardContent, Table, TableBody, TableCell, TableHead, TableRow, Typography } from '@mui/material';
import ReplayIcon from '@mui/icons-material/Replay';
import { Fragment, useState } from 'react';
import { CanAccess, Show, useRecordContext, useTranslate } from 'react-admin';
import { Link } from 'react-router-dom';
import { EnumText } from '../../components/Chips';
import { useChange } from '../../components/useChange';
import { When } from '../../components/When';
import { replayRun, type RunDetail, type StepRecord } from '../../data/playbooks';
import { useLivePlaybooks } from '../live/useLiveRefresh';
import { ApprovalAnswer } from './ApprovalAnswer';
import { ApprovalContext } from './ApprovalContext';

function Json({ value }: { value: unknown }) {
  if (value === null || value === undefined) return null;
  return (
    <Box component="pre" sx={{ m: 0, fontSize: 11, maxHeight: 240, overflow: 'auto', whiteSpace: 'pre-wrap', wordBreak: 'break-all' }}>
      {JSON.stringify(value, null, 2)}
    </Box>
  );
}

function StepRow({ step }: { step: StepRecord }) {
  const t = useTranslate();
  const [open, setOpen] = useState(false);
  return (
    <Fragment>
      <TableRow hover onClick={() => setOpen(!open)} sx={{ cursor: 'pointer' }} data-testid="run-step" data-status={step.status}>
        <TableCell>{step.name || step.nodeId}</TableCell>
        <TableCell sx={{ fontFamily: 'monospace', fontSize: 12 }}>{step.nodeType}</TableCell>
        <TableCell>
          <EnumText group="step_status" value={step.status} />
          {step.dryRun ? ` · ${t('citysoc.playbooks.dry_run')}` : ''}
        </TableCell>
        <TableCell align="right">{step.attempts}</TableCell>
        <TableCell>
          <When value={step.startedAt} />
        </TableCell>
        <TableCell align="right">{step.durationMs ?? ''}</TableCell>
        <TableCell>{step.error ?? ''}</TableCell>
      </TableRow>
      {open && (
        <TableRow>
          <TableCell colSpan={7}>
            <Typography variant="caption">{t('citysoc.playbooks.input')}</Typography>
            <Json value={step.input} />
            <Typography variant="caption">{t('citysoc.playbooks.output')}</Typography>
            <Json value={step.output} />
          </TableCell>
        </TableRow>
      )}
    </Fragment>
  );
}

function ReplayButton({ run }: { run: RunDetail }) {
  const t = useTranslate();
  const change = useChange();
  if (run.status !== 'failed' && run.status !== 'stalled') return null;
  const replay = () =>
    change.run(async () => {
      const steps = await replayRun(run.id);
      return { message: 'citysoc.playbooks.replayed', args: { smart_count: steps.length } };
    });
  return (
    <CanAccess resource="playbookRuns" action="replay">
      <Button size="small" variant="outlined" startIcon={<ReplayIcon />} disabled={change.busy} onClick={() => void replay()}>
        {t('citysoc.playbooks.replay')}
      </Button>
    </CanAccess>
  );
}

function RunDetails() {
  const run = useRecordContext<RunDetail>();
  const t = useTranslate();
  useLivePlaybooks((c) => !!run && (c.kind === 'run' ? c.id === run.id : c.runId === run.id));
  // Opened from the run list, the page first holds the list's row (react-admin seeds its cache with
  // it), which has no steps or approvals: the run itself follows.
  if (!run || (run as Partial<RunDetail>).steps === undefined) return null;
  const label = (key: string) => t(`resources.playbookRuns.fields.${key}`);
  return (
    <Box sx={{ display: 'grid', gap: 2 }}>
      <Card variant="outlined">
        <CardContent>
          <Typography variant="h6" component="h2">
            {run.playbookName}
          </Typography>
          <Box sx={{ display: 'grid', gridTemplateColumns: 'max-content 1fr', columnGap: 2, rowGap: 0.5, mt: 1 }}>
            <span>{label('status')}</span>
            <span data-testid="run-status" data-status={run.status}>
              <EnumText group="run_status" value={run.status} />
              {run.dryRun ? ` · ${t('citysoc.playbooks.dry_run')}` : ''}
            </span>
            <span>{label('trigger')}</span>
            <span>
              {t(`citysoc.trigger.${run.trigger.kind}`, { _: run.trigger.kind })}
              {run.trigger.alertId && (
                <>
                  {' · '}
                  <Link to={`/alerts/${encodeURIComponent(run.trigger.alertId)}/show`}>{run.trigger.alertId}</Link>
                </>
              )}
              {run.trigger.entity ? ` · ${run.trigger.entity}` : ''}
            </span>
            <span>{label('department')}</span>
            <span>{run.department ?? '—'}</span>
            <span>{label('person')}</span>
            <span>{run.person}</span>
            <span>{label('startedAt')}</span>
            <When value={run.startedAt} />
            <span>{label('endedAt')}</span>
            <span>{run.endedAt ? <When value={run.endedAt} /> : '—'}</span>
            {run.error && (
              <>
                <span>{label('error')}</span>
                <span>{run.error}</span>
              </>
            )}
          </Box>
          <Box sx={{ mt: 1 }}>
            <ReplayButton run={run} />
          </Box>
        </CardContent>
      </Card>
      {run.approvals.length > 0 && (
        <Card variant="outlined">
          <CardContent>
            <Typography variant="subtitle1" component="h2">
              {t('citysoc.playbooks.approvals')}
            </Typography>
            {run.approvals.map((a) => (
              <Box key={a.id} sx={{ py: 1, borderTop: '1px solid', borderColor: 'divider' }} data-testid="run-approval" data-status={a.status}>
                <div>{a.question}</div>
                <ApprovalContext approval={a} />
                <div>
                  <EnumText group="approval_status" value={a.status} />
                  {a.answeredBy ? ` · ${a.answeredBy}` : ''}
                  {a.comment ? ` · ${a.comment}` : ''} <ApprovalAnswer approval={a} />
                </div>
              </Box>
            ))}
          </CardContent>
        </Card>
      )}
      <Card variant="outlined">
        <CardContent>
          <Typography variant="subtitle1" component="h2">
            {t('citysoc.playbooks.steps')}
          </Typography>
          <Table size="small">
            <TableHead>
              <TableRow>
                <TableCell>{t('citysoc.playbooks.step.name')}</TableCell>
                <TableCell>{t('citysoc.playbooks.step.type')}</TableCell>
                <TableCell>{t('citysoc.playbooks.step.status')}</TableCell>
                <TableCell align="right">{t('citysoc.playbooks.step.attempts')}</TableCell>
                <TableCell>{t('citysoc.playbooks.step.started')}</TableCell>
                <TableCell align="right">{t('citysoc.playbooks.step.duration')}</TableCell>
                <TableCell>{t('citysoc.playbooks.step.error')}</TableCell>
              </TableRow>
            </TableHead>
            <TableBody>
              {run.steps.map((s) => (
                <StepRow key={s.key} step={s} />
              ))}
            </TableBody>
          </Table>
        </CardContent>
      </Card>
    </Box>
  );
}

export function RunShow() {
  return (
    <Show>
      <RunDetails />
    </Show>
  );
}
