/**
 * The 等保 2.0 (GB/T 22239-2019) third-level evidence report for a time range: every requirement
 * CitySOC can evidence with met / partial / gap, the evidence found and what is missing, and the
 * report as a file (HTML, PDF, JSON). What the platform cannot evidence is shown as a gap.
 */
import { Alert, Box, Button, Card, CardContent, Chip, Stack, Table, TableBody, TableCell, TableHead, TableRow, Typography } from '@mui/material';
import DownloadIcon from '@mui/icons-material/Download';
import { useEffect, useState } from 'react';
import { Title, useAuthenticated, useTranslate } from 'react-admin';
import { describeError } from '../../components/errors';
import { TimeRangeFields } from '../../components/TimeRangeFields';
import { When } from '../../components/When';
import {
  type ComplianceReport,
  complianceReport,
  type ComplianceStatus,
  REPORT_FORMATS,
  type ReportFormat,
  type ReportRange,
  renderReport,
  reportFile,
} from '../../data/compliance';
import { useUebaText } from '../entities/RiskLevel';
import { saveFile } from './saveFile';

const STATUS_COLOR: Record<ComplianceStatus, 'success' | 'warning' | 'error'> = { met: 'success', partial: 'warning', gap: 'error' };

function StatusChip({ status }: { status: ComplianceStatus }) {
  const t = useTranslate();
  return <Chip size="small" color={STATUS_COLOR[status]} label={t(`citysoc.compliance.status.${status}`)} data-status={status} />;
}

/** A date input's day (local midnight) as the ISO time the API takes; `to` is the day after, exclusive. */
function dayToIso(day: string, end: boolean): string | undefined {
  if (!day) return undefined;
  const d = new Date(`${day}T00:00:00`);
  if (end) d.setDate(d.getDate() + 1);
  return d.toISOString();
}

export function CompliancePage() {
  useAuthenticated();
  const t = useTranslate();
  const text = useUebaText();
  const [from, setFrom] = useState('');
  const [to, setTo] = useState('');
  const [report, setReport] = useState<ComplianceReport | null>(null);
  const [error, setError] = useState<unknown>(null);
  const [busy, setBusy] = useState(false);
  const range = (): ReportRange => {
    const f = dayToIso(from, false);
    const u = dayToIso(to, true);
    return { ...(f ? { from: f } : {}), ...(u ? { to: u } : {}) };
  };
  const run = async <T,>(work: () => Promise<T>): Promise<T | undefined> => {
    setBusy(true);
    setError(null);
    try {
      return await work();
    } catch (e) {
      setError(e);
      return undefined;
    } finally {
      setBusy(false);
    }
  };
  const generate = () => run(async () => setReport(await complianceReport(range())));
  const download = (format: ReportFormat) =>
    run(async () => {
      const f = reportFile(await renderReport(range(), format), new Date());
      saveFile(f.name, f.blob);
    });
  useEffect(() => {
    void generate();
    // The first report covers everything; later ones follow the chosen range.
  }, []);

  return (
    <Box sx={{ p: 2 }}>
      <Title title={t('citysoc.compliance.title')} />
      <Card variant="outlined" sx={{ mb: 2 }}>
        <CardContent>
          <Typography variant="h6" component="h1" gutterBottom>
            {t('citysoc.compliance.heading')}
          </Typography>
          <Typography variant="body2" color="text.secondary" sx={{ mb: 2 }}>
            {t('citysoc.compliance.explain')}
          </Typography>
          <Stack direction="row" spacing={2} useFlexGap sx={{ alignItems: 'center', flexWrap: 'wrap' }}>
            <TimeRangeFields
              type="date"
              from={from}
              to={to}
              onFrom={setFrom}
              onTo={setTo}
              labels={{ from: 'citysoc.compliance.from', to: 'citysoc.compliance.to' }}
              width={200}
            />
            <Button variant="contained" onClick={() => void generate()} disabled={busy} data-testid="compliance-generate">
              {t('citysoc.compliance.generate')}
            </Button>
            {REPORT_FORMATS.map((f) => (
              <Button
                key={f}
                variant="outlined"
                startIcon={<DownloadIcon />}
                onClick={() => void download(f)}
                disabled={busy}
                data-testid={`compliance-download-${f}`}
              >
                {t(`citysoc.compliance.download.${f}`)}
              </Button>
            ))}
          </Stack>
        </CardContent>
      </Card>
      {error !== null && (
        <Alert severity="error" sx={{ mb: 2 }}>
          {describeError(t, error)}
        </Alert>
      )}
      {report && (
        <Card variant="outlined" data-testid="compliance-report">
          <CardContent>
            <Typography variant="subtitle1" component="h2">
              {text(report.title)}
            </Typography>
            <Typography variant="body2" color="text.secondary" sx={{ mb: 1 }}>
              {t('citysoc.compliance.period')}: {report.evidence.period.from ? <When value={report.evidence.period.from} /> : t('citysoc.compliance.beginning')}{' '}
              — {report.evidence.period.to ? <When value={report.evidence.period.to} /> : t('citysoc.compliance.now')} · {t('citysoc.compliance.generated')}:{' '}
              <When value={report.evidence.generatedAt} />
            </Typography>
            <Stack direction="row" spacing={1} sx={{ mb: 2 }} data-testid="compliance-summary">
              <Chip color="success" label={t('citysoc.compliance.summary.met', { n: report.summary.met })} />
              <Chip color="warning" label={t('citysoc.compliance.summary.partial', { n: report.summary.partial })} />
              <Chip color="error" label={t('citysoc.compliance.summary.gap', { n: report.summary.gap })} />
            </Stack>
            <Table size="small">
              <TableHead>
                <TableRow>
                  <TableCell>{t('citysoc.compliance.clause')}</TableCell>
                  <TableCell>{t('citysoc.compliance.area')}</TableCell>
                  <TableCell>{t('citysoc.compliance.requirement')}</TableCell>
                  <TableCell>{t('citysoc.compliance.state')}</TableCell>
                  <TableCell>{t('citysoc.compliance.evidence')}</TableCell>
                  <TableCell>{t('citysoc.compliance.gaps')}</TableCell>
                </TableRow>
              </TableHead>
              <TableBody>
                {report.items.map((item) => (
                  <TableRow key={item.id} data-testid="compliance-item" sx={{ verticalAlign: 'top' }}>
                    <TableCell sx={{ whiteSpace: 'nowrap' }}>{item.id}</TableCell>
                    <TableCell sx={{ whiteSpace: 'nowrap' }}>{text(item.area)}</TableCell>
                    <TableCell sx={{ minWidth: 260 }}>{text(item.requirement)}</TableCell>
                    <TableCell>
                      <StatusChip status={item.status} />
                    </TableCell>
                    <TableCell sx={{ minWidth: 240 }}>
                      {item.evidence.map((e, i) => (
                        <Typography key={i} variant="body2">
                          {text(e)}
                        </Typography>
                      ))}
                    </TableCell>
                    <TableCell>
                      {item.gaps.map((g, i) => (
                        <Typography key={i} variant="body2" color="error">
                          {text(g)}
                        </Typography>
                      ))}
                    </TableCell>
                  </TableRow>
                ))}
              </TableBody>
            </Table>
          </CardContent>
        </Card>
      )}
    </Box>
  );
}
