/**
 * The assignee picker: an autocomplete over the users the server says may work the item(s) and
 * see them (assignableUsers, the judgement assignment itself makes), asked again as the person
 * types (one question per pause in typing). For several alerts the server answers, in one call,
 * only the users who may work every one of them. Only a name picked from the list is taken; a
 * display name is shown as text beside the username ("张伟 (zhangwei)").
 */
import { Autocomplete, TextField } from '@mui/material';
import { useEffect, useState } from 'react';
import { useTranslate } from 'react-admin';
import { type AssignableUser, assignableUsers, MAX_ASSIGNABLE_ALERTS } from '../data/users';

export type PickerTarget = { caseId: string } | { alertIds: readonly string[] };

async function candidates(target: PickerTarget, text: string): Promise<AssignableUser[]> {
  if ('caseId' in target) return assignableUsers({ caseId: target.caseId }, text);
  // more alerts than one question may name: nobody is offered rather than someone who may not see the rest
  if (target.alertIds.length === 0 || target.alertIds.length > MAX_ASSIGNABLE_ALERTS) return [];
  return assignableUsers({ alertIds: target.alertIds }, text);
}

export function UserPicker({
  target,
  value,
  onChange,
  label,
}: {
  target: PickerTarget;
  value: string | null;
  onChange: (v: string | null) => void;
  label: string;
}) {
  const t = useTranslate();
  const [text, setText] = useState(value ?? '');
  const [options, setOptions] = useState<AssignableUser[]>([]);
  const [loading, setLoading] = useState(false);
  const key = JSON.stringify(target);
  useEffect(() => {
    let live = true;
    setLoading(true);
    const timer = setTimeout(() => {
      candidates(JSON.parse(key) as PickerTarget, text === value ? '' : text)
        .then((users) => live && setOptions(users))
        .catch(() => live && setOptions([]))
        .finally(() => live && setLoading(false));
    }, 200);
    return () => {
      live = false;
      clearTimeout(timer);
    };
  }, [key, text, value]);
  const selected = options.find((o) => o.username === value) ?? (value ? { username: value, displayName: null } : null);
  // the current assignee stays a valid value while the list is asked for again
  const shown = selected && !options.includes(selected) ? [selected, ...options] : options;
  return (
    <Autocomplete
      options={shown}
      loading={loading}
      value={selected}
      onChange={(_, v) => onChange(v?.username ?? null)}
      inputValue={text}
      onInputChange={(_, v) => setText(v)}
      filterOptions={(x) => x}
      isOptionEqualToValue={(a, b) => a.username === b.username}
      getOptionLabel={(o) => (o.displayName ? `${o.displayName} (${o.username})` : o.username)}
      noOptionsText={t('citysoc.cases.picker_none')}
      loadingText={t('ra.page.loading')}
      renderInput={(params) => <TextField {...params} label={label} name="assignee" helperText={t('citysoc.cases.picker_help')} />}
    />
  );
}
