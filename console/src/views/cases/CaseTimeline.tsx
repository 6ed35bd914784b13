/** Every change of a case, in order, in the user's language (entries carried over from merged cases say so). */
import { Divider, List as MuiList, ListItem, ListItemText } from '@mui/material';
import { Fragment } from 'react';
import { useTranslate } from 'react-admin';
import type { TranslateFunction } from 'ra-core';
import { When } from '../../components/When';
import type { TimelineEntry } from '../../data/cases';

type Details = Record<string, unknown>;

const str = (v: unknown) => (Array.isArray(v) ? v.map(String).join(', ') : v === undefined || v === null ? '' : String(v));

/** What an entry changed, in words: the moves and names the users know; other details as key: value. */
function describe(t: TranslateFunction, e: TimelineEntry): string {
  const d = (e.details && typeof e.details === 'object' ? e.details : {}) as Details;
  switch (e.action) {
    case 'status': {
      const move = `${t(`citysoc.cases.status.${str(d.from)}`, { _: str(d.from) })} → ${t(`citysoc.cases.status.${str(d.to)}`, { _: str(d.to) })}`;
      const res = d.resolution ? ` · ${t(`citysoc.resolution.${str(d.resolution)}`, { _: str(d.resolution) })}` : '';
      return `${move}${res}${d.note ? ` · ${str(d.note)}` : ''}`;
    }
    case 'assigned':
      return `${str(d.from) || '—'} → ${str(d.to) || '—'}`;
    case 'comment':
      return str(d.text);
    case 'task_added':
      return `${str(d.task ?? d.id)} ${str(d.title)}`.trim();
    default:
      return Object.entries(d)
        .map(([k, v]) => `${k}: ${typeof v === 'object' && v !== null && !Array.isArray(v) ? JSON.stringify(v) : str(v)}`)
        .join(' · ');
  }
}

export function CaseTimeline({ entries }: { entries: TimelineEntry[] }) {
  const t = useTranslate();
  return (
    <MuiList dense data-testid="case-timeline">
      {entries.map((e, i) => (
        <Fragment key={`${e.case ?? ''}${e.seq}`}>
          {i > 0 && <Divider component="li" />}
          <ListItem data-testid="timeline-entry" data-action={e.action}>
            <ListItemText
              primary={
                <>
                  <When value={e.at} /> · {e.actor} · {t(`citysoc.cases.action.${e.action}`, { _: e.action })}
                  {e.case ? ` (${t('citysoc.cases.from_case', { id: e.case })})` : ''}
                </>
              }
              secondary={describe(t, e) || undefined}
            />
          </ListItem>
        </Fragment>
      ))}
    </MuiList>
  );
}
