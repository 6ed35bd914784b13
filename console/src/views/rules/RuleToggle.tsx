/** Turns a rule on or off (rules:manage); the running consumers follow at once. */
import { Button } from '@mui/material';
import { CanAccess, useRecordContext, useTranslate } from 'react-admin';
import { useChange } from '../../components/useChange';
import { type RuleRecord, setRuleEnabled } from '../../data/rules';

export function RuleToggle(_: { label?: string | false }) {
  const r = useRecordContext<RuleRecord>();
  const t = useTranslate();
  const { busy, run } = useChange();
  if (!r) return null;
  const toggle = () =>
    run(async () => {
      const now = await setRuleEnabled(r.id, !r.enabled);
      return { message: now.enabled ? 'citysoc.rules.enabled_now' : 'citysoc.rules.disabled_now', args: { title: now.title } };
    });
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
