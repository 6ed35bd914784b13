/** One alert: its rule, entities, matched events (with the raw event), history, and the status moves. */
import {
  Box,
  Button,
  Chip,
  Collapse,
  Divider,
  List as MuiList,
  ListItem,
  ListItemText,
  Stack,
  Table,
  TableBody,
  TableCell,
  TableHead,
  TableRow,
  Typography,
} from '@mui/material';
import { Fragment, useState } from 'react';
import { CanAccess, Loading, Show, useGetMany, useNotify, useRecordContext, useRefresh, useTranslate, useUpdate } from 'react-admin';
import { Link } from 'react-router-dom';
import { type AlertRecord, type AlertTransition } from '../../data/alerts';
import { entityPath } from '../../data/entities';
import { quoteValue } from '../../data/resource';
import type { EventRecord } from '../../data/events';
import { SeverityChip, StatusChip } from '../../components/Chips';
import { describeError } from '../../components/errors';
import { RawEvent } from '../../components/RawEvent';
import { Section } from '../../components/Section';
import { When } from '../../components/When';
import { AddToCase } from '../cases/AddToCase';
import { RuleExceptionDialog } from './RuleExceptionDialog';
import { RunPlaybookDialog } from './RunPlaybookDialog';
import { CloseAlertDialog } from './TransitionDialog';

/** The fields an entity of each type is found under in events, for a hunt link. */
const ENTITY_FIELD: Record<string, string> = {
  ip: 'source.ip',
  user: 'user.name',
  host: 'host.name',
  process: 'process.name',
  file: 'file.path',
  dataset: 'citysoc.data.dataset',
};

function Transitions({ alert }: { alert: AlertRecord }) {
  const t = useTranslate();
  const [update, { isPending }] = useUpdate();
  const notify = useNotify();
  const refresh = useRefresh();
  const [closing, setClosing] = useState(false);
  const move = (data: AlertTransition) =>
    update(
      'alerts',
      { id: alert.id, data, previousData: alert },
      {
        mutationMode: 'pessimistic',
        onSuccess: () => {
          notify('citysoc.alerts.moved', { type: 'success', messageArgs: { smart_count: 1 } });
          refresh();
        },
        onError: (e) => notify(describeError(t, e), { type: 'error' }),
      },
    );
  const s = alert.status;
  return (
    <CanAccess resource="alerts" action="transition">
      <Stack direction="row" spacing={1}>
        {s === 'open' && (
          <Button variant="outlined" disabled={isPending} onClick={() => move({ status: 'acknowledged' })}>
            {t('citysoc.alerts.acknowledge')}
          </Button>
        )}
        {(s === 'open' || s === 'acknowledged') && (
          <Button variant="outlined" disabled={isPending} onClick={() => move({ status: 'in_progress' })}>
            {t('citysoc.alerts.start')}
          </Button>
        )}
        {s !== 'closed' && (
          <Button variant="contained" disabled={isPending} onClick={() => setClosing(true)}>
            {t('citysoc.alerts.close')}
          </Button>
        )}
        {s === 'closed' && (
          <Button variant="outlined" disabled={isPending} onClick={() => move({ status: 'open' })}>
            {t('citysoc.alerts.reopen')}
          </Button>
        )}
      </Stack>
      <CloseAlertDialog
        open={closing}
        count={1}
        onClose={() => setClosing(false)}
        onConfirm={(resolution, comment) => {
          setClosing(false);
          void move({ status: 'closed', resolution, ...(comment ? { comment } : {}) });
        }}
      />
    </CanAccess>
  );
}

/** Sigma alerts only: a false positive's benign values become an exception to its rule. */
function ExceptRule({ alert }: { alert: AlertRecord }) {
  const t = useTranslate();
  const [open, setOpen] = useState(false);
  if (alert.rule.type !== 'sigma') return null;
  return (
    <CanAccess resource="alerts" action="except">
      <Button variant="outlined" onClick={() => setOpen(true)}>
        {t('citysoc.alerts.exception_add')}
      </Button>
      {open && <RuleExceptionDialog alert={alert} open onClose={() => setOpen(false)} entityField={ENTITY_FIELD} />}
    </CanAccess>
  );
}

function RunPlaybook({ alert }: { alert: AlertRecord }) {
  const t = useTranslate();
  const [open, setOpen] = useState(false);
  return (
    <CanAccess resource="playbookRuns" action="run">
      <Button variant="outlined" onClick={() => setOpen(true)}>
        {t('citysoc.playbooks.run')}
      </Button>
      {open && <RunPlaybookDialog alert={alert} onClose={() => setOpen(false)} />}
    </CanAccess>
  );
}

function MatchedEvents({ ids }: { ids: string[] }) {
  const t = useTranslate();
  const shown = ids.slice(0, 50);
  const { data, isPending, error } = useGetMany<EventRecord>('events', { ids: shown });
  const [open, setOpen] = useState<string | null>(null);
  if (isPending) return <Loading />;
  if (error) return <Typography color="error">{describeError(t, error)}</Typography>;
  return (
    <>
      <Typography variant="body2" color="text.secondary">
        {t('citysoc.alerts.events_shown', { shown: data?.length ?? 0, total: ids.length })}
      </Typography>
      <Table size="small" data-testid="matched-events">
        <TableHead>
          <TableRow>
            <TableCell>{t('citysoc.event.timestamp')}</TableCell>
            <TableCell>{t('citysoc.event.host')}</TableCell>
            <TableCell>{t('citysoc.event.action')}</TableCell>
            <TableCell>{t('citysoc.event.message')}</TableCell>
          </TableRow>
        </TableHead>
        <TableBody>
          {(data ?? []).map((e) => (
            <Fragment key={e.id}>
              <TableRow hover sx={{ cursor: 'pointer' }} onClick={() => setOpen(open === e.id ? null : e.id)}>
                <TableCell sx={{ whiteSpace: 'nowrap' }}>
                  <When value={e['@timestamp'] as string} />
                </TableCell>
                <TableCell>{String((e.host as { name?: string } | undefined)?.name ?? '')}</TableCell>
                <TableCell>{String((e.event as { action?: string } | undefined)?.action ?? '')}</TableCell>
                <TableCell sx={{ fontFamily: 'monospace', fontSize: 12 }}>{String(e.message ?? '')}</TableCell>
              </TableRow>
              <TableRow>
                <TableCell colSpan={4} sx={{ p: 0, border: open === e.id ? undefined : 0 }}>
                  <Collapse in={open === e.id} unmountOnExit>
                    <RawEvent event={e} />
                  </Collapse>
                </TableCell>
              </TableRow>
            </Fragment>
          ))}
        </TableBody>
      </Table>
    </>
  );
}

function AlertDetail() {
  const a = useRecordContext<AlertRecord>();
  const t = useTranslate();
  if (!a) return null;
  return (
    <Box sx={{ p: 2 }}>
      <Stack direction="row" spacing={1} sx={{ alignItems: 'center', mb: 2, flexWrap: 'wrap' }}>
        <SeverityChip severity={a.rule.severity} />
        <Typography variant="h6" component="h1" sx={{ flexGrow: 1 }}>
          {a.rule.name}
        </Typography>
        <StatusChip status={a.status} />
        <Transitions alert={a} />
        <ExceptRule alert={a} />
        <RunPlaybook alert={a} />
        <AddToCase alertId={a.id} alertTitle={a.rule.name} />
      </Stack>
      <Section title={t('citysoc.alerts.summary')}>
        <Table size="small">
          <TableBody>
            {[
              ['resources.alerts.fields.department', a.department ?? '—'],
              ['resources.alerts.fields.count', String(a.count)],
              ['resources.alerts.fields.risk', String(Math.round(a.risk))],
              ['resources.alerts.fields.firstSeen', <When key="f" value={a.firstSeen} />],
              ['resources.alerts.fields.lastSeen', <When key="l" value={a.lastSeen} />],
              ['resources.alerts.fields.assignee', a.assignee ?? '—'],
              ['resources.alerts.fields.resolution', a.resolution ? t(`citysoc.resolution.${a.resolution}`) : '—'],
            ].map(([k, v]) => (
              <TableRow key={String(k)}>
                <TableCell sx={{ width: 200, color: 'text.secondary' }}>{t(String(k))}</TableCell>
                <TableCell>{v}</TableCell>
              </TableRow>
            ))}
          </TableBody>
        </Table>
      </Section>
      <Section title={t('citysoc.alerts.rule')}>
        <Typography variant="body2">
          {t('citysoc.alerts.rule_id')}: <code>{a.rule.id}</code> · {t(`citysoc.rule_type.${a.rule.type}`, { _: a.rule.type })}
        </Typography>
        <Box sx={{ mt: 1 }}>
          {a.rule.tags.map((tag) => (
            <Chip key={tag} size="small" label={tag} sx={{ mr: 0.5, mb: 0.5 }} />
          ))}
        </Box>
      </Section>
      <Section title={t('resources.alerts.fields.entities')}>
        <Stack direction="row" spacing={1} sx={{ flexWrap: 'wrap' }}>
          {a.entities.map((e) => {
            const field = ENTITY_FIELD[e.type];
            const label = `${t(`citysoc.entity.${e.type}`, { _: e.type })}: ${e.value}`;
            const page = entityPath(e.type, e.value);
            const chip = field ? (
              <Chip
                key={`${e.type}:${e.value}`}
                label={label}
                component={Link}
                to={`/hunt?q=${encodeURIComponent(`${field}:${quoteValue(e.value)}`)}`}
                clickable
              />
            ) : (
              <Chip key={`${e.type}:${e.value}`} label={label} />
            );
            // Users, hosts and datasets have an entity page (UEBA risk) beside the hunt link.
            return page ? (
              <Fragment key={`${e.type}:${e.value}`}>
                {chip}
                <CanAccess resource="entities" action="show">
                  <Chip size="small" variant="outlined" label={t('citysoc.entities.open')} component={Link} to={page} clickable data-testid="entity-link" />
                </CanAccess>
              </Fragment>
            ) : (
              chip
            );
          })}
        </Stack>
      </Section>
      <Section title={t('citysoc.alerts.matched_events')}>
        <MatchedEvents ids={a.eventIds} />
      </Section>
      <Section title={t('resources.alerts.fields.history')}>
        <MuiList dense>
          {a.history.map((h, i) => (
            <Fragment key={i}>
              {i > 0 && <Divider component="li" />}
              <ListItem>
                <ListItemText
                  primary={
                    <>
                      <When value={h.at} /> · {h.actor} · {t(`citysoc.history.${h.action}`, { _: h.action })}
                      {h.from && h.to ? ` (${t(`citysoc.status.${h.from}`, { _: h.from })} → ${t(`citysoc.status.${h.to}`, { _: h.to })})` : ''}
                    </>
                  }
                  secondary={h.comment ?? undefined}
                />
              </ListItem>
            </Fragment>
          ))}
        </MuiList>
      </Section>
    </Box>
  );
}

export function AlertShow() {
  return (
    <Show actions={false}>
      <AlertDetail />
    </Show>
  );
}
