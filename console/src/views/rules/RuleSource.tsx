/** The rule's file as written, read when the page opens. */
import { Alert, Box, CircularProgress } from '@mui/material';
import { useEffect, useState } from 'react';
import { useTranslate } from 'react-admin';
import { describeError } from '../../components/errors';
import { ruleSource } from '../../data/rules';

export function RuleSource({ id }: { id: string }) {
  const t = useTranslate();
  const [state, setState] = useState<{ text?: string; error?: string }>({});
  useEffect(() => {
    let live = true;
    ruleSource(id).then(
      (text) => live && setState({ text }),
      (e: unknown) => live && setState({ error: describeError(t, e) }),
    );
    return () => {
      live = false;
    };
  }, [id, t]);
  if (state.error) return <Alert severity="error">{state.error}</Alert>;
  if (state.text === undefined) return <CircularProgress size={20} />;
  return (
    <Box
      component="pre"
      data-testid="rule-source"
      sx={{ m: 0, p: 1.5, fontSize: 12, maxHeight: 420, overflow: 'auto', bgcolor: 'action.hover', borderRadius: 1, whiteSpace: 'pre-wrap' }}
    >
      {state.text}
    </Box>
  );
}
