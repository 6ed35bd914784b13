/** API tokens for machines (collectors, the PDP's callers): issued once, revoked at any time. */
import { useState } from 'react';
import {
  BooleanField,
  Create,
  DataTable,
  DeleteButton,
  List,
  required,
  SelectArrayInput,
  SimpleForm,
  TextInput,
  useRecordContext,
  useRedirect,
  useTranslate,
} from 'react-admin';
import { RolesField } from '../../components/Chips';
import { OnceSecretDialog } from '../../components/OnceSecretDialog';
import { WhenField } from '../../components/When';
import type { ApiTokenRecord } from '../../data/apiTokens';
import { useRoleChoices } from './Users';

function RevokeButton() {
  const r = useRecordContext<ApiTokenRecord>();
  if (!r || r.revoked) return null;
  return (
    <DeleteButton
      label="citysoc.tokens.revoke"
      mutationMode="pessimistic"
      confirmTitle="citysoc.tokens.revoke_title"
      confirmContent="citysoc.tokens.revoke_content"
    />
  );
}

export function ApiTokenList() {
  return (
    <List exporter={false} pagination={false} perPage={1000}>
      <DataTable bulkActionButtons={false}>
        <DataTable.Col source="name" disableSort />
        <DataTable.Col source="roles" disableSort>
          <RolesField />
        </DataTable.Col>
        <DataTable.Col source="createdBy" disableSort />
        <DataTable.Col source="createdAt" disableSort>
          <WhenField source="createdAt" />
        </DataTable.Col>
        <DataTable.Col source="revoked" disableSort>
          <BooleanField source="revoked" />
        </DataTable.Col>
        <DataTable.Col disableSort>
          <RevokeButton />
        </DataTable.Col>
      </DataTable>
    </List>
  );
}

export function ApiTokenCreate() {
  const t = useTranslate();
  const redirect = useRedirect();
  const [secret, setSecret] = useState<string | null>(null);
  return (
    <>
      <Create mutationOptions={{ onSuccess: (r: ApiTokenRecord) => setSecret(r.token ?? '') }} redirect={false}>
        <SimpleForm>
          <TextInput source="name" validate={required()} autoComplete="off" />
          <SelectArrayInput source="roles" choices={useRoleChoices()} validate={required()} />
        </SimpleForm>
      </Create>
      <OnceSecretDialog
        title={t('citysoc.tokens.issued')}
        secret={secret}
        onClose={() => {
          setSecret(null);
          redirect('list', 'apiTokens');
        }}
      />
    </>
  );
}
