/** A case's observables (IOCs), each linked to the CitySOC entity of its type; adding and removing them. */
import { Button, Table, TableBody, TableCell, TableHead, TableRow } from '@mui/material';
import { CanAccess, useTranslate } from 'react-admin';
import { Link } from 'react-router-dom';
import { AddRowForm } from '../../components/AddRowForm';
import { When } from '../../components/When';
import { quoteValue } from '../../data/resource';
import { type CaseRecord, OBSERVABLE_TYPES, type ObservableType } from '../../data/cases';
import { useCaseChange } from './useCaseChange';

/** The event field an observable of each type is found under, for a hunt link. */
const HUNT_FIELD: Partial<Record<ObservableType, string>> = { ip: 'source.ip', user: 'user.name', host: 'host.name', dataset: 'citysoc.data.dataset' };

function AddObservable({ c }: { c: CaseRecord }) {
  const t = useTranslate();
  const { pending, run } = useCaseChange(c.id);
  return (
    <AddRowForm
      pending={pending}
      submit={t('citysoc.cases.add_observable')}
      fields={[
        {
          name: 'observableType',
          label: t('citysoc.cases.observable.type'),
          kind: 'select',
          choices: OBSERVABLE_TYPES.map((o) => ({ value: o, label: t(`citysoc.cases.observable_type.${o}`) })),
          initial: 'ip',
          keep: true,
          required: true,
          minWidth: 140,
        },
        { name: 'observableValue', label: t('citysoc.cases.observable.value'), required: true, grow: true },
      ]}
      onAdd={(v) => run('addCaseObservable', { type: v.observableType as ObservableType, value: v.observableValue }, 'citysoc.cases.observable_added')}
    />
  );
}

function RemoveObservable({ c, id }: { c: CaseRecord; id: string }) {
  const t = useTranslate();
  const { pending, run } = useCaseChange(c.id);
  return (
    <Button
      size="small"
      color="error"
      disabled={pending}
      onClick={() => void run('removeCaseObservable', { observableId: id }, 'citysoc.cases.observable_removed')}
    >
      {t('citysoc.cases.remove')}
    </Button>
  );
}

export function CaseObservables({ c }: { c: CaseRecord }) {
  const t = useTranslate();
  return (
    <>
      <Table size="small" data-testid="case-observables">
        <TableHead>
          <TableRow>
            <TableCell>{t('citysoc.cases.observable.type')}</TableCell>
            <TableCell>{t('citysoc.cases.observable.value')}</TableCell>
            <TableCell>{t('citysoc.cases.observable.source')}</TableCell>
            <TableCell>{t('citysoc.cases.observable.added')}</TableCell>
            <TableCell />
          </TableRow>
        </TableHead>
        <TableBody>
          {c.observables.map((o) => {
            const field = HUNT_FIELD[o.type];
            return (
              <TableRow key={o.id} data-testid="case-observable">
                <TableCell>{t(`citysoc.cases.observable_type.${o.type}`, { _: o.type })}</TableCell>
                <TableCell sx={{ fontFamily: 'monospace', fontSize: 12 }}>
                  {field ? <Link to={`/hunt?q=${encodeURIComponent(`${field}:${quoteValue(o.value)}`)}&range=all`}>{o.value}</Link> : o.value}
                </TableCell>
                <TableCell>{o.source}</TableCell>
                <TableCell>
                  {o.addedBy} · <When value={o.addedAt} />
                </TableCell>
                <TableCell align="right">
                  {!c.mergedInto && (
                    <CanAccess resource="cases" action="work">
                      <RemoveObservable c={c} id={o.id} />
                    </CanAccess>
                  )}
                </TableCell>
              </TableRow>
            );
          })}
        </TableBody>
      </Table>
      {!c.mergedInto && (
        <CanAccess resource="cases" action="work">
          <AddObservable c={c} />
        </CanAccess>
      )}
    </>
  );
}
