/** A case's tasks: who does what by when; adding one, marking it done, cancelling or reopening it. */
import { Button, Table, TableBody, TableCell, TableHead, TableRow } from '@mui/material';
import { CanAccess, useTranslate } from 'react-admin';
import { AddRowForm } from '../../components/AddRowForm';
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
  return (
    <AddRowForm
      pending={pending}
      submit={t('citysoc.cases.add_task')}
      fields={[
        { name: 'taskTitle', label: t('citysoc.cases.task.title'), required: true, grow: true },
        { name: 'taskOwner', label: t('citysoc.cases.task.owner') },
        { name: 'taskDue', label: t('citysoc.cases.task.due'), kind: 'datetime' },
      ]}
      onAdd={(v) => run('addCaseTask', { title: v.taskTitle, owner: v.taskOwner, dueAt: instant(v.taskDue ?? '') }, 'citysoc.cases.task_added')}
    />
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
