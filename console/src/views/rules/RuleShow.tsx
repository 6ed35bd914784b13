/** One rule: what it is, on or off (turned in place), its file as written, and the test against a pasted event. */
import { Card, CardContent, Stack, Typography } from '@mui/material';
import { Show, SimpleShowLayout, TextField, useRecordContext, useTranslate } from 'react-admin';
import type { RuleRecord } from '../../data/rules';
import { FileField, KindField } from './RuleList';
import { RuleSource } from './RuleSource';
import { RuleTestPanel } from './RuleTestPanel';
import { RuleEnabledChip, RuleToggle } from './RuleToggle';

function Details() {
  const r = useRecordContext<RuleRecord>();
  const t = useTranslate();
  if (!r) return null;
  return (
    <Stack spacing={2} sx={{ mt: 2 }}>
      <Card variant="outlined">
        <CardContent>
          <Typography variant="h6" gutterBottom>
            {t('citysoc.rules.source')}
          </Typography>
          <RuleSource id={r.id} />
        </CardContent>
      </Card>
      <Card variant="outlined">
        <CardContent>
          <Typography variant="h6" gutterBottom>
            {t('citysoc.rules.test.title')}
          </Typography>
          <RuleTestPanel id={r.id} />
        </CardContent>
      </Card>
    </Stack>
  );
}

export function RuleShow() {
  return (
    <Show>
      <SimpleShowLayout>
        <TextField source="title" />
        <TextField source="id" />
        <KindField label="resources.rules.fields.kind" />
        <FileField label="resources.rules.fields.file" />
        <RuleEnabledChip label="resources.rules.fields.enabled" />
        <RuleToggle label={false} />
      </SimpleShowLayout>
      <Details />
    </Show>
  );
}
