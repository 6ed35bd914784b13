/**
 * Tries the rule on an event pasted as JSON: the server answers whether the detect stage would
 * match it, which conditions and selections held, the fields that matched and the event as
 * matched; a correlation or a filter answers that one event cannot decide it.
 */
import { Alert, Box, Button, Chip, Stack, TextField, Typography } from '@mui/material';
import { useState } from 'react';
import { useTranslate } from 'react-admin';
import { describeError } from '../../components/errors';
import { type RuleTestPart, type RuleTestRecord, testRule } from '../../data/rules';

function Parts({ title, parts, testid }: { title: string; parts: RuleTestPart[]; testid: string }) {
  const t = useTranslate();
  if (parts.length === 0) return null;
  return (
    <Box>
      <Typography variant="subtitle2">{title}</Typography>
      <Stack direction="row" spacing={1} useFlexGap flexWrap="wrap" data-testid={testid}>
        {parts.map((p) => (
          <Chip
            key={p.name}
            size="small"
            variant="outlined"
            color={p.matched ? 'success' : 'default'}
            data-matched={String(p.matched)}
            label={`${p.name}: ${t(p.matched ? 'citysoc.rules.test.held' : 'citysoc.rules.test.not_held')}`}
          />
        ))}
      </Stack>
    </Box>
  );
}

function Answer({ answer }: { answer: RuleTestRecord }) {
  const t = useTranslate();
  if (answer.needsStream)
    return (
      <Alert severity="info" data-testid="rule-test-verdict" data-verdict="needs-stream">
        {t('citysoc.rules.test.needs_stream')}: {answer.note}
      </Alert>
    );
  return (
    <Stack spacing={1.5}>
      <Alert severity={answer.matched ? 'warning' : 'success'} data-testid="rule-test-verdict" data-verdict={answer.matched ? 'matched' : 'not-matched'}>
        {t(answer.matched ? 'citysoc.rules.test.matched' : 'citysoc.rules.test.not_matched')}
        {' · '}
        {t(answer.logsourceMatched ? 'citysoc.rules.test.logsource_ok' : 'citysoc.rules.test.logsource_no')}
        {answer.note ? ` · ${answer.note}` : ''}
      </Alert>
      <Parts title={t('citysoc.rules.test.conditions')} parts={answer.conditions} testid="rule-test-conditions" />
      <Parts title={t('citysoc.rules.test.selections')} parts={answer.selections} testid="rule-test-selections" />
      <Typography variant="body2">
        {t('citysoc.rules.test.fields')}: {answer.matchedFields.length ? answer.matchedFields.join(', ') : t('citysoc.rules.test.none')}
      </Typography>
      <Typography variant="subtitle2">{t('citysoc.rules.test.event')}</Typography>
      <Box component="pre" sx={{ m: 0, p: 1, fontSize: 11, maxHeight: 300, overflow: 'auto', bgcolor: 'action.hover', borderRadius: 1 }}>
        {JSON.stringify(answer.event, null, 2)}
      </Box>
    </Stack>
  );
}

export function RuleTestPanel({ id }: { id: string }) {
  const t = useTranslate();
  const [text, setText] = useState('');
  const [busy, setBusy] = useState(false);
  const [result, setResult] = useState<{ answer?: RuleTestRecord; error?: string }>({});
  const run = async () => {
    setBusy(true);
    try {
      setResult({ answer: await testRule(id, text) });
    } catch (e) {
      setResult({ error: describeError(t, e) });
    } finally {
      setBusy(false);
    }
  };
  return (
    <Stack spacing={1.5}>
      <TextField
        label={t('citysoc.rules.test.paste')}
        helperText={t('citysoc.rules.test.hint')}
        multiline
        minRows={6}
        maxRows={20}
        value={text}
        onChange={(e) => setText(e.target.value)}
        slotProps={{ htmlInput: { 'data-testid': 'rule-test-event', spellCheck: false, style: { fontFamily: 'monospace', fontSize: 12 } } }}
      />
      <Box>
        <Button variant="contained" disabled={busy || text.trim() === ''} onClick={() => void run()} data-testid="rule-test-run">
          {t('citysoc.rules.test.run')}
        </Button>
      </Box>
      {result.error && (
        <Alert severity="error" data-testid="rule-test-error">
          {result.error}
        </Alert>
      )}
      {result.answer && <Answer answer={result.answer} />}
    </Stack>
  );
}
