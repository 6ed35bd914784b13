/**
 * The admin's rules and sources views in Chromium against a real platform with part of the loghub
 * OpenSSH sample ingested for two departments (and one unreadable line): the admin turns a rule
 * off and on again from the list, filters the list, reads a rule's source and tests it against a
 * pasted event that matches, one that does not, one that is not JSON and a correlation; the
 * sources view shows the ingested sources with the counts the API holds, a source with dead
 * letters marked; an analyst (rules:read, no rules:manage) sees the rules but no switch, and the
 * API refuses the switch. Both languages, screenshots in e2e/screenshots, no console errors.
 */
import { adminSession, signInAs, STRONG } from '../../server/test-support/harness';
import {
  type Browser,
  CJK,
  type ConsoleSite,
  gqlAs,
  ingestOpenSsh,
  launchBrowser,
  openSshLines,
  settled,
  shot,
  signIn,
  startConsoleSite,
  type TrackedPage,
  visibleLabels,
} from './support';

jest.setTimeout(180_000);

const ROOT_RULE = '167d9478-7807-4ee7-981c-14f913d6287c';
const BRUTE_FORCE = 'ad814613-1f7e-4fdb-880b-033b3f69c4b8';
/** The labels the rules and sources pages show: column headers, buttons, form labels, the title. */
const LABELS = 'th, button, label, header h6';
const ROOT_LOGIN = {
  '@timestamp': '2026-03-02T02:00:00Z',
  event: { dataset: 'openssh.auth', action: 'ssh_login', outcome: 'success' },
  user: { name: 'root' },
  source: { ip: '10.0.0.1' },
};

describe('the rules and sources views in Chromium', () => {
  let site: ConsoleSite;
  let browser: Browser;
  let admin: TrackedPage;
  let adminToken: string;

  const api = <T>(query: string, variables: Record<string, unknown> = {}, token = adminToken): Promise<T> => gqlAs<T>(site, token, query, variables);
  const rootEnabled = async () =>
    (await api<{ rules: { id: string; enabled: boolean }[] }>('{rules{id enabled}}')).rules.find((r) => r.id === ROOT_RULE)!.enabled;

  beforeAll(async () => {
    site = await startConsoleSite();
    const lines = openSshLines();
    await ingestOpenSsh(site, lines.slice(0, 300), '城管', 'LabSZ');
    await ingestOpenSsh(site, lines.slice(300, 500), '公安', 'LabSZ-2');
    // One line a collector cut in half: a dead letter of its own source.
    const token = (await site.running.platform.identity.issueApiToken('fluent-bit-broken', ['collector'], 'test')).token;
    const res = await fetch(`${site.running.platform.url}/ingest/v1/fluent-bit/citysoc.openssh._.broken-01?department=${encodeURIComponent('交通')}`, {
      method: 'POST',
      headers: { authorization: `Bearer ${token}`, 'content-type': 'application/x-ndjson' },
      body: '{"date": 1700000000, "log": ',
    });
    expect(((await res.json()) as { deadLettered: number }).deadLettered).toBe(1);
    adminToken = await adminSession(site.running);
    browser = await launchBrowser();
    admin = await browser.page();
    await signIn(admin, site, 'admin', STRONG);
    await admin.waitForURL(/#\/$/);
  });
  afterAll(async () => {
    await browser?.close();
    await site?.stop();
  });
  afterEach(() => {
    expect(admin?.problems.splice(0) ?? []).toEqual([]);
  });

  it('filters the rules by kind, state and text as the rules are', async () => {
    const all = (await api<{ rules: { id: string; title: string; kind: string; enabled: boolean }[] }>('{rules{id title kind enabled}}')).rules;
    const correlations = all.filter((r) => r.kind === 'correlation');
    expect(correlations.length).toBeGreaterThan(0);
    await admin.goto(`${site.url}/#/rules?filter=${encodeURIComponent(JSON.stringify({ kind: 'correlation' }))}&perPage=200`);
    await admin.locator('tbody tr').first().waitFor();
    await settled(admin);
    expect((await admin.locator('tbody tr td.column-kind').allInnerTexts()).map((s) => s.trim())).toEqual(correlations.map(() => '关联规则'));
    await admin.goto(`${site.url}/#/rules?filter=${encodeURIComponent(JSON.stringify({ q: 'root login' }))}`);
    await admin.locator('tbody tr', { hasText: 'SSH Root Login Accepted' }).waitFor();
    await settled(admin);
    const titles = await admin.locator('tbody tr td.column-title').allInnerTexts();
    expect(titles.map((s) => s.trim())).toEqual(
      all
        .filter((r) => r.title.toLowerCase().includes('root login'))
        .map((r) => r.title)
        .sort(),
    );
    await shot(admin, 'rules.zh-CN');
  });

  it('lets the admin turn a rule off and on again from the list, and the platform follows', async () => {
    expect(await rootEnabled()).toBe(true);
    await admin.goto(`${site.url}/#/rules?filter=${encodeURIComponent(JSON.stringify({ q: ROOT_RULE }))}`);
    const row = admin.locator('tbody tr', { hasText: 'SSH Root Login Accepted' });
    await row.waitFor();
    await row.getByTestId('rule-toggle').click();
    await row.locator('[data-testid="rule-enabled"][data-enabled="false"]').waitFor();
    await expect(row.getByTestId('rule-enabled').innerText()).resolves.toBe('已停用');
    expect(await rootEnabled()).toBe(false);
    await row.getByTestId('rule-toggle').click();
    await row.locator('[data-testid="rule-enabled"][data-enabled="true"]').waitFor();
    expect(await rootEnabled()).toBe(true);
    // Only the enabled ones when asked
    await admin.goto(`${site.url}/#/rules?filter=${encodeURIComponent(JSON.stringify({ enabled: 'off' }))}`);
    await settled(admin);
    expect(await admin.locator('tbody tr', { hasText: 'SSH Root Login Accepted' }).count()).toBe(0);
  });

  it("shows a rule's source and tests it against pasted events: one that matches, one that does not, one that is not JSON", async () => {
    await admin.goto(`${site.url}/#/rules/${encodeURIComponent(ROOT_RULE)}/show`);
    const source = admin.getByTestId('rule-source');
    await source.waitFor();
    const yaml = (await api<{ ruleSource: string }>(`{ruleSource(id:"${ROOT_RULE}")}`)).ruleSource;
    expect(await source.innerText()).toBe(yaml);
    expect(yaml).toContain('title: SSH Root Login Accepted');

    const paste = async (text: string) => {
      await admin.getByTestId('rule-test-event').fill(text);
      await admin.getByTestId('rule-test-run').click();
    };
    await paste(JSON.stringify(ROOT_LOGIN, null, 2));
    await admin.locator('[data-testid="rule-test-verdict"][data-verdict="matched"]').waitFor();
    await expect(admin.getByTestId('rule-test-verdict').innerText()).resolves.toContain('规则命中此事件');
    expect(await admin.getByTestId('rule-test-selections').locator('[data-matched="true"]').allInnerTexts()).toEqual([
      'selection: 成立',
      '_pipeline_dataset_sshd: 成立',
    ]);
    await settled(admin);
    await admin.getByTestId('rule-test-verdict').evaluate((el) => el.scrollIntoView({ block: 'start' }));
    await shot(admin, 'rule-test.zh-CN');

    await paste(JSON.stringify({ ...ROOT_LOGIN, user: { name: 'alice' } }));
    await admin.locator('[data-testid="rule-test-verdict"][data-verdict="not-matched"]').waitFor();
    expect(await admin.getByTestId('rule-test-conditions').innerText()).toBe('selection: 不成立');

    await paste('{"user": {"name": "root"');
    const error = admin.getByTestId('rule-test-error');
    await error.waitFor();
    expect(await error.innerText()).toMatch(/event: not valid JSON: /);

    await admin.goto(`${site.url}/#/rules/${encodeURIComponent(BRUTE_FORCE)}/show`);
    await admin.getByTestId('rule-source').waitFor();
    await paste(JSON.stringify(ROOT_LOGIN));
    await admin.locator('[data-testid="rule-test-verdict"][data-verdict="needs-stream"]').waitFor();
  });

  it('shows every ingested source with the counts the API holds, and marks the one with dead letters', async () => {
    const rows = (
      await api<{ sources: { host: string; sourceType: string; department: string; events: number; deadLetters: number }[] }>(
        '{sources{host sourceType department events deadLetters}}',
      )
    ).sources;
    expect(rows.map((r) => [r.host, r.department, r.events, r.deadLetters]).sort()).toEqual(
      [
        ['LabSZ', '城管', 300, 0],
        ['LabSZ', '公安', 200, 0],
        ['broken-01', '交通', 0, 1],
      ].sort(),
    );
    await admin.goto(`${site.url}/#/sources`);
    await admin.getByTestId('sources-table').waitFor();
    await settled(admin);
    const shown = admin.getByTestId('source-row');
    expect(await shown.count()).toBe(3);
    const table = await shown.evaluateAll((trs) =>
      trs.map((tr) => {
        const cells = [...tr.querySelectorAll('td')].map((td) => (td as HTMLElement).innerText.trim());
        return [cells[2], cells[4], Number(cells[7]), Number(cells[9]), tr.getAttribute('data-state')];
      }),
    );
    expect(table.sort()).toEqual(
      [
        ['LabSZ', '城管', 300, 0, 'ok'],
        ['LabSZ', '公安', 200, 0, 'ok'],
        ['broken-01', '交通', 0, 1, 'failing'],
      ].sort(),
    );
    await shot(admin, 'sources.zh-CN');
  });

  it('lets an analyst read the rules but not turn one off: no switch, and the API refuses it', async () => {
    const token = await signInAs(site.running, adminToken, 'rules_reader', 'analyst', '城管');
    const page = await browser.page();
    await signIn(page, site, 'rules_reader', STRONG);
    await page.waitForURL(/#\/$/);
    await page.goto(`${site.url}/#/rules?filter=${encodeURIComponent(JSON.stringify({ q: ROOT_RULE }))}`);
    await page.locator('tbody tr', { hasText: 'SSH Root Login Accepted' }).waitFor();
    await settled(page);
    expect(await page.getByTestId('rule-toggle').count()).toBe(0);
    const refused = await site.running.gql(`mutation{setRuleEnabled(id:"${ROOT_RULE}",enabled:false){enabled}}`, {}, token);
    expect(refused.errors?.[0]?.extensions?.code).toBe('FORBIDDEN');
    expect(await rootEnabled()).toBe(true);
    expect(page.problems).toEqual([]);
    await page.close();
  });

  it('shows the rules, a test and the sources in English, with no Chinese label left', async () => {
    await admin.goto(`${site.url}/#/rules`);
    await admin.locator('tbody tr').first().waitFor();
    await admin.getByRole('button', { name: '简体中文' }).click();
    await admin.getByRole('menuitem', { name: 'English' }).click();
    await admin.getByRole('button', { name: 'English' }).waitFor();
    await settled(admin);
    expect((await visibleLabels(admin, LABELS)).filter((t) => CJK.test(t))).toEqual([]);
    await shot(admin, 'rules.en');

    await admin.goto(`${site.url}/#/rules/${encodeURIComponent(ROOT_RULE)}/show`);
    await admin.getByTestId('rule-source').waitFor();
    await admin.getByTestId('rule-test-event').fill(JSON.stringify(ROOT_LOGIN));
    await admin.getByTestId('rule-test-run').click();
    await admin.locator('[data-testid="rule-test-verdict"][data-verdict="matched"]').waitFor();
    await expect(admin.getByTestId('rule-test-verdict').innerText()).resolves.toContain('The rule matches this event');
    await settled(admin);
    expect((await visibleLabels(admin, LABELS)).filter((t) => CJK.test(t))).toEqual([]);
    await admin.getByTestId('rule-test-verdict').evaluate((el) => el.scrollIntoView({ block: 'start' }));
    await shot(admin, 'rule-test.en');

    await admin.goto(`${site.url}/#/sources`);
    await admin.getByTestId('sources-table').waitFor();
    await settled(admin);
    expect((await visibleLabels(admin, LABELS)).filter((t) => CJK.test(t))).toEqual([]);
    await expect(admin.locator('[data-state="failing"]').first().innerText()).resolves.toContain('Failures');
    await shot(admin, 'sources.en');

    await admin.getByRole('button', { name: 'English' }).click();
    await admin.getByRole('menuitem', { name: '简体中文' }).click();
    await admin.getByRole('button', { name: '简体中文' }).waitFor();
  });
});
