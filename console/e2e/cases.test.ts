/**
 * Case management in Chromium against a real platform with the loghub OpenSSH sample ingested for
 * 城管 and 公安: an analyst opens a case from an alert, finds it in the case list with its SLA
 * colour, comments, adds a task and an observable, merges a related case into it, resolves it with
 * a resolution and exports its evidence; assigns from a picker of those who may work it, edits
 * it, assigns queue alerts in bulk; the audit trail shows each case action; an analyst of another
 * department neither sees nor exports it. No console error or React warning on any page (support.ts);
 * screenshots in zh-CN and English in e2e/screenshots.
 */
import { createHash } from 'node:crypto';
import { readFileSync } from 'node:fs';
import { readCaseEvidence } from '../../cases/evidence';
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
} from './support';

// A browser against a real platform: minutes, not the unit tests' seconds.
jest.setTimeout(180_000);

interface StoredCase {
  id: string;
  status: string;
  resolution: string | null;
  resolutionNote: string | null;
  assignee: string | null;
  slaColour: string;
  departments: string[];
  alertIds: string[];
  createdBy: string;
  mergedFrom: string[];
  tasks: { title: string; status: string }[];
  observables: { type: string; value: string }[];
  timeline: { action: string; actor: string; case: string | null }[];
}
const CASE =
  'query($id:ID!){case(id:$id){id status resolution resolutionNote assignee slaColour departments alertIds createdBy mergedFrom tasks{title status} observables{type value} timeline{action actor case}}}';

interface AlertRow {
  id: string;
  rule: { name: string };
  entities: { type: string; value: string }[];
}

describe('case management in the console', () => {
  let site: ConsoleSite;
  let browser: Browser;
  let adminToken: string;
  let cgToken: string;
  let gaToken: string;
  let cg: TrackedPage;
  let caseId = '';
  let cgAlerts: AlertRow[] = [];

  beforeAll(async () => {
    site = await startConsoleSite();
    const lines = openSshLines();
    await ingestOpenSsh(site, lines.slice(0, 1000), '城管', 'LabSZ');
    await ingestOpenSsh(site, lines.slice(1000), '公安', 'LabSZ-2');
    adminToken = await adminSession(site.running);
    cgToken = await signInAs(site.running, adminToken, 'cg_analyst', 'analyst', '城管');
    gaToken = await signInAs(site.running, adminToken, 'ga_analyst', 'analyst', '公安');
    cgAlerts = (await gqlAs<{ alerts: { alerts: AlertRow[] } }>(site, cgToken, '{alerts(size:100){alerts{id rule{name} entities{type value}}}}')).alerts.alerts;
    browser = await launchBrowser();
    cg = await browser.page();
    await signIn(cg, site, 'cg_analyst', STRONG);
    await cg.waitForURL(/#\/$/);
  });
  afterAll(async () => {
    await browser?.close();
    await site?.stop();
  });
  afterEach(() => {
    // The analyst's page must not have logged an error, a page error or a React warning.
    const problems = cg?.problems.splice(0) ?? [];
    expect(problems).toEqual([]);
  });

  it('opens a case from an alert page, and the case list shows it with its SLA colour', async () => {
    expect(cgAlerts.length).toBeGreaterThan(1);
    const alert = cgAlerts[0]!;
    await cg.goto(`${site.url}/#/alerts/${encodeURIComponent(alert.id)}/show`);
    await cg.getByRole('button', { name: '加入案件', exact: true }).click();
    const dialog = cg.getByRole('dialog');
    expect(await dialog.locator('input[name="caseTitle"]').inputValue()).toBe(alert.rule.name);
    await dialog.locator('input[name="caseTitle"]').fill('城管 SSH 暴力破解');
    await dialog.getByTestId('open-case-confirm').click();
    await cg.waitForURL(/#\/cases\/[^/]+\/show$/);
    caseId = decodeURIComponent(/#\/cases\/([^/]+)\/show$/.exec(cg.url())![1]!);
    expect(caseId).toMatch(/^CASE-\d{4}-\d{5}$/);
    await expect(cg.getByTestId('case-id').innerText()).resolves.toBe(caseId);
    const stored = (await gqlAs<{ case: StoredCase }>(site, cgToken, CASE, { id: caseId })).case;
    expect(stored).toMatchObject({ status: 'open', departments: ['城管'], alertIds: [alert.id], createdBy: 'cg_analyst', slaColour: 'green' });
    // The alert's page links to it from now on: its linked alerts link back.
    await cg.getByTestId('case-alert-link').filter({ hasText: alert.id }).waitFor();

    await cg.goto(`${site.url}/#/cases?filter=${encodeURIComponent(JSON.stringify({ status: ['open', 'in_progress'] }))}`);
    const row = cg.locator('tbody tr', { hasText: caseId });
    await row.waitFor();
    await settled(cg, { idleMs: 10_000 });
    expect(await row.getByTestId('sla-chip').getAttribute('data-colour')).toBe(stored.slaColour);
    await expect(row.getByTestId('sla-chip').innerText()).resolves.toBe('正常');
    await expect(row.locator('td.column-title').innerText()).resolves.toBe('城管 SSH 暴力破解');
    const total = (await gqlAs<{ cases: { total: number } }>(site, cgToken, '{cases(filter:{status:[open,in_progress]}){total}}')).cases.total;
    await cg.getByText(`共 ${total} 条`).waitFor();
    await shot(cg, 'cases.zh-CN', { fullPage: true });
    // Filtered by another SLA colour, the list leaves it out, as the API does.
    const red = (await gqlAs<{ cases: { total: number } }>(site, cgToken, '{cases(filter:{slaColour:red}){total}}')).cases.total;
    expect(red).toBe(0);
    await cg.goto(`${site.url}/#/cases?filter=${encodeURIComponent(JSON.stringify({ slaColour: 'red' }))}`);
    await cg.getByText(/没有找到案件/).waitFor();
    await cg.goto(`${site.url}/#/cases?filter=${encodeURIComponent(JSON.stringify({ status: [] }))}`);
    await row.waitFor();
  });

  it('merges a case sharing an entity into it from the merge suggestions', async () => {
    const first = cgAlerts[0]!;
    const shared = new Set(first.entities.map((e) => `${e.type}:${e.value}`));
    const related = cgAlerts.slice(1).find((a) => a.entities.some((e) => shared.has(`${e.type}:${e.value}`)));
    expect(related).toBeDefined();
    const other = (await gqlAs<{ openCaseFromAlert: { id: string } }>(site, cgToken, 'mutation($a:ID!){openCaseFromAlert(alertId:$a){id}}', { a: related!.id }))
      .openCaseFromAlert.id;
    await cg.goto(`${site.url}/#/cases/${encodeURIComponent(caseId)}/show`);
    const suggestion = cg.getByTestId('merge-suggestions').locator('tr', { hasText: other });
    await suggestion.waitFor();
    await suggestion.getByRole('button', { name: '合并到本案件' }).click();
    await cg.getByTestId('merge-confirm').click();
    await cg.getByText(`${other} 已合并到 ${caseId}`).waitFor();
    await cg.getByTestId('case-alert-link').filter({ hasText: related!.id }).waitFor();
    const survivor = (await gqlAs<{ case: StoredCase }>(site, cgToken, CASE, { id: caseId })).case;
    expect(survivor.mergedFrom).toEqual([other]);
    expect(survivor.alertIds).toEqual(expect.arrayContaining([first.id, related!.id]));
    const merged = await gqlAs<{ case: { mergedInto: string; status: string } }>(site, cgToken, 'query($id:ID!){case(id:$id){mergedInto status}}', {
      id: other,
    });
    expect(merged.case).toEqual({ mergedInto: caseId, status: 'closed' });
  });

  it('adds a comment, a task (then done) and an observable, assigns the case to a real user, and resolves it with a resolution', async () => {
    await cg.goto(`${site.url}/#/cases/${encodeURIComponent(caseId)}/show`);
    await cg.getByTestId('case-summary').waitFor();
    await cg.locator('textarea[name="comment"]').fill('来源 IP 持续尝试 root 登录');
    await cg.getByRole('button', { name: '添加评论', exact: true }).click();
    await cg.getByTestId('case-comments').getByText('来源 IP 持续尝试 root 登录').waitFor();

    await cg.locator('input[name="taskTitle"]').fill('在边界防火墙封禁来源 IP');
    await cg.locator('input[name="taskOwner"]').fill('cg_analyst');
    await cg.getByRole('button', { name: '添加任务', exact: true }).click();
    const task = cg.getByTestId('case-task').filter({ hasText: '在边界防火墙封禁来源 IP' });
    await task.waitFor();
    await task.getByTestId('task-done').click();
    await cg.locator('[data-testid="case-task"][data-status="done"]', { hasText: '在边界防火墙封禁来源 IP' }).waitFor();

    await cg.locator('input[name="observableValue"]').fill('203.0.113.7');
    await cg.getByRole('button', { name: '添加观察项', exact: true }).click();
    await cg.getByTestId('case-observable').filter({ hasText: '203.0.113.7' }).waitFor();

    // Assigning picks from the users the server lists for this case: the 公安 analyst is not among them.
    await cg.getByRole('button', { name: '分配', exact: true }).click();
    const picker = cg.getByRole('dialog').locator('input[name="assignee"]');
    await picker.fill('ga_');
    await cg.getByText('没有可处理此项的匹配用户').waitFor();
    expect(await cg.getByTestId('assign-confirm').isDisabled()).toBe(true);
    await picker.fill('cg_');
    await cg.getByRole('option', { name: 'cg_analyst', exact: true }).click();
    await cg.getByTestId('assign-confirm').click();
    await cg.getByTestId('case-summary').getByText('cg_analyst').first().waitFor();

    // Editing the case's fields from its page: only what changed is sent.
    await cg.getByTestId('case-edit').click();
    const edit = cg.getByRole('dialog');
    await edit.locator('textarea[name="description"]').fill('边界防火墙日志显示来源 IP 持续尝试');
    await edit.locator('input[name="tags"]').fill('ssh，暴力破解');
    await edit.getByLabel('严重程度').click();
    await cg.getByRole('option', { name: '严重' }).click();
    await edit.getByTestId('edit-confirm').click();
    await cg.getByText('案件已更新').waitFor();
    await cg.getByText('边界防火墙日志显示来源 IP 持续尝试', { exact: true }).waitFor();

    await cg.getByTestId('move-resolved').click();
    const dialog = cg.getByRole('dialog');
    // Resolving needs the resolution: the button waits for it.
    expect(await dialog.getByTestId('move-confirm').isDisabled()).toBe(true);
    await dialog.getByLabel('处置结论').click();
    await cg.getByRole('option', { name: '真实攻击' }).click();
    await dialog.locator('textarea[name="note"]').fill('已封禁来源地址，账号未失陷');
    await dialog.getByTestId('move-confirm').click();
    await cg.locator('[data-testid="case-status"][data-status="resolved"]').first().waitFor();
    await settled(cg, { idleMs: 10_000 });
    await shot(cg, 'case.zh-CN', { fullPage: true });

    const stored = (await gqlAs<{ case: StoredCase }>(site, cgToken, CASE, { id: caseId })).case;
    expect(stored).toMatchObject({ status: 'resolved', resolution: 'true_positive', resolutionNote: '已封禁来源地址，账号未失陷', assignee: 'cg_analyst' });
    const fields = await gqlAs<{ case: { description: string; tags: string[]; severity: string } }>(
      site,
      cgToken,
      'query($id:ID!){case(id:$id){description tags severity}}',
      {
        id: caseId,
      },
    );
    expect(fields.case).toEqual({ description: '边界防火墙日志显示来源 IP 持续尝试', tags: ['ssh', '暴力破解'], severity: 'critical' });
    expect(stored.tasks).toEqual([{ title: '在边界防火墙封禁来源 IP', status: 'done' }]);
    expect(stored.observables).toContainEqual({ type: 'ip', value: '203.0.113.7' });
    // The case's own entries (a merged case's entries come along, marked with its id) end with this test's work.
    const own = stored.timeline.filter((e) => e.case === null);
    expect(own.map((e) => e.action).slice(-8)).toEqual([
      'merged_from',
      'comment',
      'task_added',
      'task_updated',
      'observable_added',
      'assigned',
      'edited',
      'status',
    ]);
    expect(new Set(own.map((e) => e.actor))).toEqual(new Set(['cg_analyst']));
    // The timeline on the page lists the same entries, in the same order.
    const shown = await cg.getByTestId('timeline-entry').evaluateAll((rows) => rows.map((r) => r.getAttribute('data-action')));
    expect(shown).toEqual(stored.timeline.map((e) => e.action));

    // The analyst of the case's department exports it (JSON and CSV): only the audit records about the case, each proven.
    for (const format of ['json', 'csv'] as const) {
      const download = cg.waitForEvent('download');
      await cg.getByTestId(`export-${format}`).click();
      const file = await download;
      const bytes = readFileSync(await file.path());
      const result = cg.getByTestId('export-result');
      await expect(result.getAttribute('data-file')).resolves.toBe(file.suggestedFilename());
      expect(await result.getAttribute('data-sha256')).toBe(createHash('sha256').update(bytes).digest('hex'));
      const e = readCaseEvidence(bytes.toString('utf8'));
      expect([file.suggestedFilename().endsWith(`.${format}`), e.evidence.case.id, e.evidence.exportedBy]).toEqual([true, caseId, 'cg_analyst']);
      expect(e.records.map((r) => r.seq)).toEqual(e.evidence.touching);
      expect(e.proofs).toHaveLength(e.records.length);
    }
    // An analyst of another department is refused as for a case that does not exist.
    const refused = await site.running.gql('query($id:ID!){caseExport(id:$id,format:csv){fileName}}', { id: caseId }, gaToken);
    expect(refused.errors![0]!.extensions!.code).toBe('NOT_FOUND');
  });

  it('assigns alerts selected in the queue to a user picked by display name from those who may see them all (one question per keystroke pause), each alert in its own audited call', async () => {
    // The administrator names cg_analyst 张伟 on the users page; another 城管 analyst's display name is markup, which must stay text.
    const MARKUP = '<img src=x onerror="window.__pwned=1">';
    await signInAs(site.running, adminToken, 'cg_markup', 'analyst', '城管');
    const admin = (await browser.page()) as TrackedPage;
    await signIn(admin, site, 'admin', STRONG);
    await admin.waitForURL(/#\/$/);
    const editName = async (username: string, displayName: string) => {
      await admin.goto(`${site.url}/#/users/${username}`);
      const input = admin.locator('input[name="displayName"]');
      await input.waitFor();
      await settled(admin);
      await input.fill(displayName);
      await admin.getByRole('button', { name: '保存', exact: true }).click();
    };
    await editName('cg_markup', '张'.repeat(65));
    await admin.getByText('displayName is 65 characters long: at most 64 are allowed (after trimming)', { exact: false }).waitFor();
    await editName('cg_markup', MARKUP);
    await admin.waitForURL(/#\/users$/);
    await editName('cg_analyst', '  张伟 ');
    await admin.waitForURL(/#\/users$/);
    await admin.locator('tbody tr', { hasText: 'cg_analyst' }).getByText('张伟', { exact: true }).waitFor();
    await admin.locator('tbody tr', { hasText: 'cg_markup' }).getByText(MARKUP, { exact: true }).waitFor();
    await shot(admin, 'users-display-names.zh-CN');
    expect(admin.problems).toEqual([]);
    await admin.close();

    const asked: Record<string, unknown>[] = [];
    const noteAsked = (req: { postData(): string | null }) => {
      const body = req.postData();
      if (body?.includes('assignableUsers')) asked.push((JSON.parse(body) as { variables: Record<string, unknown> }).variables);
    };
    await cg.goto(`${site.url}/#/alerts`);
    const rows = cg.locator('tbody tr');
    await rows.first().waitFor();
    await settled(cg, { idleMs: 10_000 });
    await rows.nth(0).locator('input[type="checkbox"]').check();
    await rows.nth(1).locator('input[type="checkbox"]').check();
    cg.on('request', noteAsked);
    await cg.getByTestId('assign-alerts').click();
    const picker = cg.getByRole('dialog').locator('input[name="assignee"]');
    await picker.fill('ga_');
    await cg.getByText('没有可处理此项的匹配用户').waitFor();
    await picker.fill('onerror');
    await cg.getByRole('option', { name: `${MARKUP} (cg_markup)`, exact: true }).waitFor();
    expect(await cg.evaluate(() => (window as unknown as { __pwned?: number }).__pwned)).toBeUndefined();
    await picker.fill('张伟');
    await cg.getByRole('option', { name: '张伟 (cg_analyst)', exact: true }).click();
    await cg.getByTestId('assign-alerts-confirm').click();
    await cg.getByText('已分派 2 条告警').waitFor();
    cg.off('request', noteAsked);

    // Every question named both alerts at once; each was one audited call.
    expect(asked.length).toBeGreaterThanOrEqual(3);
    expect(asked.every((v) => Array.isArray(v.alertIds) && v.alertIds.length === 2 && v.alertId === undefined)).toBe(true);
    const asks = await gqlAs<{ auditRecords: { actor: string; decision: string }[] }>(
      site,
      adminToken,
      '{auditRecords(action:"cases.assignable_users",resource:"alerts:2",size:100){actor decision}}',
    );
    expect(asks.auditRecords).toEqual(new Array(asked.length).fill({ actor: 'cg_analyst', decision: 'allow' }));
    const assigned = await gqlAs<{ alerts: { alerts: { id: string; assignee: string | null }[] } }>(
      site,
      cgToken,
      '{alerts(filter:{assignee:"cg_analyst"},size:100){alerts{id assignee}}}',
    );
    const ids = assigned.alerts.alerts.map((a) => a.id);
    expect(ids).toHaveLength(2);
    const records = await gqlAs<{ auditRecords: { actor: string; decision: string; resource: string }[] }>(
      site,
      adminToken,
      '{auditRecords(action:"alerts.assign",size:100){actor decision resource}}',
    );
    expect(records.auditRecords.map((r) => r.resource).sort()).toEqual(ids.map((id) => `alert:${id}`).sort());
  });

  it('lets an administrator export the case evidence with the hash of the saved file, and the audit trail shows every case action', async () => {
    const admin = (await browser.page()) as TrackedPage;
    await signIn(admin, site, 'admin', STRONG);
    await admin.waitForURL(/#\/$/);
    await admin.goto(`${site.url}/#/cases/${encodeURIComponent(caseId)}/show`);
    await admin.getByTestId('case-summary').waitFor();
    const download = admin.waitForEvent('download');
    await admin.getByTestId('export-json').click();
    const file = await download;
    const bytes = readFileSync(await file.path());
    const result = admin.getByTestId('export-result');
    await result.waitFor();
    expect(await result.getAttribute('data-sha256')).toBe(createHash('sha256').update(bytes).digest('hex'));
    expect(file.suggestedFilename()).toBe(await result.getAttribute('data-file'));
    const evidence = JSON.parse(bytes.toString('utf8')) as { evidence: { case: { id: string; status: string }; manifest: string } };
    expect(evidence.evidence.case).toMatchObject({ id: caseId, status: 'resolved' });
    await expect(admin.getByTestId('export-manifest').innerText()).resolves.toBe(`证据清单哈希 ${evidence.evidence.manifest}`);
    await shot(admin, 'case-export.zh-CN', { fullPage: true });

    // Newest first: opened from the alert, the other case merged in, seven changes (comment, task,
    // task done, observable, the assignment, the edit, resolving), the analyst's two exports, the
    // 公安 analyst's refused one and this one.
    const allow = (actor: string, n: number) => new Array<{ actor: string; decision: string }>(n).fill({ actor, decision: 'allow' });
    const expected: [string, { actor: string; decision: string }[]][] = [
      ['cases.open_from_alert', allow('cg_analyst', 1)],
      ['cases.merge', allow('cg_analyst', 1)],
      ['cases.change', allow('cg_analyst', 7)],
      ['cases.export', [...allow('admin', 1), { actor: 'ga_analyst', decision: 'deny' }, ...allow('cg_analyst', 2)]],
    ];
    const resource = `case:${caseId}`;
    for (const [action, decisions] of expected) {
      const records = await gqlAs<{ auditRecords: { actor: string; decision: string }[] }>(
        site,
        adminToken,
        'query($r:String!,$a:String!){auditRecords(resource:$r,action:$a,size:100){actor decision}}',
        { r: resource, a: action },
      );
      expect([action, records.auditRecords]).toEqual([action, decisions]);
      await admin.goto(`${site.url}/#/audit?filter=${encodeURIComponent(JSON.stringify({ resource, action }))}`);
      await admin.locator('tbody tr td.column-action').first().waitFor();
      await settled(admin, { idleMs: 10_000 });
      // A row's hash chain unfolds in a row of its own: the records are the rows with an action cell.
      const rows = await admin.locator('tbody tr:has(td.column-action)').allInnerTexts();
      expect([action, rows.length]).toEqual([action, decisions.length]);
      expect(rows.every((r) => r.includes(action) && decisions.some((d) => r.includes(d.actor)) && r.includes(resource))).toBe(true);
    }
    await shot(admin, 'case-audit.zh-CN', { fullPage: true });
    expect(admin.problems).toEqual([]);
    await admin.close();
  });

  it('keeps a 城管 case out of sight of a 公安 analyst, in the list and by its address', async () => {
    const theirs = (await gqlAs<{ alerts: { alerts: { id: string }[] } }>(site, gaToken, '{alerts(size:1){alerts{id}}}')).alerts.alerts[0]!;
    const gaCase = (await gqlAs<{ openCaseFromAlert: { id: string } }>(site, gaToken, 'mutation($a:ID!){openCaseFromAlert(alertId:$a){id}}', { a: theirs.id }))
      .openCaseFromAlert.id;
    const refused = await site.running.gql('query($id:ID!){case(id:$id){id}}', { id: caseId }, gaToken);
    expect(refused.errors![0]!.extensions!.code).toBe('NOT_FOUND');
    const visible = (await gqlAs<{ cases: { cases: { id: string }[] } }>(site, gaToken, '{cases(size:100){cases{id}}}')).cases.cases.map((c) => c.id);
    expect(visible).toEqual([gaCase]);
    const ga = (await browser.page()) as TrackedPage;
    await signIn(ga, site, 'ga_analyst', STRONG);
    await ga.waitForURL(/#\/$/);
    await ga.goto(`${site.url}/#/cases?filter=${encodeURIComponent(JSON.stringify({ status: [] }))}`);
    await ga.locator('tbody tr', { hasText: gaCase }).waitFor();
    await settled(ga, { idleMs: 10_000 });
    expect(await ga.locator('tbody tr td.column-id').allInnerTexts()).toEqual([gaCase]);
    // Its address answers as for a case that does not exist, and nothing of it is shown.
    await ga.goto(`${site.url}/#/cases/${encodeURIComponent(caseId)}/show`);
    await ga.getByText('条目不存在').waitFor();
    expect(await ga.getByTestId('case-summary').count()).toBe(0);
    expect(await ga.getByText('城管 SSH 暴力破解').count()).toBe(0);
    // The 城管 analyst's list, for contrast, does not hold the 公安 case.
    await cg.goto(`${site.url}/#/cases?filter=${encodeURIComponent(JSON.stringify({ status: [] }))}`);
    await cg.locator('tbody tr', { hasText: caseId }).waitFor();
    await settled(cg, { idleMs: 10_000 });
    expect(await cg.locator('tbody tr td.column-id').allInnerTexts()).not.toContain(gaCase);
    expect(ga.problems).toEqual([]);
    await ga.close();
  });

  it('opens a case by hand from the list with its severity, departments and tags', async () => {
    await cg.goto(`${site.url}/#/cases`);
    await cg.getByRole('link', { name: '新建' }).click();
    await cg.waitForURL(/#\/cases\/create$/);
    await cg.locator('input[name="title"]').fill('门户网站异常登录');
    await cg.getByRole('combobox', { name: '严重程度' }).click();
    await cg.getByRole('option', { name: '高' }).click();
    await cg.locator('input[name="departments"]').fill('城管');
    await cg.locator('input[name="tags"]').fill('web，登录');
    await shot(cg, 'case-create.zh-CN', { fullPage: true });
    await cg.getByRole('button', { name: '保存' }).click();
    await cg.waitForURL(/#\/cases\/CASE-[^/]+\/show$/);
    const id = decodeURIComponent(/#\/cases\/([^/]+)\/show$/.exec(cg.url())![1]!);
    await expect(cg.getByTestId('case-id').innerText()).resolves.toBe(id);
    const stored = await gqlAs<{ case: { title: string; severity: string; departments: string[]; tags: string[]; createdBy: string; tlp: string } }>(
      site,
      cgToken,
      'query($id:ID!){case(id:$id){title severity departments tags createdBy tlp}}',
      { id },
    );
    expect(stored.case).toEqual({
      title: '门户网站异常登录',
      severity: 'high',
      departments: ['城管'],
      tags: ['web', '登录'],
      createdBy: 'cg_analyst',
      tlp: 'amber',
    });
  });

  it("shows another analyst's new case in the list and their task, comment and status move on the case page without a reload", async () => {
    const peer = await signInAs(site.running, adminToken, 'cg_peer', 'analyst', '城管');
    await cg.goto(`${site.url}/#/cases?filter=${encodeURIComponent(JSON.stringify({ status: [] }))}`);
    await cg.locator('tbody tr', { hasText: caseId }).waitFor();
    await settled(cg, { idleMs: 10_000 });
    // Marks this page load: a reload would drop the mark.
    await cg.evaluate(() => void ((window as unknown as { loadMark: number }).loadMark = 3));
    const opened = await gqlAs<{ openCase: { id: string } }>(site, peer, 'mutation($i:NewCaseInput!){openCase(input:$i){id}}', {
      i: { title: '两人协同处置', severity: 'medium', departments: ['城管'] },
    });
    const id = opened.openCase.id;
    await cg.locator('tbody tr', { hasText: id }).waitFor({ timeout: 15_000 });
    await cg.locator('tbody tr', { hasText: id }).locator('td.column-title').click();
    await cg.waitForURL(/#\/cases\/CASE-[^/]+\/show$/);
    await cg.getByTestId('case-summary').waitFor();
    await settled(cg, { idleMs: 10_000 });
    const status = cg.getByTestId('case-status');
    expect(await status.getAttribute('data-status')).toBe('open');
    await gqlAs(site, peer, 'mutation($id:ID!){addCaseTask(id:$id,title:"核对来源地址"){id}}', { id });
    await gqlAs(site, peer, 'mutation($id:ID!){commentCase(id:$id,text:"我来核对来源地址"){id}}', { id });
    await gqlAs(site, peer, 'mutation($id:ID!){moveCase(id:$id,to:in_progress){id}}', { id });
    await cg.getByTestId('case-task').filter({ hasText: '核对来源地址' }).waitFor({ timeout: 15_000 });
    await cg.getByTestId('case-comments').getByText('我来核对来源地址').waitFor({ timeout: 15_000 });
    await cg.locator('[data-testid="case-status"][data-status="in_progress"]').waitFor({ timeout: 15_000 });
    await expect(status.innerText()).resolves.toBe('处理中');
    expect(await cg.evaluate(() => (window as unknown as { loadMark?: number }).loadMark)).toBe(3);
  });

  it('renders the case list and the case page in English with every label translated', async () => {
    await cg.goto(`${site.url}/#/cases/${encodeURIComponent(caseId)}/show`);
    await cg.getByTestId('case-summary').waitFor();
    await cg.getByRole('button', { name: '简体中文' }).click();
    await cg.getByRole('menuitem', { name: 'English' }).click();
    await cg.getByRole('button', { name: 'English' }).waitFor();
    await settled(cg, { idleMs: 10_000 });
    const labels = await cg.evaluate(() =>
      [
        ...document.querySelectorAll(
          'main h2, main th, main button, main label, main [data-testid="case-status"], main [data-testid="sla-chip"], main [data-testid="case-summary"] td:first-child',
        ),
      ]
        .map((el) => (el as HTMLElement).innerText.trim())
        .filter((t) => t !== ''),
    );
    expect(labels.length).toBeGreaterThan(20);
    expect(labels.filter((l) => CJK.test(l))).toEqual([]);
    await shot(cg, 'case.en', { fullPage: true });
    await cg.goto(`${site.url}/#/cases?filter=${encodeURIComponent(JSON.stringify({ status: [] }))}`);
    await cg.locator('tbody tr', { hasText: caseId }).waitFor();
    await settled(cg, { idleMs: 10_000 });
    expect((await cg.locator('thead th').allInnerTexts()).filter((l) => CJK.test(l))).toEqual([]);
    await shot(cg, 'cases.en', { fullPage: true });
    await cg.getByRole('button', { name: 'English' }).click();
    await cg.getByRole('menuitem', { name: '简体中文' }).click();
    await cg.getByRole('button', { name: '简体中文' }).waitFor();
  });
});
