/**
 * The audit list's actions: the filter button, and the export of the records the current filters
 * match with their proof (JSON or CSV), which an auditor verifies offline with
 * `citysoc audit verify-export`. The server refuses a filter matching too many records; the
 * message says how to narrow it.
 */
import { Button } from '@mui/material';
import VerifiedUserIcon from '@mui/icons-material/VerifiedUser';
import { useState } from 'react';
import { FilterButton, TopToolbar, useListContext, useNotify, useTranslate } from 'react-admin';
import { describeError } from '../../components/errors';
import { AUDIT_EXPORT_FORMATS, type AuditExportFormat, exportAuditTrail } from '../../data/compliance';
import { saveFile } from './saveFile';

export function AuditExportButtons() {
  const t = useTranslate();
  const notify = useNotify();
  const { filterValues } = useListContext();
  const [busy, setBusy] = useState(false);
  const run = async (format: AuditExportFormat) => {
    setBusy(true);
    try {
      const f = await exportAuditTrail(filterValues as Record<string, unknown>, format);
      saveFile(f.name, f.blob);
      notify('citysoc.compliance.exported', { type: 'success', messageArgs: { file: f.name } });
    } catch (e) {
      notify(describeError(t, e), { type: 'error' });
    } finally {
      setBusy(false);
    }
  };
  return (
    <>
      {AUDIT_EXPORT_FORMATS.map((format) => (
        <Button
          key={format}
          size="small"
          startIcon={<VerifiedUserIcon />}
          disabled={busy}
          onClick={() => void run(format)}
          data-testid={`audit-export-${format}`}
        >
          {t(`citysoc.compliance.export_with_proof.${format}`)}
        </Button>
      ))}
    </>
  );
}

export function AuditListActions() {
  return (
    <TopToolbar>
      <FilterButton />
      <AuditExportButtons />
    </TopToolbar>
  );
}
