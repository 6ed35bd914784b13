/**
 * A case's evidence file: the server builds it (the case, its alerts and events, and the audit
 * records that touch it, with every hash); the browser saves it and shows the SHA-256 of the very
 * bytes saved, with the evidence manifest the file carries, so the copy can be checked later.
 */
import { Box, Button, Stack, Typography } from '@mui/material';
import { useState } from 'react';
import { useNotify, useTranslate } from 'react-admin';
import { describeError } from '../../components/errors';
import { type CaseExportFormat, exportCase } from '../../data/cases';

async function sha256Hex(bytes: Uint8Array<ArrayBuffer>): Promise<string | null> {
  // SubtleCrypto exists only in secure contexts (https or loopback); elsewhere the hash is not shown.
  if (!globalThis.crypto?.subtle) return null;
  const digest = await crypto.subtle.digest('SHA-256', bytes);
  return [...new Uint8Array(digest)].map((b) => b.toString(16).padStart(2, '0')).join('');
}

function manifestOf(format: CaseExportFormat, content: string): string | null {
  if (format !== 'json') return null;
  try {
    const m = (JSON.parse(content) as { evidence?: { manifest?: unknown } }).evidence?.manifest;
    return typeof m === 'string' ? m : null;
  } catch {
    return null;
  }
}

interface Saved {
  fileName: string;
  size: number;
  sha256: string | null;
  manifest: string | null;
}

export function ExportCase({ caseId }: { caseId: string }) {
  const t = useTranslate();
  const notify = useNotify();
  const [pending, setPending] = useState(false);
  const [saved, setSaved] = useState<Saved | null>(null);
  const save = async (format: CaseExportFormat) => {
    setPending(true);
    try {
      const file = await exportCase(caseId, format);
      const bytes = new TextEncoder().encode(file.content);
      const url = URL.createObjectURL(new Blob([bytes], { type: file.contentType }));
      const a = document.createElement('a');
      a.href = url;
      a.download = file.fileName;
      a.click();
      setTimeout(() => URL.revokeObjectURL(url), 60_000);
      setSaved({ fileName: file.fileName, size: bytes.byteLength, sha256: await sha256Hex(bytes), manifest: manifestOf(format, file.content) });
    } catch (e) {
      notify(describeError(t, e), { type: 'error' });
    } finally {
      setPending(false);
    }
  };
  return (
    <Box>
      <Stack direction="row" spacing={1}>
        <Button variant="outlined" disabled={pending} onClick={() => void save('json')} data-testid="export-json">
          {t('citysoc.cases.export_json')}
        </Button>
        <Button variant="outlined" disabled={pending} onClick={() => void save('csv')} data-testid="export-csv">
          {t('citysoc.cases.export_csv')}
        </Button>
        <Button variant="outlined" disabled={pending} onClick={() => void save('html')} data-testid="export-html">
          {t('citysoc.cases.export_html')}
        </Button>
      </Stack>
      {saved && (
        <Box sx={{ mt: 1 }} data-testid="export-result" data-sha256={saved.sha256 ?? ''} data-file={saved.fileName}>
          <Typography variant="body2">{t('citysoc.cases.exported', { file: saved.fileName, size: saved.size })}</Typography>
          {saved.sha256 && (
            <Typography variant="body2" sx={{ fontFamily: 'monospace', fontSize: 12, wordBreak: 'break-all' }}>
              SHA-256 {saved.sha256}
            </Typography>
          )}
          {saved.manifest && (
            <Typography variant="body2" sx={{ fontFamily: 'monospace', fontSize: 12, wordBreak: 'break-all' }} data-testid="export-manifest">
              {t('citysoc.cases.manifest')} {saved.manifest}
            </Typography>
          )}
        </Box>
      )}
    </Box>
  );
}
