/**
 * Users: who may sign in, with which roles and department, and the display name colleagues pick
 * them by (张伟); a new user gets a one-time password. The display name is shown and edited as
 * plain text (React escapes it); the server checks its length and characters.
 */
import { useState } from 'react';
import {
  BooleanField,
  Create,
  DataTable,
  Edit,
  List,
  required,
  SelectArrayInput,
  SimpleForm,
  TextField,
  TextInput,
  useRedirect,
  useTranslate,
} from 'react-admin';
import { RolesField } from '../../components/Chips';
import { OnceSecretDialog } from '../../components/OnceSecretDialog';
import { WhenField } from '../../components/When';
import { USER_ROLES, type UserRecord } from '../../data/users';

export function useRoleChoices() {
  const t = useTranslate();
  return USER_ROLES.map((r) => ({ id: r, name: t(`citysoc.role.${r}`) }));
}

function DisplayNameInput() {
  const t = useTranslate();
  return <TextInput source="displayName" label="citysoc.users.display_name" helperText={t('citysoc.users.display_name_help')} autoComplete="off" />;
}

export function UserList() {
  return (
    <List exporter={false} pagination={false} perPage={1000}>
      <DataTable bulkActionButtons={false} rowClick="edit">
        <DataTable.Col source="username" disableSort />
        <DataTable.Col source="displayName" label="citysoc.users.display_name" disableSort />
        <DataTable.Col source="roles" disableSort>
          <RolesField />
        </DataTable.Col>
        <DataTable.Col source="department" disableSort />
        <DataTable.Col source="mustChangePassword" disableSort>
          <BooleanField source="mustChangePassword" />
        </DataTable.Col>
        <DataTable.Col source="disabled" disableSort>
          <BooleanField source="disabled" />
        </DataTable.Col>
        <DataTable.Col source="createdAt" disableSort>
          <WhenField source="createdAt" />
        </DataTable.Col>
      </DataTable>
    </List>
  );
}

/** Changes the display name only (a blank one removes it); roles and department keep their own paths. */
export function UserEdit() {
  return (
    <Edit mutationMode="pessimistic" redirect="list">
      <SimpleForm>
        <TextField source="username" />
        <DisplayNameInput />
      </SimpleForm>
    </Edit>
  );
}

export function UserCreate() {
  const t = useTranslate();
  const redirect = useRedirect();
  const [secret, setSecret] = useState<string | null>(null);
  return (
    <>
      <Create mutationOptions={{ onSuccess: (u: UserRecord) => setSecret(u.oneTimePassword ?? '') }} redirect={false}>
        <SimpleForm>
          <TextInput source="username" validate={required()} autoComplete="off" />
          <DisplayNameInput />
          <SelectArrayInput source="roles" choices={useRoleChoices()} validate={required()} />
          <TextInput source="department" />
        </SimpleForm>
      </Create>
      <OnceSecretDialog
        title={t('citysoc.users.one_time_password')}
        secret={secret}
        onClose={() => {
          setSecret(null);
          redirect('list', 'users');
        }}
      />
    </>
  );
}
