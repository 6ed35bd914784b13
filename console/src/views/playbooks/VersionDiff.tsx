/** What changed between two playbook versions, node by node: added, changed, removed, each with its type and name. */
import { Box, Chip, Stack, Typography } from '@mui/material';
import { useTranslate } from 'react-admin';
import type { FlowChange, FlowDiff } from '../../data/playbooks';

const KIND_COLOR = { added: 'success', changed: 'warning', removed: 'error' } as const;
const SIGN = { added: '+', changed: '~', removed: '-' } as const;

function NodeLine({ kind, node }: { kind: keyof FlowDiff; node: FlowChange }) {
  return (
    <Box component="li" data-testid="version-diff-node" data-kind={kind} data-node={node.id} sx={{ fontFamily: 'monospace', fontSize: 13 }}>
      {`${SIGN[kind]} ${node.type}`}
      {node.name ? ` · ${node.name}` : ''}
      <Typography component="span" variant="caption" color="text.secondary">{` (${node.id})`}</Typography>
    </Box>
  );
}

export function VersionDiff({ diff }: { diff: FlowDiff }) {
  const t = useTranslate();
  const empty = diff.added.length + diff.changed.length + diff.removed.length === 0;
  return (
    <Box data-testid="version-diff">
      <Stack direction="row" spacing={1} sx={{ mb: 1 }}>
        {(['added', 'changed', 'removed'] as const).map((k) => (
          <Chip
            key={k}
            size="small"
            color={KIND_COLOR[k]}
            data-testid={`version-diff-${k}`}
            data-count={diff[k].length}
            label={t(`citysoc.playbook_versions.diff.${k}`, { smart_count: diff[k].length })}
          />
        ))}
      </Stack>
      {empty ? (
        <Typography variant="body2">{t('citysoc.playbook_versions.diff.none')}</Typography>
      ) : (
        <Box component="ul" sx={{ m: 0, pl: 2 }}>
          {(['added', 'changed', 'removed'] as const).flatMap((k) => diff[k].map((n) => <NodeLine key={`${k}:${n.id}`} kind={k} node={n} />))}
        </Box>
      )}
    </Box>
  );
}
