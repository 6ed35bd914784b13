/**
 * The console in Chromium against a real platform with the loghub OpenSSH sample ingested through
 * the gateway, half of it for 城管 and half for 公安, and a simulated month of the city's data
 * platform (20 people, 30 days, `citysoc up --demo`'s loader): the forced first password change, the alert
 * queue (and a new alert in it live), acknowledging and closing an alert and finding that in the
 * audit trail, hunting (histogram, rows, a syntax error at its position), department isolation, a
 * playbook's approval appearing live and answered from the console until its run finishes, the 大屏
 * refreshed live, the auditor's chain verification, and every main view in both languages without
 * a console error (screenshots in e2e/screenshots).
 */
import type { Page } from 'playwright-core';
import { deployApprovalPlaybook, storeAlert } from '../../server/test-support/approval-playbook';
import { type DemoSummary, seedDemo } from '../../server/demo';
import { signInAs, STRONG } from '../../server/test-support/harness';
import {
  type Browser,
  CJK,
  type ConsoleSite,
  gqlAs,
  ingestOpenSsh,
  launchBrowser,
  openSshLines,
  shot,
  signIn,
  startConsoleSite,
  type TrackedPage,
  visibleLabels,
} from './support';

// A browser against a real platform: minutes, not the unit tests' seconds.
jest.setTimeout(180_000);

/** The simulated month: a few people, thirty days, the demonstration's seed. */
const MONTH = { users: 20, days: 30, seed: 7 } as const;

/** The labels the layout shows: menu entries, column headers, buttons, form labels and the page title. */
const LABELS = '[role="menuitem"], th, button, header h6, label';

/**
 * Waits until no request is in flight and React has painted. Pages with the live alert feed hold
 * a Server-Sent Events stream open, so the network never goes idle there: then it waits until
 * react-admin shows no loading indicator.
 */
async function settled(page: Page): Promise<void> {
  const idle = await page
    .waitForLoadState('networkidle', { timeout: 5_000 })
    .then(() => true)
    .catch(() => false);
  if (!idle) await page.waitForFunction(() => document.querySelectorAll('[role="progressbar"]').length === 0, undefined, { timeout: 30_000 });
  await page.waitForTimeout(idle ? 300 : 800);
}

describe('the console in Chromium', () => {
  let site: ConsoleSite;
  let browser: Browser;
  let admin: TrackedPage;
  let adminToken: string;
  let month: DemoSummary | null;

  beforeAll(async () => {
    site = await startConsoleSite();
    const lines = openSshLines();
    await ingestOpenSsh(site, lines.slice(0, 1000), '城管', 'LabSZ');
    await ingestOpenSsh(site, lines.slice(1000), '公安', 'LabSZ-2');
    // And a simulated month of the city's data platform (its products' own log formats, through
    // the ingest pipeline, with insider scenarios that UEBA raises), as `citysoc up --demo` loads one.
    month = await seedDemo(site.running.platform, site.running.dir, () => undefined, MONTH);
    browser = await launchBrowser();
  }, 600_000);
  afterAll(async () => {
    await browser?.close();
    await site?.stop();
  });
  afterEach(() => {
    // Each test's pages must not have logged an error, a page error or a React warning.
    const problems = admin?.problems.splice(0) ?? [];
    expect(problems).toEqual([]);
  });

  it('makes the first sign-in of the admin change the one-time password before anything else', async () => {
    admin = await browser.page();
    await signIn(admin, site, 'admin', site.running.adminPassword);
    await admin.waitForURL(/#\/change-password$/);
    await shot(admin, 'change-password.zh-CN');
    // Until the change, the API itself refuses the session's other calls.
    const token = await admin.evaluate(() => sessionStorage.getItem('citysoc.token'));
    const refused = await site.running.gql('{alerts{total}}', {}, token!);
    expect(refused.errors![0]!.extensions!.code).toBe('PASSWORD_CHANGE_REQUIRED');
    // Going elsewhere leads back to the change.
    await admin.goto(`${site.url}/#/alerts`);
    await admin.waitForURL(/#\/change-password$/);
    await admin.locator('input[name="current"]').fill(site.running.adminPassword);
    await admin.locator('input[name="next"]').fill(STRONG);
    await admin.locator('input[name="again"]').fill(STRONG);
    await admin.locator('button[type="submit"]').click();
    await admin.waitForURL(/#\/$/);
    await admin.getByTestId('figure-alerts').waitFor();
    adminToken = (await admin.evaluate(() => sessionStorage.getItem('citysoc.token')))!;
    expect(await site.running.gql('{me{name mustChangePassword}}', {}, adminToken)).toEqual({ data: { me: { name: 'admin', mustChangePassword: false } } });
  });

  it('shows the alert queue with the alerts the platform holds', async () => {
    const api = await gqlAs<{ alerts: { total: number } }>(site, adminToken, '{alerts(status:[open,acknowledged,in_progress]){total}}');
    expect(api.alerts.total).toBeGreaterThan(0);
    await admin.goto(`${site.url}/#/alerts`);
    await admin.locator('tbody tr').first().waitFor();
    await settled(admin);
    const rows = await admin.locator('tbody tr').count();
    expect(rows).toBe(Math.min(api.alerts.total, 25));
    await admin.getByText(`共 ${api.alerts.total} 条`).waitFor();
  });

  it('holds the simulated month: every line stored or dead-lettered, its UEBA alerts in the queue and its people ranked on the entities page', async () => {
    expect(month).toMatchObject({ stage: 'done', read: month!.accepted + month!.deadLettered });
    expect(month!.accepted).toBeGreaterThan(1_000);
    type Seen = { alerts: { total: number }; riskyEntities: { entities: { key: string }[] } };
    const seen = await gqlAs<Seen>(site, adminToken, '{alerts(filter:{ruleType:[ueba]},size:1){total} riskyEntities(type:"user",size:5){entities{key}}}');
    expect(seen.alerts.total).toBeGreaterThan(0);
    expect(seen.riskyEntities.entities.length).toBeGreaterThan(0);
    await admin.goto(`${site.url}/#/alerts?filter=${encodeURIComponent(JSON.stringify({ status: [], ruleType: ['ueba'] }))}`);
    await admin.getByText(`共 ${seen.alerts.total} 条`).waitFor();
    await admin.goto(`${site.url}/#/entities?filter=${encodeURIComponent(JSON.stringify({ type: 'user' }))}`);
    await admin.locator('tbody tr').first().waitFor();
    await settled(admin);
    const keys = await admin.locator('tbody tr td:first-child').allInnerTexts();
    expect(keys.slice(0, seen.riskyEntities.entities.length)).toEqual(seen.riskyEntities.entities.map((e) => e.key));
    // Back to the queue's own filter, which the list remembers.
    await admin.goto(`${site.url}/#/alerts?filter=${encodeURIComponent(JSON.stringify({ status: ['open', 'acknowledged', 'in_progress'] }))}`);
    await admin.locator('tbody tr').first().waitFor();
  });

  it('shows a new alert in the queue as it is raised, without a reload', async () => {
    const before = (await gqlAs<{ alerts: { total: number } }>(site, adminToken, '{alerts(status:[open,acknowledged,in_progress]){total}}')).alerts.total;
    await admin.goto(`${site.url}/#/alerts`);
    await admin.getByText(`共 ${before} 条`).waitFor();
    // Marks this page load: a reload would drop the mark.
    await admin.evaluate(() => void ((window as unknown as { loadMark: number }).loadMark = 1));
    // The sshd lines of another host of another department raise alerts of their own (one per rule, host and user).
    const fresh = openSshLines()
      .slice(0, 1000)
      .map((l) => l.replace(' LabSZ ', ' JT-gw '));
    await ingestOpenSsh(site, fresh, '交通', 'JT-gw');
    const after = (await gqlAs<{ alerts: { total: number } }>(site, adminToken, '{alerts(status:[open,acknowledged,in_progress]){total}}')).alerts.total;
    expect(after).toBeGreaterThan(before);
    await admin.getByText(`共 ${after} 条`).waitFor({ timeout: 15_000 });
    await admin.locator('tbody tr', { hasText: '交通' }).first().waitFor();
    expect(await admin.evaluate(() => (window as unknown as { loadMark?: number }).loadMark)).toBe(1);
  });

  it('filters the queue by department, severity, rule type and text as the API filters it', async () => {
    const sample = (
      await gqlAs<{ alerts: { alerts: { rule: { severity: string; type: string }; entities: { value: string }[] }[] } }>(
        site,
        adminToken,
        '{alerts(filter:{department:"公安"},size:1){alerts{rule{severity type} entities{value}}}}',
      )
    ).alerts.alerts[0]!;
    const filter = { department: '公安', severity: [sample.rule.severity], ruleType: [sample.rule.type], text: sample.entities[0]!.value };
    const api = await gqlAs<{ alerts: { total: number } }>(site, adminToken, 'query($f:AlertQueueFilter){alerts(filter:$f,size:1){total}}', { f: filter });
    const all = await gqlAs<{ alerts: { total: number } }>(site, adminToken, '{alerts(size:1){total}}');
    expect(api.alerts.total).toBeGreaterThan(0);
    expect(api.alerts.total).toBeLessThan(all.alerts.total);
    await admin.goto(`${site.url}/#/alerts?filter=${encodeURIComponent(JSON.stringify({ status: [], ...filter }))}`);
    await admin.getByText(`共 ${api.alerts.total} 条`).waitFor();
    await settled(admin);
    const departments = await admin.locator('tbody tr td.column-department').allInnerTexts();
    expect(departments).toEqual(new Array<string>(Math.min(api.alerts.total, 25)).fill('公安'));
    await shot(admin, 'alerts-filtered.zh-CN');
    // Back to the queue's own filter, which the list remembers.
    await admin.goto(`${site.url}/#/alerts?filter=${encodeURIComponent(JSON.stringify({ status: ['open', 'acknowledged', 'in_progress'] }))}`);
    await admin.locator('tbody tr').first().waitFor();
  });

  it('shows only the alerts of one rule or of one entity when a link filters the queue so', async () => {
    const sample = (
      await gqlAs<{ alerts: { alerts: { rule: { id: string }; entities: { type: string; value: string }[] }[] } }>(
        site,
        adminToken,
        '{alerts(filter:{department:"公安"},size:1){alerts{rule{id} entities{type value}}}}',
      )
    ).alerts.alerts[0]!;
    const all = (await gqlAs<{ alerts: { total: number } }>(site, adminToken, '{alerts(size:1){total}}')).alerts.total;
    for (const filter of [{ ruleId: sample.rule.id }, { entity: sample.entities[0]! }]) {
      const api = await gqlAs<{ alerts: { total: number } }>(site, adminToken, 'query($f:AlertQueueFilter){alerts(filter:$f,size:1){total}}', { f: filter });
      expect(api.alerts.total).toBeGreaterThan(0);
      expect(api.alerts.total).toBeLessThan(all);
      await admin.goto(`${site.url}/#/alerts?filter=${encodeURIComponent(JSON.stringify({ status: [], ...filter }))}`);
      await admin.getByText(`共 ${api.alerts.total} 条`).waitFor();
    }
    await admin.goto(`${site.url}/#/alerts?filter=${encodeURIComponent(JSON.stringify({ status: ['open', 'acknowledged', 'in_progress'] }))}`);
    await admin.locator('tbody tr').first().waitFor();
  });

  it('acknowledges and closes an alert with a resolution, and the audit trail view shows both moves', async () => {
    // An alert of a Sigma rule whose matched events the admin may read: the month's UEBA alerts
    // may lead the queue, and the events behind its Hive alerts are classified above what the
    // admin's policy shows (the alert page then says 0 of 2 shown).
    type Open = { alerts: { alerts: { id: string; eventIds: string[] }[] } };
    const open = await gqlAs<Open>(site, adminToken, '{alerts(status:[open],filter:{ruleType:[sigma]},size:100){alerts{id eventIds}}}');
    let chosen: string | undefined;
    for (const a of open.alerts.alerts) {
      const q = `event.id:${JSON.stringify(a.eventIds[0] ?? '')}`;
      if ((await gqlAs<{ events: { total: number } }>(site, adminToken, 'query($q:String){events(query:$q,size:0){total}}', { q })).events.total > 0) {
        chosen = a.id;
        break;
      }
    }
    expect(chosen).toBeDefined();
    await admin.goto(`${site.url}/#/alerts/${encodeURIComponent(chosen!)}/show`);
    await admin.waitForURL(/#\/alerts\/[^/]+\/show$/);
    const id = decodeURIComponent(/#\/alerts\/([^/]+)\/show$/.exec(admin.url())![1]!);
    await admin.getByTestId('matched-events').locator('tbody tr').first().waitFor();
    await shot(admin, 'alert-detail.zh-CN');
    await admin.getByRole('button', { name: '确认', exact: true }).click();
    await admin.getByText('已确认', { exact: true }).first().waitFor();
    await admin.getByRole('button', { name: '关闭', exact: true }).click();
    await admin.getByLabel('处置结论').click();
    await admin.getByRole('option', { name: '误报' }).click();
    await admin.locator('textarea[name="comment"]').fill('扫描器，已加入白名单');
    await admin.getByRole('dialog').getByRole('button', { name: '关闭', exact: true }).click();
    await admin.getByText('已关闭', { exact: true }).first().waitFor();
    const stored = await gqlAs<{ alert: { status: string; resolution: string; history: { to: string; comment: string | null }[] } }>(
      site,
      adminToken,
      'query($id:ID!){alert(id:$id){status resolution history{to comment}}}',
      { id },
    );
    expect(stored.alert).toEqual({
      status: 'closed',
      resolution: 'false_positive',
      history: [
        { to: 'acknowledged', comment: null },
        { to: 'closed', comment: '扫描器，已加入白名单' },
      ],
    });
    await admin.goto(`${site.url}/#/audit?filter=${encodeURIComponent(JSON.stringify({ action: 'alerts.transition' }))}`);
    const resourceCells = admin.locator('tbody tr td:has-text("alert:")');
    await resourceCells.first().waitFor();
    const texts = await admin.locator('tbody tr').allInnerTexts();
    expect(texts.filter((t) => t.includes(`alert:${id}`)).length).toBe(2);
    await shot(admin, 'audit.zh-CN');
  });

  it('hunts: the histogram and the rows of a query, the raw event of a row, and a syntax error at its position', async () => {
    const api = await gqlAs<{ events: { total: number } }>(site, adminToken, '{events(query:"event.outcome:failure",size:1){total}}');
    await admin.goto(`${site.url}/#/hunt?q=${encodeURIComponent('event.outcome:failure')}&range=all`);
    await admin.getByTestId('hunt-results').locator('tbody tr[data-testid="hunt-row"]').first().waitFor();
    await admin.getByTestId('hunt-histogram').locator('canvas').first().waitFor();
    await expect(admin.getByTestId('hunt-total').innerText()).resolves.toContain(`共 ${api.events.total} 条事件`);
    expect(await admin.getByTestId('hunt-row').count()).toBe(Math.min(api.events.total, 50));
    // Field statistics count the newest 500 matches: every one of them failed.
    const stats = await admin.getByTestId('field-stats').innerText();
    expect(stats).toContain('最新 500 条匹配事件中的字段常见值');
    expect(stats).toMatch(new RegExp(`event\\.outcome\\s*failure\\s*${Math.min(api.events.total, 500)}\\b`));
    await admin.getByTestId('hunt-row').first().click();
    await expect(admin.getByTestId('raw-event').innerText()).resolves.toContain('"original"');
    await shot(admin, 'hunt.zh-CN');
    await admin.getByTestId('hunt-query').fill('user.name:');
    await admin.getByTestId('hunt-query').press('Enter');
    const err = admin.getByTestId('query-error');
    await err.waitFor();
    expect(await err.getAttribute('data-position')).toBe('10');
    await expect(err.innerText()).resolves.toContain('第 10 个字符处有语法错误');
    await expect(err.innerText()).resolves.toContain("query syntax error at position 10: expected a value after 'user.name:', found end of query");
  });

  it('lets an analyst of 城管 see only 城管 alerts and events', async () => {
    const token = await signInAs(site.running, adminToken, 'cg_analyst', 'analyst', '城管');
    const mine = await gqlAs<{ alerts: { total: number; alerts: { department: string | null }[] } }>(
      site,
      token,
      '{alerts(size:1000){total alerts{department}}}',
    );
    const all = await gqlAs<{ alerts: { total: number; alerts: { id: string; department: string | null }[] } }>(
      site,
      adminToken,
      '{alerts(size:1000){total alerts{id department}}}',
    );
    const theirs = all.alerts.alerts.filter((a) => a.department === '公安');
    expect(theirs.length).toBeGreaterThan(0);
    expect(mine.alerts.total).toBeLessThan(all.alerts.total);
    const page = await browser.page();
    await signIn(page, site, 'cg_analyst', STRONG);
    await page.waitForURL(/#\/$/);
    await page.goto(`${site.url}/#/alerts?filter=${encodeURIComponent(JSON.stringify({ status: [] }))}`);
    await page.locator('tbody tr').first().waitFor();
    await settled(page);
    const departments = await page.locator('tbody tr td.column-department').allInnerTexts();
    expect(departments.length).toBe(Math.min(mine.alerts.total, 25));
    expect(departments.filter((d) => d.includes('公安'))).toEqual([]);
    await page.goto(`${site.url}/#/hunt?q=${encodeURIComponent('organization.name:公安')}&range=all`);
    await page.getByTestId('hunt-total').waitFor();
    await expect(page.getByTestId('hunt-total').innerText()).resolves.toContain('共 0 条事件');
    await page.goto(`${site.url}/#/hunt?q=${encodeURIComponent('organization.name:城管')}&range=all`);
    await page.getByTestId('hunt-row').first().waitFor();
    // The menu offers an analyst no administration.
    const menu = await page.locator('[role="menuitem"]:visible').allInnerTexts();
    expect(menu.map((m) => m.trim())).toEqual([
      '总览',
      '告警',
      '案件',
      '风险实体',
      '威胁狩猎',
      '待审批',
      '剧本运行',
      '剧本',
      '剧本版本',
      '应急授权',
      '检测规则',
      '大屏',
    ]);
    expect(page.problems).toEqual([]);
    await page.close();
  });

  it('turns a false positive into a rule exception from the alert page, written through the server and audited once', async () => {
    const token = await signInAs(site.running, adminToken, 'cg_tuner', 'analyst', '城管');
    const mine = await gqlAs<{ alerts: { alerts: { id: string; rule: { id: string; type: string }; entities: { type: string }[] }[] } }>(
      site,
      token,
      '{alerts(size:1000){alerts{id rule{id type} entities{type}}}}',
    );
    const alert = mine.alerts.alerts.find((a) => a.rule.type === 'sigma' && a.entities.some((e) => ['ip', 'user', 'host'].includes(e.type)));
    expect(alert).toBeDefined();
    const page = await browser.page();
    await signIn(page, site, 'cg_tuner', STRONG);
    await page.waitForURL(/#\/$/);
    await page.goto(`${site.url}/#/alerts/${encodeURIComponent(alert!.id)}/show`);
    await page.getByRole('button', { name: '添加规则例外', exact: true }).click();
    const dialog = page.getByRole('dialog');
    // the field and value come prefilled from the alert's first entity
    expect(await dialog.locator('input[name="field"]').inputValue()).toMatch(/^(source\.ip|user\.name|host\.name)$/);
    await dialog.locator('textarea[name="reason"]').fill('运维巡检账号，已核实');
    await dialog.getByRole('button', { name: '添加规则例外', exact: true }).click();
    await page.getByText(/^规则例外已写入：user-rules\/exception-[0-9a-f-]{36}\.yml$/).waitFor();
    await shot(page, 'rule-exception.zh-CN');
    const rules = await gqlAs<{ rules: { kind: string }[] }>(site, adminToken, '{rules{kind}}');
    expect(rules.rules.filter((r) => r.kind === 'filter')).toHaveLength(1);
    const records = await gqlAs<{ auditRecords: { actor: string; decision: string; resource: string }[] }>(
      site,
      adminToken,
      '{auditRecords(action:"rules.add_exception"){actor decision resource}}',
    );
    expect(records.auditRecords).toEqual([{ actor: 'cg_tuner', decision: 'allow', resource: `rule:${alert!.rule.id}` }]);
    expect(page.problems).toEqual([]);
    await page.close();
  });

  it('runs a playbook from an alert page; its pending approval appears without a reload, is answered there, and the run finishes', async () => {
    await deployApprovalPlaybook(site.running, adminToken);
    const alert = await storeAlert(site.running, 'console-approval-1', '城管');
    await admin.goto(`${site.url}/#/playbookApprovals`);
    await admin.locator('main').first().waitFor();
    await settled(admin);
    // Marks this page load: a reload would drop the mark.
    await admin.evaluate(() => void ((window as unknown as { loadMark: number }).loadMark = 2));
    // Another tab of the admin's runs the playbook from the alert's page.
    const runner = await browser.page();
    await signIn(runner, site, 'admin', STRONG);
    await runner.waitForURL(/#\/$/);
    await runner.goto(`${site.url}/#/alerts/${encodeURIComponent(alert.id)}/show`);
    await runner.getByRole('button', { name: '运行剧本', exact: true }).click();
    await runner.getByRole('dialog').getByLabel('剧本').click();
    await runner.getByRole('option', { name: '审批测试 Approval test' }).click();
    await runner.getByTestId('run-playbook-confirm').click();
    await runner.waitForURL(/#\/playbookRuns\/[^/]+\/show$/);
    const runId = decodeURIComponent(/#\/playbookRuns\/([^/]+)\/show$/.exec(runner.url())![1]!);
    await runner.locator('[data-testid="run-status"][data-status="waiting"]').waitFor({ timeout: 15_000 });
    await shot(runner, 'playbook-run-waiting.zh-CN');
    const row = admin.locator('tbody tr', { hasText: `Comment on Approval test ${alert.id}?` });
    await row.waitFor({ timeout: 15_000 });
    expect(await admin.evaluate(() => (window as unknown as { loadMark?: number }).loadMark)).toBe(2);
    await expect(row.getByTestId('approval-context').innerText()).resolves.toContain('host:host-console-approval-1');
    await shot(admin, 'playbook-approval-pending.zh-CN');
    await row.getByTestId('approve').click();
    await admin.getByRole('dialog').locator('textarea[name="comment"]').fill('已核实，同意');
    await admin.getByTestId('answer-confirm').click();
    await admin.getByText('已批准，剧本继续运行').waitFor();
    // Answered, it leaves the pending list.
    await row.waitFor({ state: 'detached', timeout: 15_000 });
    // The runner's tab follows the run live to its end.
    await runner.locator('[data-testid="run-status"][data-status="succeeded"]').waitFor({ timeout: 30_000 });
    expect(runner.problems).toEqual([]);
    await runner.close();
    // Opened from the run list, as an analyst does: the page first holds the list's row, without steps.
    await admin.goto(`${site.url}/#/playbookRuns`);
    await admin.locator('tbody tr', { hasText: '审批测试 Approval test' }).first().click();
    await admin.waitForURL((u) => u.hash === `#/playbookRuns/${encodeURIComponent(runId)}/show`);
    await admin.locator('[data-testid="run-status"][data-status="succeeded"]').waitFor({ timeout: 30_000 });
    await admin.locator('[data-testid="run-approval"][data-status="approved"]').waitFor();
    // The step log: the manual trigger, the approval and the step on the approved branch, in order.
    const steps = await admin
      .locator('[data-testid="run-step"]')
      .evaluateAll((rows) => rows.map((r) => `${(r.firstElementChild as HTMLElement).innerText} ${r.getAttribute('data-status')}`));
    expect(steps).toEqual(['by hand succeeded', 'lead approves succeeded', 'approved succeeded']);
    await shot(admin, 'playbook-run.zh-CN');
    const run = await gqlAs<{ playbookRun: { run: { status: string }; approvals: { status: string; answeredBy: string; comment: string }[] } }>(
      site,
      adminToken,
      'query($id:ID!){playbookRun(id:$id){run{status} approvals{status answeredBy comment}}}',
      { id: runId },
    );
    expect(run.playbookRun).toEqual({ run: { status: 'succeeded' }, approvals: [{ status: 'approved', answeredBy: 'admin', comment: '已核实，同意' }] });
    const stored = await gqlAs<{ alert: { history: { comment: string | null }[] } }>(site, adminToken, 'query($id:ID!){alert(id:$id){history{comment}}}', {
      id: alert.id,
    });
    expect(stored.alert.history.map((h) => h.comment)).toContain('approved by admin');
    const records = await gqlAs<{ auditRecords: { actor: string; decision: string }[] }>(
      site,
      adminToken,
      '{auditRecords(action:"playbooks.approve"){actor decision}}',
    );
    expect(records.auditRecords).toEqual([{ actor: 'admin', decision: 'allow' }]);
  });

  it('refreshes the 大屏 live: a new alert changes its figures without waiting for the timer', async () => {
    await admin.goto(`${site.url}/#/screen`);
    const screen = admin.getByTestId('big-screen');
    await admin.waitForFunction(() => !!document.querySelector('[data-testid="big-screen"]')?.getAttribute('data-figures-at'));
    const before = (await gqlAs<{ alerts: { total: number } }>(site, adminToken, '{alerts(status:[open],size:1){total}}')).alerts.total;
    await expect(admin.getByTestId('screen-open-alerts').innerText()).resolves.toBe(String(before));
    expect(await screen.getAttribute('data-live-refreshes')).toBe('0');
    const fresh = openSshLines()
      .slice(0, 1000)
      .map((l) => l.replace(' LabSZ ', ' WJ-gw '));
    await ingestOpenSsh(site, fresh, '卫健', 'WJ-gw');
    const after = (await gqlAs<{ alerts: { total: number } }>(site, adminToken, '{alerts(status:[open],size:1){total}}')).alerts.total;
    expect(after).toBeGreaterThan(before);
    await admin.waitForFunction((n) => document.querySelector('[data-testid="screen-open-alerts"]')?.textContent === n, String(after), { timeout: 15_000 });
    expect(Number(await screen.getAttribute('data-live-refreshes'))).toBeGreaterThan(0);
  });

  it('lets the auditor verify the audit chain', async () => {
    await signInAs(site.running, adminToken, 'auditor1', 'auditor');
    const page = await browser.page();
    await signIn(page, site, 'auditor1', STRONG);
    await page.waitForURL(/#\/$/);
    await page.goto(`${site.url}/#/audit-verify`);
    await page.getByRole('button', { name: '校验审计链' }).click();
    const result = page.getByTestId('verify-result');
    await result.waitFor();
    expect(await result.getAttribute('data-ok')).toBe('true');
    await expect(result.innerText()).resolves.toMatch(/^审计链完整：已校验 \d+ 条记录。$/);
    await shot(page, 'audit-verify.zh-CN');
    expect(page.problems).toEqual([]);
    await page.close();
  });

  it('lets the admin issue and revoke an API token, create a user, preview and apply a policy change, isolate and release an account, and approve emergency access', async () => {
    await admin.goto(`${site.url}/#/apiTokens/create`);
    await admin.locator('input[name="name"]').fill('fluent-bit-console');
    await admin.getByRole('combobox').first().click();
    await admin.getByRole('option', { name: '采集器' }).click();
    await admin.keyboard.press('Escape');
    await admin.getByRole('button', { name: '保存' }).click();
    const secret = await admin.getByTestId('once-secret').inputValue();
    expect(secret).toMatch(/^cst_/);
    const ingest = await fetch(`${site.running.platform.url}/ingest/v1/events`, {
      method: 'POST',
      headers: { authorization: `Bearer ${secret}`, 'content-type': 'application/x-ndjson' },
      body: `${JSON.stringify({ '@timestamp': new Date().toISOString(), message: 'hello from a console-issued token' })}\n`,
    });
    expect(ingest.status).toBe(200);
    await admin.getByRole('button', { name: '我已复制' }).click();
    await admin.waitForURL(/#\/apiTokens$/);
    const row = admin.locator('tbody tr', { hasText: 'fluent-bit-console' });
    await row.getByRole('button', { name: '吊销' }).click();
    await admin.getByRole('dialog').getByRole('button', { name: '确认' }).click();
    await row.getByTestId('true').waitFor();
    const refused = await fetch(`${site.running.platform.url}/ingest/v1/events`, {
      method: 'POST',
      headers: { authorization: `Bearer ${secret}`, 'content-type': 'application/x-ndjson' },
      body: `${JSON.stringify({ '@timestamp': new Date().toISOString(), message: 'hello from a console-issued token' })}\n`,
    });
    expect(refused.status).toBe(401);

    await admin.goto(`${site.url}/#/users/create`);
    await admin.locator('input[name="username"]').fill('ga_owner');
    await admin.getByRole('combobox').first().click();
    await admin.getByRole('option', { name: '部门管理员' }).click();
    await admin.keyboard.press('Escape');
    await admin.locator('input[name="department"]').fill('公安');
    await admin.getByRole('button', { name: '保存' }).click();
    const otp = await admin.getByTestId('once-secret').inputValue();
    const first = await site.running.gql<{ login: { mustChangePassword: boolean } }>(
      'mutation($p:String!){login(username:"ga_owner",password:$p){mustChangePassword}}',
      { p: otp },
    );
    expect(first.data!.login.mustChangePassword).toBe(true);
    await admin.getByRole('button', { name: '我已复制' }).click();
    await admin.locator('tbody tr', { hasText: 'ga_owner' }).waitFor();

    const line = ['deny-auditor-night', 'auditor', '*', 'audit', 'read', 'hours=00:00-23:59', 'deny'];
    await admin.goto(`${site.url}/#/policies`);
    await admin.getByRole('button', { name: '新增策略行' }).click();
    await admin.getByLabel('取值').fill(line.join(', '));
    await admin.getByRole('button', { name: '预览' }).click();
    await admin.getByTestId('policy-flips').waitFor();
    await expect(admin.getByTestId('policy-flips').innerText()).resolves.toContain('将有 1 个决定发生变化');
    await admin.getByRole('button', { name: '应用' }).click();
    await admin.getByText(/^策略变更已应用（版本 \d+）$/).waitFor();
    const lines = await gqlAs<{ policies: { values: string[] }[] }>(site, adminToken, '{policies(ptype:"p"){values}}');
    expect(lines.policies.map((l) => l.values)).toContainEqual(line);
    await gqlAs(site, adminToken, 'mutation($c:PolicyChangeInput!){applyPolicyChange(change:$c){version}}', {
      c: { op: 'remove', line: { ptype: 'p', values: line } },
    });

    await signInAs(site.running, adminToken, 'suspect', 'analyst', '城管');
    await admin.goto(`${site.url}/#/isolations/create`);
    await admin.locator('input[name="user"]').fill('suspect');
    await admin.locator('textarea[name="reason"]').fill('凭据疑似泄露');
    await admin.getByRole('button', { name: '保存' }).click();
    const isolated = admin.locator('tbody tr', { hasText: 'suspect' });
    await isolated.waitFor();
    const denied = await site.running.gql('mutation{login(username:"suspect",password:"' + STRONG + '"){token}}');
    const suspectToken = (denied.data as { login?: { token: string } } | undefined)?.login?.token;
    if (suspectToken) expect((await site.running.gql('{alerts{total}}', {}, suspectToken)).errors![0]!.extensions!.code).toBe('FORBIDDEN');
    else expect(denied.errors).toBeDefined();
    await isolated.getByRole('button', { name: '解除隔离' }).click();
    await admin.getByRole('dialog').getByLabel('原因').fill('排查完毕');
    await admin.getByRole('dialog').getByRole('button', { name: '解除隔离' }).click();
    await admin.getByText('已解除隔离').waitFor();
    expect((await gqlAs<{ isolations: unknown[] }>(site, adminToken, '{isolations{id}}')).isolations).toEqual([]);

    const analyst = await signInAs(site.running, adminToken, 'cg_responder', 'analyst', '城管');
    const req = await gqlAs<{ requestEmergencyAccess: { id: string } }>(
      site,
      analyst,
      'mutation{requestEmergencyAccess(reason:"追查跨部门暴力破解",department:"公安",durationMinutes:30){id}}',
    );
    await admin.goto(`${site.url}/#/emergencyGrants`);
    const grant = admin.locator('tbody tr', { hasText: '追查跨部门暴力破解' });
    await grant.getByRole('button', { name: '批准' }).click();
    await grant.getByText('生效中').waitFor();
    const grants = await gqlAs<{ emergencyGrants: { id: string; approvals: { by: string }[] }[] }>(site, adminToken, '{emergencyGrants{id approvals{by}}}');
    expect(grants.emergencyGrants.find((g) => g.id === req.requestEmergencyAccess.id)!.approvals.map((a) => a.by)).toEqual(['admin']);
  });

  const VIEWS: [string, string, (p: Page) => Promise<unknown>][] = [
    ['overview', '/', (p) => p.getByTestId('chart-severity').locator('canvas').first().waitFor()],
    ['alerts', '/alerts', (p) => p.locator('tbody tr').first().waitFor()],
    ['hunt', `/hunt?q=${encodeURIComponent('event.action:ssh_login')}&range=all`, (p) => p.getByTestId('hunt-row').first().waitFor()],
    ['audit', '/audit', (p) => p.locator('tbody tr').first().waitFor()],
    ['audit-verify', '/audit-verify', (p) => p.locator('button').first().waitFor()],
    ['users', '/users', (p) => p.locator('tbody tr').first().waitFor()],
    ['api-tokens', '/apiTokens', (p) => p.locator('tbody tr').first().waitFor()],
    ['policies', '/policies', (p) => p.locator('tbody tr').first().waitFor()],
    ['emergency-grants', '/emergencyGrants', (p) => p.locator('main').first().waitFor()],
    ['isolations', '/isolations', (p) => p.locator('main').first().waitFor()],
    ['playbook-approvals', '/playbookApprovals', (p) => p.locator('main').first().waitFor()],
    ['playbook-runs', '/playbookRuns', (p) => p.locator('tbody tr').first().waitFor()],
    ['playbooks', '/playbooks', (p) => p.locator('tbody tr').first().waitFor()],
    ['screen', '/screen', (p) => p.getByTestId('big-screen').locator('canvas').first().waitFor()],
  ];

  it('renders every main view in zh-CN and in English, and switching the language changes every visible label', async () => {
    for (const [name, route, ready] of VIEWS) {
      await admin.goto(`${site.url}/#${route}`);
      await ready(admin);
      await settled(admin);
      await shot(admin, `${name}.zh-CN`);
    }
    await admin.goto(`${site.url}/#/alerts`);
    await admin.locator('tbody tr').first().waitFor();
    await settled(admin);
    const zh = await visibleLabels(admin, LABELS);
    expect(zh.length).toBeGreaterThan(15);
    await admin.getByRole('button', { name: '简体中文' }).click();
    await admin.getByRole('menuitem', { name: 'English' }).click();
    await admin.getByRole('button', { name: 'English' }).waitFor();
    await settled(admin);
    const en = await visibleLabels(admin, LABELS);
    expect(en.filter((t) => CJK.test(t))).toEqual([]);
    // Every label changed; what stayed is data: the signed-in user's name in the app bar.
    expect(zh.filter((t) => en.includes(t))).toEqual(['admin']);
    for (const [name, route, ready] of VIEWS) {
      await admin.goto(`${site.url}/#${route}`);
      await ready(admin);
      await settled(admin);
      await shot(admin, `${name}.en`);
    }
    await admin.goto(`${site.url}/#/alerts`);
    await admin.locator('tbody tr').first().waitFor();
    await admin.getByRole('button', { name: 'English' }).click();
    await admin.getByRole('menuitem', { name: '简体中文' }).click();
    await admin.getByRole('button', { name: '简体中文' }).waitFor();
    await settled(admin);
    expect(await visibleLabels(admin, LABELS)).toEqual(zh);
  });
});
