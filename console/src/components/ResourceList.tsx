/**
 * The console's list pages (alerts, entities, cases, approvals, playbooks) described rather than
 * written out: the filter bar as data (choices translated from one message group, text, flags,
 * times), the columns as data (plain, time, "—" when empty, number, or a field of the page's own),
 * and one List + DataTable with the defaults they share (no CSV exporter, 25 a page, the server's
 * order unless a column says it sorts).
 */
import type { ReactElement, ReactNode } from 'react';
import { BooleanInput, DataTable, DateTimeInput, List, type ListProps, SelectArrayInput, SelectInput, TextField, TextInput, useTranslate } from 'react-admin';
import { WhenField } from './When';

/** One input of the filter bar. `messages` names the group of the choices' labels, or builds each label. */
export type FilterSpec =
  | {
      readonly kind: 'choices';
      readonly source: string;
      readonly values: readonly string[];
      readonly messages: string | ((value: string, t: (key: string, o?: object) => string) => string);
      /** Several values at once (a SelectArrayInput); otherwise one. */
      readonly many?: boolean;
      readonly alwaysOn?: boolean;
    }
  | { readonly kind: 'text'; readonly source: string; readonly alwaysOn?: boolean; readonly resettable?: boolean }
  | { readonly kind: 'flag'; readonly source: string; readonly alwaysOn?: boolean }
  | { readonly kind: 'time'; readonly source: string; readonly alwaysOn?: boolean };

/** The filter bar's inputs, translated in the user's language. */
export function useFilterInputs(specs: readonly FilterSpec[]): ReactElement[] {
  const t = useTranslate();
  return specs.map((f) => {
    const on = f.alwaysOn ? { alwaysOn: true } : {};
    switch (f.kind) {
      case 'choices': {
        const label = (v: string) => (typeof f.messages === 'string' ? t(`${f.messages}.${v}`, { _: v }) : f.messages(v, t));
        const choices = f.values.map((v) => ({ id: v, name: label(v) }));
        return f.many ? (
          <SelectArrayInput key={f.source} source={f.source} choices={choices} {...on} />
        ) : (
          <SelectInput key={f.source} source={f.source} choices={choices} {...on} />
        );
      }
      case 'text':
        return <TextInput key={f.source} source={f.source} {...on} {...(f.resettable ? { resettable: true } : {})} />;
      case 'flag':
        return <BooleanInput key={f.source} source={f.source} {...on} />;
      case 'time':
        return <DateTimeInput key={f.source} source={f.source} {...on} />;
    }
  });
}

/** One column: `show` for the common kinds, or `field` for one of the page's own (which reads the record itself). */
export interface ColumnSpec {
  /** The record field (also the header: resources.<name>.fields.<source>). */
  readonly source?: string;
  /** A header message when it is not the source's. */
  readonly label?: string;
  readonly show?: 'text' | 'when' | 'dash' | 'number';
  readonly field?: ReactElement;
  /** The server sorts by it. */
  readonly sortable?: boolean;
}

function column(c: ColumnSpec, i: number): ReactNode {
  const common = {
    key: c.source ?? c.label ?? `col-${i}`,
    ...(c.source ? { source: c.source } : {}),
    ...(c.label ? { label: c.label } : {}),
    disableSort: !c.sortable,
  };
  if (c.show === 'number' && c.source) return <DataTable.NumberCol {...common} source={c.source} />;
  const body =
    c.field ??
    (c.show === 'when' && c.source ? (
      <WhenField source={c.source} />
    ) : c.show === 'dash' && c.source ? (
      <TextField source={c.source} emptyText="—" />
    ) : undefined);
  return <DataTable.Col {...common}>{body}</DataTable.Col>;
}

export interface ResourceListProps extends Omit<ListProps, 'children' | 'filters'> {
  readonly filters?: readonly FilterSpec[];
  readonly columns: readonly ColumnSpec[];
  /** Bulk actions of the selected rows; none by default. */
  readonly bulkActions?: ReactElement | false;
  readonly rowClick?: 'show' | false;
  /** Shown above the table (a note such as "as of"). */
  readonly above?: ReactNode;
}

export function ResourceList({ filters, columns, bulkActions = false, rowClick = 'show', above, ...list }: ResourceListProps) {
  const inputs = useFilterInputs(filters ?? []);
  return (
    <List exporter={false} perPage={25} {...(inputs.length ? { filters: inputs } : {})} {...list}>
      {above}
      <DataTable bulkActionButtons={bulkActions} rowClick={rowClick}>
        {columns.map(column)}
      </DataTable>
    </List>
  );
}
