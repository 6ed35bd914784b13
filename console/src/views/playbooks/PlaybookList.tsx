/** The deployed playbooks: turn one on or off (its runs are then accountable to you), and open the editor with your session. */
import { Button } from '@mui/material';
import EditIcon from '@mui/icons-material/Edit';
import { useState } from 'react';
import { CanAccess, DataTable, List, TopToolbar, useNotify, useRecordContext, useRefresh, useTranslate } from 'react-admin';
import { session } from '../../auth/session';
import { describeError } from '../../components/errors';
import { WhenField } from '../../components/When';
import { type PlaybookRecord, setPlaybookEnabled } from '../../data/playbooks';

function EnabledField(_: { label?: string }) {
  const r = useRecordContext<PlaybookRecord>();
  const t = useTranslate();
  return r ? <>{t(r.enabled ? 'citysoc.playbooks.on' : 'citysoc.playbooks.off')}</> : null;
}

function TriggersField(_: { label?: string }) {
  const r = useRecordContext<PlaybookRecord>();
  return r ? <>{r.triggers.join(', ')}</> : null;
}

function ToggleButton() {
  const r = useRecordContext<PlaybookRecord>();
  const t = useTranslate();
  const notify = useNotify();
  const refresh = useRefresh();
  const [busy, setBusy] = useState(false);
  if (!r) return null;
  const toggle = async () => {
    setBusy(true);
    try {
      await setPlaybookEnabled(r.id, !r.enabled);
      refresh();
    } catch (e) {
      notify(describeError(t, e), { type: 'error' });
    } finally {
      setBusy(false);
    }
  };
  return (
    <CanAccess resource="playbooks" action="author">
      <Button size="small" variant="outlined" disabled={busy} onClick={() => void toggle()}>
        {t(r.enabled ? 'citysoc.playbooks.disable' : 'citysoc.playbooks.enable')}
      </Button>
    </CanAccess>
  );
}

/** Node-RED's editor signs the user on with their own CitySOC session (README of playbooks/). */
function EditorButton() {
  const t = useTranslate();
  const open = () => {
    const token = session.token();
    if (token) window.open(`/playbooks/editor/?access_token=${encodeURIComponent(token)}`, '_blank', 'noopener');
  };
  return (
    <CanAccess resource="playbooks" action="author">
      <Button size="small" startIcon={<EditIcon />} onClick={open}>
        {t('citysoc.playbooks.editor')}
      </Button>
    </CanAccess>
  );
}

export function PlaybookList() {
  return (
    <List
      exporter={false}
      pagination={false}
      perPage={1000}
      actions={
        <TopToolbar>
          <EditorButton />
        </TopToolbar>
      }
    >
      <DataTable bulkActionButtons={false} rowClick={false}>
        <DataTable.Col source="name" disableSort />
        <DataTable.Col source="description" disableSort />
        <DataTable.Col source="triggers" disableSort>
          <TriggersField />
        </DataTable.Col>
        <DataTable.NumberCol source="nodes" disableSort />
        <DataTable.Col source="enabled" disableSort>
          <EnabledField />
        </DataTable.Col>
        <DataTable.Col source="enabledBy" disableSort />
        <DataTable.Col source="enabledAt" disableSort>
          <WhenField source="enabledAt" />
        </DataTable.Col>
        <DataTable.Col disableSort>
          <ToggleButton />
        </DataTable.Col>
      </DataTable>
    </List>
  );
}
