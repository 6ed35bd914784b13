/**
 * The history views in Chromium against a real platform: an auditor reads a policy change an
 * admin made (who, when, why) as a diff, and an admin applies one with its reason from the
 * policies page; the playbooks' versions with who saved them, the nodes changed between two
 * versions, and a confirmed rollback that an analyst (no playbooks:author) is not offered; the
 * 大屏's collectors panel for a viewer with metrics:read, absent (and never asked for) for one
 * without. Screenshots in e2e/screenshots, no console errors.
 */
import { adminSession, signInAs, STRONG } from '../../server/test-support/harness';
import {
  type Browser,
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
} from './support';

jest.setTimeout(180_000);

type Flows = { rev: string; flows: { id: string; type: string; z?: string; name?: string }[] };

const BEFORE = ['history-read', 'analyst', '*', 'dataset/*', 'read', 'classification<=公开', 'allow'];
const AFTER = ['history-read', 'analyst', '*', 'dataset/*', 'read', 'classification<=内部', 'allow'];
const REASON = '工单 2026-118: 分析员需要读取内部数据集';
const CHANGE = 'mutation($c:PolicyChangeInput!,$r:String){applyPolicyChange(change:$c,reason:$r){version}}';

describe('the history views in Chromium', () => {
  let site: ConsoleSite;
  let browser: Browser;
  let adminToken: string;
  let analystToken: string;
  const pages: TrackedPage[] = [];

  const api = <T>(query: string, variables: Record<string, unknown> = {}, token = adminToken): Promise<T> => gqlAs<T>(site, token, query, variables);
  const editor = (p: string, init: RequestInit = {}) =>
    fetch(`${site.running.platform.url}/playbooks/editor${p}`, {
      ...init,
      headers: {
        'node-red-api-version': 'v2',
        authorization: `Bearer ${adminToken}`,
        ...(init.body ? { 'content-type': 'application/json', 'node-red-deployment-type': 'nodes' } : {}),
      },
    });
  /** Deploys the flows with one node renamed, as the editor would; the node's id. */
  const renameAndDeploy = async (index: number, name: string): Promise<string> => {
    const current = (await (await editor('/flows')).json()) as Flows;
    const nodes = current.flows.filter((n) => n.z !== undefined && n.type !== 'tab');
    const node = nodes[index]!;
    const flows = current.flows.map((n) => (n.id === node.id ? { ...n, name } : n));
    const res = await editor('/flows', { method: 'POST', body: JSON.stringify({ flows, rev: current.rev }) });
    expect(res.status).toBe(200);
    return node.id;
  };
  const signedIn = async (user: string): Promise<TrackedPage> => {
    const page = await browser.page();
    pages.push(page);
    await signIn(page, site, user, STRONG);
    await page.waitForURL(/#\/$/);
    return page;
  };

  beforeAll(async () => {
    site = await startConsoleSite();
    await ingestOpenSsh(site, openSshLines().slice(0, 120), '城管', 'LabSZ');
    // One line a collector cut in half: a dead letter of its own source, which the 大屏 counts as failing.
    const collector = (await site.running.platform.identity.issueApiToken('fluent-bit-broken', ['collector'], 'test')).token;
    const res = await fetch(`${site.running.platform.url}/ingest/v1/fluent-bit/citysoc.openssh._.broken-01?department=${encodeURIComponent('交通')}`, {
      method: 'POST',
      headers: { authorization: `Bearer ${collector}`, 'content-type': 'application/x-ndjson' },
      body: '{"date": 1700000000, "log": ',
    });
    expect(((await res.json()) as { deadLettered: number }).deadLettered).toBe(1);
    adminToken = await adminSession(site.running);
    await signInAs(site.running, adminToken, 'hist_auditor', 'auditor');
    analystToken = await signInAs(site.running, adminToken, 'hist_analyst', 'analyst', '城管');
    browser = await launchBrowser();
  });
  afterAll(async () => {
    await browser?.close();
    await site?.stop();
  });
  afterEach(() => {
    for (const p of pages) expect(p.problems.splice(0)).toEqual([]);
  });

  it('shows an auditor the policy changes an admin made, who made them, why, and each as a diff of the values that differ', async () => {
    await api(CHANGE, { c: { op: 'add', line: { ptype: 'p', values: BEFORE } } });
    await api(CHANGE, { c: { op: 'update', before: { ptype: 'p', values: BEFORE }, after: { ptype: 'p', values: AFTER } }, r: REASON });
    const trail = (await api<{ auditRecords: { seq: number }[] }>('{auditRecords(action:"policy.change",decision:allow,size:1000){seq}}')).auditRecords;
    expect(trail.length).toBe(2);

    const page = await signedIn('hist_auditor');
    // The menu item waits for the user's permissions.
    await page.locator('[role="menuitem"]', { hasText: '策略变更' }).waitFor();
    await page.goto(`${site.url}/#/policy-changes`);
    await page.getByTestId('policy-change-row').first().waitFor();
    await settled(page);
    const rows = page.getByTestId('policy-change-row');
    expect(await rows.evaluateAll((els) => els.map((e) => Number(e.getAttribute('data-seq'))))).toEqual(trail.map((r) => r.seq).sort((a, b) => b - a));
    const [update, add] = [rows.nth(0), rows.nth(1)];
    expect(await update.getAttribute('data-policy')).toBe('p:history-read');
    await expect(update.getByTestId('policy-change-actor').innerText()).resolves.toBe('admin');
    await expect(update.getByTestId('policy-change-reason').innerText()).resolves.toBe(REASON);
    await expect(update.innerText()).resolves.toContain('修改');
    const lines = update.getByTestId('policy-diff-line');
    expect(await lines.evaluateAll((els) => els.map((e) => [e.getAttribute('data-sign'), (e as HTMLElement).innerText]))).toEqual([
      ['-', `- p, ${BEFORE.join(', ')}`],
      ['+', `+ p, ${AFTER.join(', ')}`],
    ]);
    expect(await lines.nth(0).getByTestId('policy-diff-value').allInnerTexts()).toEqual(['classification<=公开']);
    expect(await lines.nth(1).getByTestId('policy-diff-value').allInnerTexts()).toEqual(['classification<=内部']);
    await expect(add.getByTestId('policy-change-reason').innerText()).resolves.toBe('—');
    expect(await add.getByTestId('policy-diff-line').evaluateAll((els) => els.map((e) => e.getAttribute('data-sign')))).toEqual(['+']);
    expect(await add.getByTestId('policy-diff-value').allInnerTexts()).toEqual(['history-read', ...BEFORE.slice(1)]);
    await shot(page, 'policy-changes.zh-CN');

    // Narrowed to another actor, nothing is shown.
    await page.getByLabel('变更人').fill('nobody');
    await page.getByText('没有符合条件的策略变更。').waitFor();
  });

  it("keeps the reason an admin gives on the policies page with the change, for the auditors' view", async () => {
    const page = await signedIn('admin');
    await page.goto(`${site.url}/#/policies?filter=${encodeURIComponent(JSON.stringify({ ptype: 'p' }))}&perPage=200`);
    const row = page.locator('tbody tr', { hasText: 'history-read' });
    await row.waitFor();
    await row.getByRole('button').first().click();
    const panel = page.getByTestId('policy-change');
    await panel.waitFor();
    await panel.getByRole('combobox').first().click();
    await page.getByRole('option', { name: '删除' }).click();
    await page.getByTestId('policy-change-reason-input').fill('试点结束');
    await panel.getByRole('button', { name: '预览' }).click();
    await panel.getByTestId('policy-flips').waitFor();
    await panel.getByRole('button', { name: '应用' }).click();
    await row.waitFor({ state: 'detached' });
    const records = (
      await api<{ auditRecords: { actor: string; details: { reason?: string; before: string[] | null; after: string[] | null } }[] }>(
        '{auditRecords(action:"policy.change",decision:allow,size:1){actor details}}',
      )
    ).auditRecords;
    expect(records.map((r) => [r.actor, r.details.reason, r.details.before, r.details.after])).toEqual([['admin', '试点结束', AFTER, null]]);
    await page.goto(`${site.url}/#/policy-changes`);
    const newest = page.getByTestId('policy-change-row').first();
    await newest.getByText('试点结束').waitFor();
    await expect(newest.innerText()).resolves.toContain('删除');
  });

  it('lists the playbook versions, shows the nodes changed between any two, and rolls back on confirmation', async () => {
    const first = await renameAndDeploy(0, '历史测试 A');
    const second = await renameAndDeploy(1, '历史测试 B');
    const before = (
      await api<{ playbookVersions: { current: number; versions: { version: number; basedOn: number }[] } }>(
        '{playbookVersions{current versions{version basedOn}}}',
      )
    ).playbookVersions;
    const head = before.current;
    expect(before.versions.slice(0, 2).map((v) => [v.version, v.basedOn])).toEqual([
      [head, head - 1],
      [head - 1, head - 2],
    ]);

    const page = await signedIn('admin');
    await page.goto(`${site.url}/#/playbook-versions`);
    await page.getByTestId('playbook-version').first().waitFor();
    await settled(page);
    const rows = page.getByTestId('playbook-version');
    expect(await rows.evaluateAll((els) => els.map((e) => Number(e.getAttribute('data-version'))))).toEqual(before.versions.map((v) => v.version));
    await expect(rows.first().innerText()).resolves.toContain('admin');
    // The newest version against the one it was made from: only the second rename.
    const diff = page.getByTestId('version-diff');
    const nodes = async () =>
      diff.getByTestId('version-diff-node').evaluateAll((els) => els.map((e) => [e.getAttribute('data-kind'), e.getAttribute('data-node')]));
    expect(await nodes()).toEqual([['changed', second]]);
    await expect(diff.getByTestId('version-diff-node').first().innerText()).resolves.toContain('历史测试 B');
    // From two versions back: both renames.
    await page.getByLabel('起始版本').click();
    await page.getByRole('option', { name: `版本 ${head - 2}`, exact: true }).click();
    await expect(diff.getByTestId('version-diff-changed').getAttribute('data-count')).resolves.toBe('2');
    expect((await nodes()).sort()).toEqual(
      [
        ['changed', first],
        ['changed', second],
      ].sort(),
    );
    await shot(page, 'playbook-versions.zh-CN');

    await rows.nth(2).getByTestId('playbook-rollback').click();
    await page
      .getByRole('dialog')
      .getByText(`回滚到版本 ${head - 2}？`)
      .waitFor();
    await page.getByRole('dialog').getByRole('button', { name: '确认' }).click();
    await page.locator(`[data-testid="playbook-version"][data-version="${head + 1}"]`).waitFor();
    const after = (
      await api<{ playbookVersions: { current: number; versions: { version: number; action: string; by: string; diff: { changed: { id: string }[] } }[] } }>(
        '{playbookVersions{current versions{version action by diff{changed{id}}}}}',
      )
    ).playbookVersions;
    expect(after.current).toBe(head + 1);
    expect(after.versions[0]).toMatchObject({ version: head + 1, action: 'rollback', by: 'admin' });
    expect(after.versions[0]!.diff.changed.map((c) => c.id).sort()).toEqual([first, second].sort());
    await expect(rows.first().innerText()).resolves.toContain('回滚');

    // An analyst reads the versions but is offered no rollback, and the API refuses one.
    const analyst = await signedIn('hist_analyst');
    await analyst.goto(`${site.url}/#/playbook-versions`);
    await analyst.getByTestId('playbook-version').first().waitFor();
    await settled(analyst);
    await expect(analyst.getByTestId('playbook-rollback').count()).resolves.toBe(0);
    const refused = await site.running.gql('mutation{rollbackPlaybooks(version:1){version}}', {}, analystToken);
    expect(refused.errors?.[0]?.extensions?.code).toBe('FORBIDDEN');
  });

  it("shows the collectors' health on the 大屏 to a viewer with metrics:read, and neither shows nor asks for it without", async () => {
    const sources = (
      await api<{ sources: { lastSeen: string; parseFailures: number; deadLetters: number }[] }>('{sources{lastSeen parseFailures deadLetters}}')
    ).sources;
    expect(sources.length).toBe(2);
    expect(sources.map((s) => s.deadLetters).sort()).toEqual([0, 1]);
    const admin = await signedIn('admin');
    await admin.goto(`${site.url}/#/screen`);
    const panel = admin.getByTestId('screen-collectors');
    await panel.waitFor();
    await admin.waitForFunction((n) => document.querySelector('[data-testid="collectors-sources"]')?.textContent === String(n), sources.length);
    await expect(admin.getByTestId('collectors-parse-failures').innerText()).resolves.toBe(String(sources.reduce((a, s) => a + s.parseFailures, 0)));
    await expect(admin.getByTestId('collectors-dead-letters').innerText()).resolves.toBe(String(sources.reduce((a, s) => a + s.deadLetters, 0)));
    // Both sent just now: none silent; the broken one fails.
    await expect(admin.getByTestId('collectors-silent').innerText()).resolves.toBe('0');
    await expect(admin.getByTestId('collectors-failing').innerText()).resolves.toBe('1');
    await expect(admin.getByTestId('collectors-active').innerText()).resolves.toBe('1');
    await expect(admin.getByTestId('collectors-last-seen').innerText()).resolves.toMatch(/^最近接收事件: \d{4}/);
    await shot(admin, 'screen-collectors.zh-CN');

    const analyst = await signedIn('hist_analyst');
    const asked: string[] = [];
    analyst.on('request', (r) => {
      if (r.url().endsWith('/graphql') && r.postData()?.includes('query Sources')) asked.push(r.postData()!);
    });
    await analyst.goto(`${site.url}/#/screen`);
    await analyst.getByTestId('screen-events').waitFor();
    await settled(analyst);
    await expect(analyst.getByTestId('big-screen').count()).resolves.toBe(1);
    await expect(analyst.getByTestId('screen-collectors').count()).resolves.toBe(0);
    expect(asked).toEqual([]);
  });
});
