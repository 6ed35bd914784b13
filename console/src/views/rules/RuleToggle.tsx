/** Turns a rule on or off (rules:manage); the running consumers follow at once. */
import { Button } from '@mui/material';
import { useState } from 'react';
import { CanAccess, useNotify, useRecordContext, useRefresh, useTranslate } from 'react-admin';
import { describeError } from '../../components/errors';
import { type RuleRecord, setRuleEnabled } from '../../data/rules';

export function RuleToggle(_: { label?: string | false }) {
  const r = useRecordContext<RuleRecord>();
  const t = useTranslate();
  const notify = useNotify();
  const refresh = useRefresh();
  const [busy, setBusy] = useState(false);
  if (!r) return null;
  const toggle = async () => {
    setBusy(true);
    try {
      const now = await setRuleEnabled(r.id, !r.enabled);
      notify(now.enabled ? 'citysoc.rules.enabled_now' : 'citysoc.rules.disabled_now', { type: 'success', messageArgs: { title: now.title } });
      refresh();
    } catch (e) {
      notify(describeError(t, e), { type: 'error' });
    } finally {
      setBusy(false);
    }
  };
  return (
    <CanAccess resource="rules" action="toggle">
      <Button
        size="small"
        variant="outlined"
        color={r.enabled ? 'warning' : 'primary'}
        disabled={busy}
        data-testid="rule-toggle"
        onClick={(e) => {
          e.stopPropagation();
          void toggle();
        }}
      >
        {t(r.enabled ? 'citysoc.rules.disable' : 'citysoc.rules.enable')}
      </Button>
    </CanAccess>
  );
}

export function RuleEnabledChip(_: { label?: string }) {
  const r = useRecordContext<RuleRecord>();
  const t = useTranslate();
  if (!r) return null;
  return (
    <span data-testid="rule-enabled" data-enabled={String(r.enabled)}>
      {t(r.enabled ? 'citysoc.rules.on' : 'citysoc.rules.off')}
    </span>
  );
}
