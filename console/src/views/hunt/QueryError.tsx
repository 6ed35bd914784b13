import { Alert, Box } from '@mui/material';
import { useTranslate } from 'react-admin';
import type { ApiError } from '../../data/graphql';

/** A query the server could not parse, with a caret under the position it names. */
export function QueryError({ query, error }: { query: string; error: ApiError }) {
  const t = useTranslate();
  const pos = error.details.position;
  const at = pos !== undefined ? Math.max(0, Math.min(pos, query.length)) : undefined;
  return (
    <Alert severity="error" data-testid="query-error" data-position={at ?? ''} sx={{ mb: 2 }}>
      <div>{at !== undefined ? t('citysoc.hunt.syntax_error_at', { position: at }) : t(`citysoc.errors.${error.code}`, { _: error.code })}</div>
      <div>{error.message}</div>
      {at !== undefined && (
        <Box component="pre" sx={{ m: 0, mt: 1, fontFamily: 'monospace' }}>
          {query.slice(0, at)}
          <Box component="mark" data-testid="query-error-mark" sx={{ bgcolor: 'error.light', color: 'error.contrastText' }}>
            {query.slice(at, at + 1) || ' '}
          </Box>
          {query.slice(at + 1)}
          {'\n' + ' '.repeat(at) + '^'}
        </Box>
      )}
    </Alert>
  );
}
