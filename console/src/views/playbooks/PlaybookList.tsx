/** The deployed playbooks: turn one on or off (its runs are then accountable to you), and open the editor with your session. */
import { Button } from '@mui/material';
import EditIcon from '@mui/icons-material/Edit';
import { CanAccess, TopToolbar, useRecordContext, useTranslate } from 'react-admin';
import { session } from '../../auth/session';
import { type ColumnSpec, ResourceList } from '../../components/ResourceList';
import { useChange } from '../../components/useChange';
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
  const { busy, run } = useChange();
  if (!r) return null;
  const toggle = () =>
    run(async () => {
      await setPlaybookEnabled(r.id, !r.enabled);
    });
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

const playbookColumns = (): readonly ColumnSpec[] => [
  { source: 'name' },
  { source: 'description' },
  { source: 'triggers', field: <TriggersField /> },
  { source: 'nodes', show: 'number' },
  { source: 'enabled', field: <EnabledField /> },
  { source: 'enabledBy' },
  { source: 'enabledAt', show: 'when' },
  { field: <ToggleButton /> },
];

export function PlaybookList() {
  return (
    <ResourceList
      pagination={false}
      perPage={1000}
      rowClick={false}
      actions={
        <TopToolbar>
          <EditorButton />
        </TopToolbar>
      }
      columns={playbookColumns()}
    />
  );
}
