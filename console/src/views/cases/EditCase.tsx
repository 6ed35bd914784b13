/**
 * Editing a case's fields from its page (editCase): title, description, severity, tags, sharing
 * level and classification. Only the fields changed are sent, with the version the page shows, so
 * an edit made meanwhile by someone else is refused rather than overwritten.
 */
import { Button, Dialog, DialogActions, DialogContent, DialogTitle, MenuItem, TextField } from '@mui/material';
import { useState } from 'react';
import { useTranslate } from 'react-admin';
import { SEVERITIES } from '../../data/alerts';
import { type CaseRecord, TLP_LEVELS } from '../../data/cases';
import { useCaseChange } from './useCaseChange';

const CLASSIFICATIONS = ['公开', '内部', '敏感', '涉密'] as const;

const tagList = (v: string) => [
  ...new Set(
    v
      .split(/[,，\n]/)
      .map((x) => x.trim())
      .filter((x) => x !== ''),
  ),
];

/** The fields that differ from the case, as CaseEditInput takes them. */
export function caseEdit(c: CaseRecord, form: { title: string; description: string; severity: string; tags: string; tlp: string; classification: string }) {
  const tags = tagList(form.tags);
  return {
    ...(form.title.trim() !== c.title ? { title: form.title.trim() } : {}),
    ...(form.description !== c.description ? { description: form.description } : {}),
    ...(form.severity !== c.severity ? { severity: form.severity } : {}),
    ...(tags.join('\n') !== c.tags.join('\n') ? { tags } : {}),
    ...(form.tlp !== c.tlp ? { tlp: form.tlp } : {}),
    ...(form.classification !== c.classification ? { classification: form.classification } : {}),
  };
}

function EditDialog({ c, onClose }: { c: CaseRecord; onClose: () => void }) {
  const t = useTranslate();
  const { pending, run } = useCaseChange(c.id);
  const [form, setForm] = useState({
    title: c.title,
    description: c.description,
    severity: c.severity,
    tags: c.tags.join(', '),
    tlp: c.tlp,
    classification: c.classification,
  });
  const set = (k: keyof typeof form) => (e: { target: { value: string } }) => setForm({ ...form, [k]: e.target.value });
  const edit = caseEdit(c, form);
  const changed = Object.keys(edit).length > 0;
  return (
    <Dialog open onClose={onClose} fullWidth maxWidth="sm">
      <DialogTitle>{t('citysoc.cases.edit_title')}</DialogTitle>
      <DialogContent sx={{ display: 'flex', flexDirection: 'column', gap: 2, pt: '8px !important' }}>
        <TextField
          required
          label={t('resources.cases.fields.title')}
          name="title"
          value={form.title}
          onChange={set('title')}
          slotProps={{ htmlInput: { maxLength: 300 } }}
        />
        <TextField
          label={t('resources.cases.fields.description')}
          name="description"
          value={form.description}
          onChange={set('description')}
          multiline
          minRows={3}
          slotProps={{ htmlInput: { maxLength: 8000 } }}
        />
        <TextField select label={t('resources.cases.fields.severity')} name="severity" value={form.severity} onChange={set('severity')}>
          {SEVERITIES.map((s) => (
            <MenuItem key={s} value={s}>
              {t(`citysoc.severity.${s}`)}
            </MenuItem>
          ))}
        </TextField>
        <TextField label={t('resources.cases.fields.tags')} name="tags" value={form.tags} onChange={set('tags')} helperText={t('citysoc.cases.list_help')} />
        <TextField select label={t('resources.cases.fields.tlp')} name="tlp" value={form.tlp} onChange={set('tlp')}>
          {TLP_LEVELS.map((l) => (
            <MenuItem key={l} value={l}>
              {t(`citysoc.cases.tlp.${l}`)}
            </MenuItem>
          ))}
        </TextField>
        <TextField select label={t('resources.cases.fields.classification')} name="classification" value={form.classification} onChange={set('classification')}>
          {CLASSIFICATIONS.map((l) => (
            <MenuItem key={l} value={l}>
              {l}
            </MenuItem>
          ))}
        </TextField>
      </DialogContent>
      <DialogActions>
        <Button onClick={onClose}>{t('ra.action.cancel')}</Button>
        <Button
          variant="contained"
          data-testid="edit-confirm"
          disabled={pending || !changed || form.title.trim() === ''}
          onClick={() => void run('editCase', { edit, expectedVersion: c.version }, 'citysoc.cases.edited').then((ok) => ok && onClose())}
        >
          {t('ra.action.save')}
        </Button>
      </DialogActions>
    </Dialog>
  );
}

export function EditCase({ c }: { c: CaseRecord }) {
  const t = useTranslate();
  const [open, setOpen] = useState(false);
  if (c.mergedInto) return null;
  return (
    <>
      <Button variant="outlined" onClick={() => setOpen(true)} data-testid="case-edit">
        {t('citysoc.cases.edit')}
      </Button>
      {open && <EditDialog c={c} onClose={() => setOpen(false)} />}
    </>
  );
}
