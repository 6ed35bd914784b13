/**
 * The playbooks' versions: each deploy (all tabs together) with who saved it, when and its note;
 * the nodes that changed between any two versions; and, for playbook authors, a confirmed
 * rollback that deploys an earlier version again as a new version.
 */
import {
  Alert,
  Box,
  Button,
  Card,
  CardContent,
  Chip,
  MenuItem,
  Stack,
  Table,
  TableBody,
  TableCell,
  TableHead,
  TableRow,
  TextField,
  Typography,
} from '@mui/material';
import { useCallback, useEffect, useState } from 'react';
import { Confirm, Title, useAuthenticated, useCanAccess, useTranslate } from 'react-admin';
import { describeError } from '../../components/errors';
import { useChange } from '../../components/useChange';
import { When } from '../../components/When';
import { composeDiff, listPlaybookVersions, type PlaybookVersionRecord, rollbackPlaybooks } from '../../data/playbooks';
import { VersionDiff } from './VersionDiff';

interface Loaded {
  current: number;
  versions: PlaybookVersionRecord[];
}

function useVersions(): { data: Loaded | null; error: string | null; reload: () => void } {
  const t = useTranslate();
  const [data, setData] = useState<Loaded | null>(null);
  const [error, setError] = useState<string | null>(null);
  const [n, setN] = useState(0);
  useEffect(() => {
    let live = true;
    listPlaybookVersions().then(
      (d) => {
        if (!live) return;
        setData(d);
        setError(null);
      },
      (e: unknown) => live && setError(describeError(t, e)),
    );
    return () => {
      live = false;
    };
  }, [t, n]);
  return { data, error, reload: useCallback(() => setN((x) => x + 1), []) };
}

function Counts({ v }: { v: PlaybookVersionRecord }) {
  return (
    <Box component="span" sx={{ fontFamily: 'monospace', whiteSpace: 'nowrap' }}>
      <Box component="span" sx={{ color: 'success.main' }}>{`+${v.diff.added.length}`}</Box>{' '}
      <Box component="span" sx={{ color: 'warning.main' }}>{`~${v.diff.changed.length}`}</Box>{' '}
      <Box component="span" sx={{ color: 'error.main' }}>{`-${v.diff.removed.length}`}</Box>
    </Box>
  );
}

export function VersionsPage() {
  useAuthenticated();
  const t = useTranslate();
  const { data, error, reload } = useVersions();
  const { canAccess: mayRollback } = useCanAccess({ resource: 'playbooks', action: 'author' });
  const [pair, setPair] = useState<{ from: number; to: number } | null>(null);
  const [rollbackTo, setRollbackTo] = useState<PlaybookVersionRecord | null>(null);
  const { busy, run } = useChange({ refresh: false });
  const versions = data?.versions ?? [];
  const newest = versions[0];
  const shown = pair ?? (newest ? { from: newest.basedOn, to: newest.version } : null);
  const diff = shown ? composeDiff(versions, shown.from, shown.to) : null;
  const choices = [...versions.map((v) => v.version), ...(versions.some((v) => v.version === 0) ? [] : [0])].sort((a, b) => b - a);

  const rollback = async () => {
    if (!rollbackTo) return;
    // The page reloads the versions itself (react-admin's refresh does not know of them).
    await run(async () => {
      const v = await rollbackPlaybooks(rollbackTo.version);
      setPair(null);
      reload();
      return { message: 'citysoc.playbook_versions.rolled_back', args: { version: rollbackTo.version, made: v.version } };
    });
    setRollbackTo(null);
  };

  return (
    <Box sx={{ p: 2 }}>
      <Title title={t('citysoc.playbook_versions.title')} />
      {error && <Alert severity="error">{error}</Alert>}
      {data && versions.length === 0 && <Alert severity="info">{t('citysoc.playbook_versions.empty')}</Alert>}
      {shown && (
        <Card variant="outlined" sx={{ mb: 2 }}>
          <CardContent>
            <Typography variant="h6" component="h2" sx={{ mb: 1 }}>
              {t('citysoc.playbook_versions.compare')}
            </Typography>
            <Stack direction="row" spacing={2} sx={{ mb: 2 }}>
              {(['from', 'to'] as const).map((side) => (
                <TextField
                  key={side}
                  select
                  size="small"
                  sx={{ width: 180 }}
                  label={t(`citysoc.playbook_versions.${side}`)}
                  value={shown[side]}
                  onChange={(e) => setPair({ ...shown, [side]: Number(e.target.value) })}
                >
                  {choices.map((n) => (
                    <MenuItem key={n} value={n}>
                      {t('citysoc.playbook_versions.version_n', { version: n })}
                    </MenuItem>
                  ))}
                </TextField>
              ))}
            </Stack>
            {shown.from >= shown.to ? (
              <Alert severity="info">{t('citysoc.playbook_versions.pick_order')}</Alert>
            ) : diff ? (
              <VersionDiff diff={diff} />
            ) : (
              <Alert severity="warning">{t('citysoc.playbook_versions.beyond')}</Alert>
            )}
          </CardContent>
        </Card>
      )}
      {versions.length > 0 && (
        <Card variant="outlined">
          <Table size="small" data-testid="playbook-versions">
            <TableHead>
              <TableRow>
                <TableCell>{t('citysoc.playbook_versions.version')}</TableCell>
                <TableCell>{t('citysoc.playbook_versions.at')}</TableCell>
                <TableCell>{t('citysoc.playbook_versions.by')}</TableCell>
                <TableCell>{t('citysoc.playbook_versions.action')}</TableCell>
                <TableCell>{t('citysoc.playbook_versions.message')}</TableCell>
                <TableCell>{t('citysoc.playbook_versions.changes')}</TableCell>
                <TableCell />
              </TableRow>
            </TableHead>
            <TableBody>
              {versions.map((v) => (
                <TableRow
                  key={v.version}
                  hover
                  data-testid="playbook-version"
                  data-version={v.version}
                  selected={shown?.to === v.version && shown.from === v.basedOn}
                  onClick={() => setPair({ from: v.basedOn, to: v.version })}
                  sx={{ cursor: 'pointer' }}
                >
                  <TableCell>
                    {v.version}
                    {v.version === data?.current && <Chip size="small" color="primary" sx={{ ml: 1 }} label={t('citysoc.playbook_versions.current')} />}
                  </TableCell>
                  <TableCell sx={{ whiteSpace: 'nowrap' }}>
                    <When value={v.at} />
                  </TableCell>
                  <TableCell>{v.person && v.person !== v.by ? `${v.by} (${v.person})` : v.by}</TableCell>
                  <TableCell>{t(`citysoc.playbook_versions.kind.${v.action}`)}</TableCell>
                  <TableCell data-testid="playbook-version-message">{v.message || '—'}</TableCell>
                  <TableCell>
                    <Counts v={v} />
                  </TableCell>
                  <TableCell align="right">
                    {mayRollback && v.version !== data?.current && (
                      <Button
                        size="small"
                        data-testid="playbook-rollback"
                        onClick={(e) => {
                          e.stopPropagation();
                          setRollbackTo(v);
                        }}
                      >
                        {t('citysoc.playbook_versions.rollback')}
                      </Button>
                    )}
                  </TableCell>
                </TableRow>
              ))}
            </TableBody>
          </Table>
        </Card>
      )}
      <Confirm
        isOpen={rollbackTo !== null}
        loading={busy}
        title={t('citysoc.playbook_versions.rollback_title', { version: rollbackTo?.version ?? 0 })}
        content={t('citysoc.playbook_versions.rollback_confirm', { version: rollbackTo?.version ?? 0 })}
        onConfirm={() => void rollback()}
        onClose={() => setRollbackTo(null)}
      />
    </Box>
  );
}
