/**
 * The UEBA and auditor views in Chromium against a real platform: activity on citysoc.events that
 * UEBA scores (two people back after days of silence), the ranked entity list, an entity's page
 * with its risk contributions, anomalies and history (and the way there from a ueba alert), the
 * 等保 2.0 evidence report and its download, and the auditor's export of a filtered trail whose
 * downloaded file verifies offline — in zh-CN and in English, without a console error.
 */
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import type { Download } from 'playwright-core';
import { auditSigningKey } from '../../policy/audit/signing-key';
import { parseExport, verifyExport } from '../../policy/audit/verify-export';
import { auditVerifyExport } from '../../server/audit-command';
import { adminSession, signInAs, STRONG } from '../../server/test-support/harness';
import { type Browser, type ConsoleSite, gqlAs, launchBrowser, settled, shot, signIn, startConsoleSite, type TrackedPage } from './support';

jest.setTimeout(180_000);

/** Short baselines and dormancy, so a few hours of activity make a baseline and a few days of silence an anomaly. */
const UEBA = { 'ueba.latenessMinutes': 0, 'ueba.baseline.window': 8, 'ueba.baseline.minObservations': 5, 'ueba.dormancy.days': 3 };

let n = 0;
/** A data-platform read as enrichment leaves it: the user's department by code, the dataset's owner by name. */
const read = (user: string, dept: string, dataset: string, owner: string, classification: string, local: string) => ({
  key: user,
  value: {
    '@timestamp': `${local}.000+08:00`,
    event: { id: `ueba-e2e-${++n}`, outcome: 'success', kind: 'event' },
    user: { name: user },
    citysoc: { identity: { department: dept }, data: { dataset, action: 'read', classification, owner_department: owner } },
  },
});

const ACTIVITY = [
  ...['2026-06-01T09:10:00', '2026-06-01T10:10:00', '2026-06-01T11:10:00'].map((t) => read('zhaoming', 'ga', 'ga.hukou', '公安', '敏感', t)),
  ...['2026-06-01T09:20:00', '2026-06-01T10:20:00', '2026-06-01T11:20:00'].map((t) => read('lihua', 'cg', 'cg.cases', '城管', '内部', t)),
  read('zhaoming', 'ga', 'ga.hukou', '公安', '敏感', '2026-06-05T10:00:00'),
  read('lihua', 'cg', 'cg.cases', '城管', '内部', '2026-06-09T10:00:00'),
];

interface Risky {
  riskyEntities: { total: number; entities: { key: string; score: number; contributions: { summary: { zh: string; en: string } }[] }[] };
}

describe('the entity, compliance and audit-export views in Chromium', () => {
  let site: ConsoleSite;
  let browser: Browser;
  let adminToken: string;
  let auditorToken: string;
  let risky: Risky['riskyEntities'];
  let downloads: string;
  const pages: TrackedPage[] = [];
  let admin: TrackedPage;
  let auditor: TrackedPage;

  const gql = <T>(token: string, query: string, variables: Record<string, unknown> = {}): Promise<T> => gqlAs<T>(site, token, query, variables);
  const page = async () => {
    const p = await browser.page();
    pages.push(p);
    return p;
  };
  const save = async (d: Download) => {
    const file = path.join(downloads, d.suggestedFilename());
    await d.saveAs(file);
    return file;
  };

  beforeAll(async () => {
    downloads = mkdtempSync(path.join(tmpdir(), 'citysoc-downloads-'));
    site = await startConsoleSite(UEBA);
    adminToken = await adminSession(site.running);
    auditorToken = await signInAs(site.running, adminToken, 'auditor1', 'auditor');
    await site.running.platform.ports.bus.publish('citysoc.events', ACTIVITY);
    // UEBA scores on its own consumer: wait until both people are ranked.
    const deadline = Date.now() + 60_000;
    for (;;) {
      risky = (await gql<Risky>(adminToken, '{riskyEntities(type:"user"){total entities{key score contributions{summary{zh en}}}}}')).riskyEntities;
      if (risky.total >= 2 || Date.now() > deadline) break;
      await new Promise((r) => setTimeout(r, 250));
    }
    browser = await launchBrowser();
  });
  afterAll(async () => {
    await browser?.close();
    await site?.stop();
    rmSync(downloads, { recursive: true, force: true });
  });
  afterEach(() => {
    // No page may have logged an error, a page error or a React warning.
    expect(pages.flatMap((p) => p.problems.splice(0))).toEqual([]);
  });

  it('ranks the entities UEBA scored, riskiest first, with the reason in the user’s language', async () => {
    expect(risky.entities.map((e) => e.key).sort()).toEqual(['user:lihua', 'user:zhaoming']);
    const all = (await gql<Risky>(adminToken, '{riskyEntities{total entities{key score}}}')).riskyEntities;
    admin = await page();
    await signIn(admin, site, 'admin', STRONG);
    await admin.waitForURL(/#\/$/);
    await admin.goto(`${site.url}/#/entities`);
    await admin.locator('tbody tr').first().waitFor();
    await settled(admin, { idleMs: 10_000 });
    const keys = await admin.locator('tbody tr td:first-child').allInnerTexts();
    expect(keys).toEqual(all.entities.map((e) => e.key));
    const scores = (await admin.getByTestId('entity-score').allInnerTexts()).map(Number);
    expect(scores).toEqual(all.entities.map((e) => Number(e.score.toFixed(1))));
    expect([...scores].sort((a, b) => b - a)).toEqual(scores);
    await admin.getByText(risky.entities[0]!.contributions[0]!.summary.zh).first().waitFor();
    await shot(admin, 'entities.zh-CN');

    // The type filter keeps users only.
    await admin.goto(`${site.url}/#/entities?filter=${encodeURIComponent(JSON.stringify({ type: 'user' }))}`);
    await admin.locator('tbody tr').first().waitFor();
    await settled(admin, { idleMs: 10_000 });
    expect(await admin.locator('tbody tr td:first-child').allInnerTexts()).toEqual(risky.entities.map((e) => e.key));
  });

  it('shows an entity’s risk contributions, anomalies with their explanations, baseline and risk history', async () => {
    const top = risky.entities[0]!.key;
    type Detail = {
      entity: {
        entity: { contributions: { feature: string; summary: { zh: string } }[] };
        anomalies: { summary: { zh: string } }[];
        riskHistory: unknown[];
        baseline: unknown[];
      };
    };
    const d = (
      await gql<Detail>(
        adminToken,
        'query($id:ID!){entity(id:$id){entity{contributions{feature summary{zh}}} anomalies{summary{zh}} riskHistory{at} baseline{feature}}}',
        { id: top },
      )
    ).entity;
    expect(d.entity.contributions.length).toBeGreaterThan(0);
    expect(d.riskHistory.length).toBeGreaterThan(0);
    await admin.goto(`${site.url}/#/entities`);
    await admin.locator('tbody tr').first().click();
    await admin.waitForURL(new RegExp(`#/entities/${encodeURIComponent(top).replace(/[.*+?^${}()|[\]\\]/g, '\\$&')}/show$`));
    await admin.getByTestId('contribution').first().waitFor();
    expect(await admin.getByTestId('entity-key').innerText()).toBe(top);
    expect(await admin.getByTestId('contribution').count()).toBe(d.entity.contributions.length);
    for (const c of d.entity.contributions) await admin.getByTestId('contribution').getByText(c.summary.zh).first().waitFor();
    expect(await admin.getByTestId('anomaly').count()).toBe(d.anomalies.length);
    expect(await admin.getByTestId('baseline').locator('tbody tr').count()).toBe(d.baseline.length);
    await admin.getByTestId('risk-history-chart').locator('canvas').first().waitFor();
    await settled(admin, { idleMs: 10_000 });
    await shot(admin, 'entity.zh-CN');
  });

  it('leads from a ueba alert’s entity to the entity page', async () => {
    const queue = (
      await gql<{ alerts: { alerts: { id: string; rule: { type: string }; entities: { type: string; value: string }[] }[] } }>(
        adminToken,
        '{alerts(size:100){alerts{id rule{type} entities{type value}}}}',
      )
    ).alerts.alerts;
    const ueba = queue.find((a) => a.rule.type === 'ueba' && a.entities.some((e) => e.type === 'user'));
    expect(ueba).toBeDefined();
    const user = ueba!.entities.find((e) => e.type === 'user')!.value;
    await admin.goto(`${site.url}/#/alerts/${encodeURIComponent(ueba!.id)}/show`);
    await admin.getByTestId('entity-link').first().click();
    await admin.waitForURL(new RegExp(`#/entities/user%3A${user}/show$`));
    await admin.getByTestId('contribution').first().waitFor();
    expect(await admin.getByTestId('entity-key').innerText()).toBe(`user:${user}`);
  });

  it('shows the auditor the 等保 2.0 evidence report with met, partial and gap per requirement, and downloads it', async () => {
    type Report = { complianceReport: { summary: { met: number; partial: number; gap: number }; content: string } };
    const api = (await gql<Report>(auditorToken, '{complianceReport(standard:"gb22239-2019",level:3,format:"json"){summary{met partial gap} content}}'))
      .complianceReport;
    const items = (JSON.parse(api.content) as { items: { id: string; status: string }[] }).items;
    auditor = await page();
    await signIn(auditor, site, 'auditor1', STRONG);
    await auditor.waitForURL(/#\/$/);
    await auditor.goto(`${site.url}/#/compliance`);
    await auditor.getByTestId('compliance-item').first().waitFor();
    await settled(auditor, { idleMs: 10_000 });
    expect(await auditor.getByTestId('compliance-item').locator('td:first-child').allInnerTexts()).toEqual(items.map((i) => i.id));
    const statuses = await auditor
      .getByTestId('compliance-item')
      .locator('[data-status]')
      .evaluateAll((els) => els.map((e) => e.getAttribute('data-status')));
    expect(statuses).toEqual(items.map((i) => i.status));
    const summary = await auditor.getByTestId('compliance-summary').innerText();
    expect(summary.replace(/\s+/g, '')).toBe(`符合：${api.summary.met}部分符合：${api.summary.partial}差距：${api.summary.gap}`);
    await shot(auditor, 'compliance.zh-CN');

    const [html] = await Promise.all([auditor.waitForEvent('download'), auditor.getByTestId('compliance-download-html').click()]);
    expect(html.suggestedFilename()).toMatch(/^citysoc-gb22239-2019-level3-\d{4}-\d{2}-\d{2}\.html$/);
    const text = readFileSync(await save(html), 'utf8');
    for (const i of items) expect(text).toContain(i.id);
    const [pdf] = await Promise.all([auditor.waitForEvent('download'), auditor.getByTestId('compliance-download-pdf').click()]);
    expect(
      readFileSync(await save(pdf))
        .subarray(0, 5)
        .toString('latin1'),
    ).toBe('%PDF-');
  });

  it('lets the auditor export the filtered trail with its proof, and the downloaded files verify offline', async () => {
    const trusted = auditSigningKey({ dataDir: site.running.dir, audit: { crypto: 'international' } }).fingerprint;
    await auditor.goto(`${site.url}/#/audit`);
    await auditor.locator('tbody tr').first().waitFor();
    await auditor.locator('input[name="actor"]').fill('admin');
    await auditor.waitForURL(/actor/);
    await settled(auditor, { idleMs: 10_000 });
    const before = (await gql<{ auditRecords: { seq: number }[] }>(auditorToken, '{auditRecords(actor:"admin",size:10000){seq}}')).auditRecords.length;
    expect(before).toBeGreaterThan(5);
    await admin.close();

    for (const format of ['json', 'csv'] as const) {
      const [d] = await Promise.all([auditor.waitForEvent('download'), auditor.getByTestId(`audit-export-${format}`).click()]);
      expect(d.suggestedFilename()).toMatch(new RegExp(`^citysoc-audit-.*\\.${format}$`));
      const file = await save(d);
      const e = parseExport(readFileSync(file, 'utf8'));
      expect(e.filter).toEqual({ actor: 'admin' });
      expect(e.records.length).toBeGreaterThanOrEqual(before);
      expect(new Set(e.records.map((r) => r.actor))).toEqual(new Set(['admin']));
      expect(verifyExport(e, { fingerprints: [trusted], keys: [] })).toMatchObject({ ok: true, unsigned: 0, manifest: 'verified' });
      // and as an auditor checks it, with the CLI's verify-export and the pinned key
      let out = '';
      const code = auditVerifyExport(file, [trusted], null, { out: (s) => void (out += s), err: (s) => void (out += s) });
      expect(out).toMatch(
        new RegExp(
          `^export intact: ${e.records.length} records, \\d+ signed checkpoints verified \\(international; ${e.records.length} inclusion proofs, manifest verified\\)\\n$`,
        ),
      );
      expect(code).toBe(0);
    }
    await shot(auditor, 'audit-export.zh-CN');
    // the exports themselves are in the trail, once each, by the auditor
    const exports = (
      await gql<{ auditRecords: { actor: string; decision: string; details: { format: string } }[] }>(
        auditorToken,
        '{auditRecords(action:"audit.export",size:100){actor decision details}}',
      )
    ).auditRecords;
    expect(exports.map((r) => [r.actor, r.decision, r.details.format]).sort()).toEqual([
      ['auditor1', 'allow', 'csv'],
      ['auditor1', 'allow', 'json'],
    ]);
  });

  it('renders the same views in English', async () => {
    await auditor.getByRole('button', { name: '简体中文' }).click();
    await auditor.getByRole('menuitem', { name: 'English' }).click();
    await auditor.getByRole('button', { name: 'English' }).waitFor();
    await settled(auditor, { idleMs: 10_000 });
    await auditor.getByRole('button', { name: 'Export with proof (JSON)' }).waitFor();
    await shot(auditor, 'audit-export.en');
    await auditor.goto(`${site.url}/#/compliance`);
    await auditor.getByTestId('compliance-item').first().waitFor();
    await auditor.getByText('MLPS 2.0 (GB/T 22239-2019) level 3 evidence report').waitFor();
    await settled(auditor, { idleMs: 10_000 });
    await shot(auditor, 'compliance.en');
    await auditor.goto(`${site.url}/#/entities`);
    await auditor.locator('tbody tr').first().waitFor();
    await auditor.getByText(risky.entities[0]!.contributions[0]!.summary.en).first().waitFor();
    await settled(auditor, { idleMs: 10_000 });
    await shot(auditor, 'entities.en');
    await auditor.locator('tbody tr').first().click();
    await auditor.getByTestId('contribution').first().waitFor();
    await auditor.getByRole('heading', { name: 'Risk contributions' }).waitFor();
    await auditor.getByTestId('risk-history-chart').locator('canvas').first().waitFor();
    await settled(auditor, { idleMs: 10_000 });
    await shot(auditor, 'entity.en');
  });
});
