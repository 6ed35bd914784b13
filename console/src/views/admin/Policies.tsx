/**
 * Policy lines and changes to them: a change is first previewed against sample decision requests
 * (the decisions it would flip), then applied. The server validates both; its errors are shown as given.
 */
import { Alert, Box, Button, Card, CardContent, MenuItem, Stack, Table, TableBody, TableCell, TableHead, TableRow, TextField, Typography } from '@mui/material';
import { useState } from 'react';
import { CanAccess, DataTable, List, SelectInput, useNotify, useRecordContext, useRefresh, useTranslate } from 'react-admin';
import { describeError } from '../../components/errors';
import {
  applyPolicyChange,
  type PolicyChange,
  type PolicyFlip,
  type PolicyLine,
  type PolicyLineRecord,
  previewPolicyChange,
  PTYPES,
  type Ptype,
} from '../../data/policies';

const SAMPLES = [
  { subject: { user: 'analyst-a', roles: ['analyst'], department: '城管' }, resource: { type: 'events', department: '城管' }, action: 'read' },
  { subject: { user: 'analyst-a', roles: ['analyst'], department: '城管' }, resource: { type: 'events', department: '公安' }, action: 'read' },
  {
    subject: { user: 'analyst-a', roles: ['analyst'], department: '城管' },
    resource: { type: 'dataset', department: '城管', classification: '敏感' },
    action: 'read',
  },
  {
    subject: { user: 'owner-a', roles: ['department_admin'], department: '城管' },
    resource: { type: 'dataset', department: '城管', classification: '敏感' },
    action: 'export',
  },
  { subject: { user: 'auditor-a', roles: ['auditor'] }, resource: { type: 'audit' }, action: 'read' },
];

type Op = PolicyChange['op'];

function parseLine(ptype: Ptype, text: string): PolicyLine {
  return { ptype, values: text.split(',').map((v) => v.trim()) };
}

function ChangePanel({ editing, onDone }: { editing: PolicyLine | null; onDone: () => void }) {
  const t = useTranslate();
  const notify = useNotify();
  const [op, setOp] = useState<Op>(editing ? 'update' : 'add');
  const [ptype, setPtype] = useState<Ptype>(editing?.ptype ?? 'p');
  const [values, setValues] = useState(editing ? editing.values.join(', ') : '');
  const [reason, setReason] = useState('');
  const [samples, setSamples] = useState(JSON.stringify(SAMPLES, null, 1));
  const [flips, setFlips] = useState<PolicyFlip[] | null>(null);
  const [error, setError] = useState<unknown>(null);
  const [busy, setBusy] = useState(false);
  const [previewed, setPreviewed] = useState<string | null>(null);

  const change = (): PolicyChange => {
    const line = parseLine(ptype, values);
    if (op === 'update' && editing) return { op, before: editing, after: line };
    return op === 'remove' ? { op: 'remove', line: editing ?? line } : { op: 'add', line };
  };
  let sampleList: unknown[] | null = null;
  try {
    const v = JSON.parse(samples) as unknown;
    sampleList = Array.isArray(v) ? v : null;
  } catch {
    sampleList = null;
  }
  const key = JSON.stringify(change());
  const preview = async () => {
    setBusy(true);
    setError(null);
    try {
      setFlips(await previewPolicyChange(change(), sampleList ?? []));
      setPreviewed(key);
    } catch (e) {
      setError(e);
    } finally {
      setBusy(false);
    }
  };
  const apply = async () => {
    setBusy(true);
    setError(null);
    try {
      const applied = await applyPolicyChange(change(), reason);
      notify('citysoc.policies.applied', { type: 'success', messageArgs: { version: applied.version } });
      onDone();
    } catch (e) {
      setError(e);
    } finally {
      setBusy(false);
    }
  };
  return (
    <Card variant="outlined" sx={{ mb: 2 }} data-testid="policy-change">
      <CardContent sx={{ display: 'flex', flexDirection: 'column', gap: 2 }}>
        <Typography variant="subtitle1" component="h2">
          {t('citysoc.policies.change')}
        </Typography>
        <Stack direction="row" spacing={1}>
          <TextField select size="small" label={t('citysoc.policies.op')} value={op} onChange={(e) => setOp(e.target.value as Op)} sx={{ minWidth: 120 }}>
            {(editing ? (['update', 'remove'] as const) : (['add'] as const)).map((o) => (
              <MenuItem key={o} value={o}>
                {t(`citysoc.policies.ops.${o}`)}
              </MenuItem>
            ))}
          </TextField>
          <TextField
            select
            size="small"
            label={t('resources.policies.fields.ptype')}
            value={ptype}
            onChange={(e) => setPtype(e.target.value as Ptype)}
            sx={{ minWidth: 90 }}
            disabled={op === 'remove'}
          >
            {PTYPES.map((p) => (
              <MenuItem key={p} value={p}>
                {p}
              </MenuItem>
            ))}
          </TextField>
          <TextField
            size="small"
            fullWidth
            label={t('resources.policies.fields.values')}
            value={values}
            onChange={(e) => setValues(e.target.value)}
            disabled={op === 'remove'}
            helperText={t('citysoc.policies.values_help')}
          />
        </Stack>
        <TextField
          size="small"
          label={t('citysoc.policy_changes.reason_label')}
          value={reason}
          onChange={(e) => setReason(e.target.value)}
          helperText={t('citysoc.policy_changes.reason_help')}
          slotProps={{ htmlInput: { maxLength: 500, 'data-testid': 'policy-change-reason-input' } }}
        />
        <TextField
          label={t('citysoc.policies.samples')}
          multiline
          minRows={4}
          maxRows={12}
          value={samples}
          onChange={(e) => setSamples(e.target.value)}
          error={sampleList === null}
          helperText={sampleList === null ? t('citysoc.policies.samples_invalid') : t('citysoc.policies.samples_help')}
          slotProps={{ htmlInput: { style: { fontFamily: 'monospace', fontSize: 12 } } }}
        />
        <Stack direction="row" spacing={1}>
          <Button variant="outlined" onClick={() => void preview()} disabled={busy || sampleList === null}>
            {t('citysoc.policies.preview')}
          </Button>
          <Button variant="contained" color="warning" onClick={() => void apply()} disabled={busy || previewed !== key}>
            {t('citysoc.policies.apply')}
          </Button>
          <Button onClick={onDone}>{t('ra.action.cancel')}</Button>
        </Stack>
        {error !== null && <Alert severity="error">{describeError(t, error)}</Alert>}
        {flips && (
          <Box data-testid="policy-flips">
            <Typography variant="body2">{t('citysoc.policies.flips', { smart_count: flips.length })}</Typography>
            {flips.length > 0 && (
              <Table size="small">
                <TableHead>
                  <TableRow>
                    <TableCell>#</TableCell>
                    <TableCell>{t('citysoc.policies.request')}</TableCell>
                    <TableCell>{t('citysoc.policies.before')}</TableCell>
                    <TableCell>{t('citysoc.policies.after')}</TableCell>
                  </TableRow>
                </TableHead>
                <TableBody>
                  {flips.map((f) => (
                    <TableRow key={f.index}>
                      <TableCell>{f.index}</TableCell>
                      <TableCell sx={{ fontFamily: 'monospace', fontSize: 12 }}>{JSON.stringify(sampleList?.[f.index])}</TableCell>
                      <TableCell>
                        {t(`citysoc.decision.${f.before.decision}`, { _: f.before.decision })} ({f.before.reason})
                      </TableCell>
                      <TableCell>
                        {t(`citysoc.decision.${f.after.decision}`, { _: f.after.decision })} ({f.after.reason})
                      </TableCell>
                    </TableRow>
                  ))}
                </TableBody>
              </Table>
            )}
          </Box>
        )}
      </CardContent>
    </Card>
  );
}

function EditLineButton({ onEdit }: { onEdit: (l: PolicyLine) => void }) {
  const r = useRecordContext<PolicyLineRecord>();
  const t = useTranslate();
  if (!r) return null;
  return (
    <CanAccess resource="policies" action="apply">
      <Button size="small" onClick={() => onEdit({ ptype: r.ptype, values: r.values })}>
        {t('ra.action.edit')}
      </Button>
    </CanAccess>
  );
}

function ValuesField(_: { label?: string }) {
  const r = useRecordContext<PolicyLineRecord>();
  return r ? <Box sx={{ fontFamily: 'monospace', fontSize: 12 }}>{r.values.join(', ')}</Box> : null;
}

export function PolicyList() {
  const t = useTranslate();
  const refresh = useRefresh();
  const [panel, setPanel] = useState<{ editing: PolicyLine | null; n: number } | null>(null);
  const done = () => {
    setPanel(null);
    refresh();
  };
  const filters = [<SelectInput key="ptype" source="ptype" choices={PTYPES.map((p) => ({ id: p, name: p }))} alwaysOn />];
  return (
    <>
      <CanAccess resource="policies" action="apply">
        <Box sx={{ mt: 2 }}>
          {panel ? (
            <ChangePanel key={panel.n} editing={panel.editing} onDone={done} />
          ) : (
            <Button variant="outlined" onClick={() => setPanel({ editing: null, n: Date.now() })}>
              {t('citysoc.policies.add')}
            </Button>
          )}
        </Box>
      </CanAccess>
      <List filters={filters} exporter={false} pagination={false} perPage={10000}>
        <DataTable bulkActionButtons={false}>
          <DataTable.Col source="ptype" disableSort />
          <DataTable.Col source="values" disableSort>
            <ValuesField />
          </DataTable.Col>
          <DataTable.Col disableSort>
            <EditLineButton onEdit={(l) => setPanel({ editing: l, n: Date.now() })} />
          </DataTable.Col>
        </DataTable>
      </List>
    </>
  );
}
