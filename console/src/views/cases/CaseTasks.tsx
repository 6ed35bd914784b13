/** A case's tasks: who does what by when; adding one, marking it done, cancelling or reopening it. */
import { Box, Button, Table, TableBody, TableCell, TableHead, TableRow, TextField } from '@mui/material';
import { useState } from 'react';
import { CanAccess, useTranslate } from 'react-admin';
import { When } from '../../components/When';
import type { CaseRecord, CaseTask } from '../../data/cases';
import { useCaseChange } from './useCaseChange';

/** The browser's local date and time input as ISO 8601; nothing when empty or not a time. */
function instant(local: string): string | undefined {
  if (local.trim() === '') return undefined;
  const d = new Date(local);
  return Number.isNaN(d.getTime()) ? undefined : d.toISOString();
}

function TaskActions({ c, task }: { c: CaseRecord; task: CaseTask }) {
  const t = useTranslate();
  const { pending, run } = useCaseChange(c.id);
  const set = (status: CaseTask['status']) => void run('updateCaseTask', { taskId: task.id, update: { status } }, 'citysoc.cases.task_updated');
  if (task.status !== 'open')
    return (
      <Button size="small" disabled={pending} onClick={() => set('open')}>
        {t('citysoc.cases.task_reopen')}
      </Button>
    );
  return (
    <>
      <Button size="small" disabled={pending} onClick={() => set('done')} data-testid="task-done">
        {t('citysoc.cases.task_done')}
      </Button>
      <Button size="small" disabled={pending} onClick={() => set('cancelled')}>
        {t('citysoc.cases.task_cancel')}
      </Button>
    </>
  );
}

function AddTask({ c }: { c: CaseRecord }) {
  const t = useTranslate();
  const { pending, run } = useCaseChange(c.id);
  const [title, setTitle] = useState('');
  const [owner, setOwner] = useState('');
  const [due, setDue] = useState('');
  const add = () =>
    void run('addCaseTask', { title: title.trim(), owner: owner.trim(), dueAt: instant(due) }, 'citysoc.cases.task_added').then((ok) => {
      if (!ok) return;
      setTitle('');
      setOwner('');
      setDue('');
    });
  return (
    <Box sx={{ display: 'flex', gap: 1, alignItems: 'center', mt: 1, flexWrap: 'wrap' }}>
      <TextField
        size="small"
        label={t('citysoc.cases.task.title')}
        value={title}
        onChange={(e) => setTitle(e.target.value)}
        name="taskTitle"
        sx={{ flexGrow: 1 }}
      />
      <TextField size="small" label={t('citysoc.cases.task.owner')} value={owner} onChange={(e) => setOwner(e.target.value)} name="taskOwner" />
      <TextField
        size="small"
        type="datetime-local"
        label={t('citysoc.cases.task.due')}
        value={due}
        onChange={(e) => setDue(e.target.value)}
        name="taskDue"
        slotProps={{ inputLabel: { shrink: true } }}
      />
      <Button variant="contained" disabled={pending || title.trim() === ''} onClick={add}>
        {t('citysoc.cases.add_task')}
      </Button>
    </Box>
  );
}

export function CaseTasks({ c }: { c: CaseRecord }) {
  const t = useTranslate();
  return (
    <>
      <Table size="small" data-testid="case-tasks">
        <TableHead>
          <TableRow>
            <TableCell>{t('citysoc.cases.task.id')}</TableCell>
            <TableCell>{t('citysoc.cases.task.title')}</TableCell>
            <TableCell>{t('citysoc.cases.task.owner')}</TableCell>
            <TableCell>{t('citysoc.cases.task.due')}</TableCell>
            <TableCell>{t('citysoc.cases.task.status')}</TableCell>
            <TableCell />
          </TableRow>
        </TableHead>
        <TableBody>
          {c.tasks.map((task) => (
            <TableRow key={task.id} data-testid="case-task" data-status={task.status}>
              <TableCell>{task.id}</TableCell>
              <TableCell>{task.title}</TableCell>
              <TableCell>{task.owner ?? '—'}</TableCell>
              <TableCell>
                <When value={task.dueAt} />
              </TableCell>
              <TableCell>{t(`citysoc.cases.task_status.${task.status}`, { _: task.status })}</TableCell>
              <TableCell align="right">
                {!c.mergedInto && (
                  <CanAccess resource="cases" action="work">
                    <TaskActions c={c} task={task} />
                  </CanAccess>
                )}
              </TableCell>
            </TableRow>
          ))}
        </TableBody>
      </Table>
      {!c.mergedInto && (
        <CanAccess resource="cases" action="work">
          <AddTask c={c} />
        </CanAccess>
      )}
    </>
  );
}
