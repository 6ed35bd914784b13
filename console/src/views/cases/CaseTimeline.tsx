/** Every change of a case, in order, in the user's language (entries carried over from merged cases say so). */
import { Divider, List as MuiList, ListItem, ListItemText } from '@mui/material';
import { Fragment } from 'react';
import { useTranslate } from 'react-admin';
import type { TranslateFunction } from 'ra-core';
import { When } from '../../components/When';
import type { TimelineEntry } from '../../data/cases';

type Details = Record<string, unknown>;

/** Long lists (an alert brings hundreds of event ids) show their first items and how many more. */
const SHOWN = 3;

const str = (v: unknown): string => {
  if (Array.isArray(v)) return v.length > SHOWN ? `${v.slice(0, SHOWN).map(String).join(', ')} … (+${v.length - SHOWN})` : v.map(String).join(', ');
  return v === undefined || v === null ? '' : String(v);
};

/** A changed field's { from, to } as "from → to". */
function change(v: unknown): string | null {
  if (typeof v !== 'object' || v === null || !('from' in v || 'to' in v)) return null;
  const { from, to } = v as { from?: unknown; to?: unknown };
  return `${str(from) || '—'} → ${str(to) || '—'}`;
}

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
        .map(([k, v]) => `${k}: ${change(v) ?? (typeof v === 'object' && v !== null && !Array.isArray(v) ? JSON.stringify(v) : str(v))}`)
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
