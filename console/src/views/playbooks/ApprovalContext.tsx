/** What an approver needs to decide, from the approval's context: the alert's rule, department and entities, and the enrichment. */
import { Box } from '@mui/material';
import { useTranslate } from 'react-admin';
import type { ApprovalRecord } from '../../data/playbooks';

interface AlertContext {
  id?: string;
  rule?: { name?: string; severity?: string };
  department?: string;
  entities?: { type: string; value: string }[];
}

export function ApprovalContext({ approval }: { approval: ApprovalRecord }) {
  const t = useTranslate();
  const alert = (approval.context.alert ?? null) as AlertContext | null;
  const enrichment = approval.context.enrichment;
  return (
    <Box component="span" sx={{ fontSize: 12 }} data-testid="approval-context">
      {alert?.rule?.name && (
        <span>
          {t('citysoc.playbooks.alert')}: {alert.rule.name}
          {alert.rule.severity ? ` (${t(`citysoc.severity.${alert.rule.severity}`, { _: alert.rule.severity })})` : ''}{' '}
        </span>
      )}
      {alert?.entities?.length ? (
        <Box component="span" sx={{ fontFamily: 'monospace' }}>
          {alert.entities
            .slice(0, 4)
            .map((e) => `${e.type}:${e.value}`)
            .join(' ')}{' '}
        </Box>
      ) : null}
      {enrichment !== undefined && (
        <Box component="span" sx={{ fontFamily: 'monospace' }} title={JSON.stringify(enrichment, null, 2)}>
          {t('citysoc.playbooks.enrichment')}: {JSON.stringify(enrichment).slice(0, 120)}
        </Box>
      )}
    </Box>
  );
}
