/**
 * The collectors' health on the 大屏: how many sources sent, how many fell silent or fail, parse
 * failures and dead letters, and when anything was last seen. Only for viewers with metrics:read
 * (the sources query needs it): for others the panel is not rendered and nothing is asked.
 */
import { Box, Typography } from '@mui/material';
import type { ReactNode } from 'react';
import { useCanAccess, useLocaleState, useTranslate } from 'react-admin';
import { describeError } from '../../components/errors';
import { formatWhen } from '../../components/When';
import { listSources, summarizeSources } from '../../data/sources';
import { usePolling } from '../live/usePolling';

const REFRESH_MS = 30_000;
/** Silent after the same default the sources view starts with. */
export const SILENT_AFTER_MS = 15 * 60_000;

function Cell({ label, value, testId, alarm }: { label: string; value: string | number; testId: string; alarm?: boolean }) {
  return (
    <Box sx={{ textAlign: 'center', flex: 1 }}>
      <Typography variant="body2" sx={{ color: '#9ec9ff' }}>
        {label}
      </Typography>
      <Typography variant="h5" component="p" sx={{ color: alarm ? '#ff8a80' : '#fff', fontWeight: 600 }} data-testid={testId}>
        {value}
      </Typography>
    </Box>
  );
}

function Figures({ render }: { render: (title: string, body: ReactNode) => ReactNode }) {
  const t = useTranslate();
  const [locale] = useLocaleState();
  // The summary is taken when the answer comes: a source's silence is measured from then.
  const { data: s, error } = usePolling(async () => summarizeSources(await listSources(), Date.now(), SILENT_AFTER_MS), REFRESH_MS);
  return render(
    t('citysoc.screen_collectors.title'),
    <>
      {error !== null && (
        <Typography variant="body2" sx={{ color: '#ff8a80' }}>
          {describeError(t, error)}
        </Typography>
      )}
      <Box sx={{ display: 'flex', gap: 1 }}>
        <Cell label={t('citysoc.screen_collectors.sources')} value={s ? s.sources : '…'} testId="collectors-sources" />
        <Cell label={t('citysoc.screen_collectors.active')} value={s ? s.ok : '…'} testId="collectors-active" />
        <Cell label={t('citysoc.screen_collectors.silent')} value={s ? s.silent : '…'} testId="collectors-silent" alarm={!!s && s.silent > 0} />
        <Cell label={t('citysoc.screen_collectors.failing')} value={s ? s.failing : '…'} testId="collectors-failing" alarm={!!s && s.failing > 0} />
        <Cell
          label={t('citysoc.screen_collectors.parse_failures')}
          value={s ? s.parseFailures : '…'}
          testId="collectors-parse-failures"
          alarm={!!s && s.parseFailures > 0}
        />
        <Cell
          label={t('citysoc.screen_collectors.dead_letters')}
          value={s ? s.deadLetters : '…'}
          testId="collectors-dead-letters"
          alarm={!!s && s.deadLetters > 0}
        />
      </Box>
      <Typography variant="body2" sx={{ color: '#9ec9ff', mt: 1 }} data-testid="collectors-last-seen">
        {t('citysoc.screen_collectors.last_seen')}: {s?.lastSeen ? formatWhen(s.lastSeen, locale) : '—'}
      </Typography>
    </>,
  );
}

/** Renders through `render` (the 大屏's panel frame) only when the viewer may read sources. */
export function CollectorsPanel({ render }: { render: (title: string, body: ReactNode) => ReactNode }) {
  const { canAccess, isPending } = useCanAccess({ resource: 'sources', action: 'list' });
  if (isPending || !canAccess) return null;
  return <Figures render={render} />;
}
