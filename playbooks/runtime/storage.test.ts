import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { SqliteStateStore } from '../../adapters/sqlite/state-store';
import type { Actor } from '../../core/actor';
import type { FlowItem } from '../catalog';
import { actorOf, adminAuth, editorPermissions } from './admin-auth';
import { StateContextStore } from './context-store';
import { credentialSecret } from './credential-secret';
import { FlowVersions, RUNTIME, VERSIONS } from './flow-versions';
import { StateStorage } from './storage';

// eslint-disable-next-line @typescript-eslint/no-require-imports
const redUtil = (require('node-red') as { util: ConstructorParameters<typeof StateContextStore>[1] }).util;

const state = () => new SqliteStateStore(path.join(mkdtempSync(path.join(tmpdir(), 'citysoc-pbstate-')), 'state.db'));
const tab = (id: string, label = id): FlowItem => ({ id, type: 'tab', label });
const commit = (v: FlowVersions, flows: FlowItem[], basedOn: number, by = 'wang') =>
  v.commit({ flows, credentials: {}, basedOn, by, person: by, action: 'deploy', message: 'm' });

describe('playbook versions in the StateStore', () => {
  it('numbers deploys, records who and what changed, and refuses one made on top of a version that is not the latest', async () => {
    const s = state();
    const v = new FlowVersions(s, () => new Date('2026-11-20T02:00:00Z'));
    expect(await v.head()).toBe(0);
    const v1 = await commit(v, [tab('t1'), { id: 'n1', type: 'x', z: 't1' }], 0);
    const v2 = await commit(v, [tab('t1', 'renamed'), { id: 'n2', type: 'y', z: 't1', name: 'new' }], 1, 'li');
    expect([v1.version, v2.version, v2.by, v2.basedOn]).toEqual([1, 2, 'li', 1]);
    expect(v2.diff).toEqual({
      added: [{ id: 'n2', type: 'y', name: 'new' }],
      changed: [{ id: 't1', type: 'tab', name: 'renamed' }],
      removed: [{ id: 'n1', type: 'x' }],
    });
    await expect(commit(v, [], 1)).rejects.toThrow(
      'the playbooks were deployed elsewhere (version 2) after version 1 was loaded here; reload the flows and deploy again',
    );
    expect((await v.list()).map((x) => x.version)).toEqual([2, 1]);
    expect((await v.get(1))!.flows).toHaveLength(2);
    await s.close();
  });

  it('adopts a version a crashed replica stored without moving the head, so numbering goes on', async () => {
    const s = state();
    const v = new FlowVersions(s);
    await commit(v, [tab('t1')], 0);
    await s.create(VERSIONS, 'v000000002', {
      version: 2,
      rev: 'r',
      at: 'x',
      by: 'crashed',
      person: 'crashed',
      action: 'deploy',
      message: '',
      basedOn: 1,
      diff: { added: [], changed: [], removed: [] },
      flows: [],
      credentials: {},
    });
    expect(await v.head()).toBe(2);
    expect(await s.get(RUNTIME, 'head')).toEqual({ version: 2 });
    expect((await commit(v, [tab('t3')], 2)).version).toBe(3);
    await s.close();
  });
});

describe('the Node-RED storage module over the StateStore', () => {
  it('loads the latest version, saves a deploy with the credentials that came just before it, and keeps telemetry off', async () => {
    const s = state();
    const versions = new FlowVersions(s);
    const seen: number[] = [];
    const storage = new StateStorage(s, versions, {
      commit: (_user, change) => versions.commit({ ...change, by: 'u', person: 'u', action: 'deploy', message: '' }),
      flowsChanged: (_f, version) => seen.push(version),
    });
    const m = storage.module() as Record<string, (...a: unknown[]) => Promise<unknown>>;
    expect(await m.getFlows!()).toEqual([]);
    await m.saveCredentials!({ $: 'encrypted-1' });
    await m.saveFlows!([tab('t1')], { username: 'u' });
    expect(await m.getCredentials!()).toEqual({ $: 'encrypted-1' });
    await m.saveFlows!([tab('t1'), tab('t2')], { username: 'u' });
    expect((await versions.get(2))!.credentials).toEqual({ $: 'encrypted-1' });
    expect(await m.getFlows!()).toEqual([tab('t1'), tab('t2')]);
    expect(seen).toEqual([0, 1, 2, 2]);
    await m.saveSettings!({ users: { wang: { editor: {} } }, telemetryEnabled: true });
    expect(await m.getSettings!()).toEqual({ users: { wang: { editor: {} } }, telemetryEnabled: false });
    await s.close();
  });

  it('keeps library entries by type and folder', async () => {
    const s = state();
    const storage = new StateStorage(s, new FlowVersions(s), { commit: () => Promise.reject(new Error('no')), flowsChanged: () => undefined });
    const m = storage.module() as Record<string, (...a: unknown[]) => Promise<unknown>>;
    await m.saveLibraryEntry!('flows', 'triage/ssh.json', { name: 'ssh' }, '[1]');
    await m.saveLibraryEntry!('flows', 'top.json', {}, '[2]');
    await m.saveLibraryEntry!('functions', 'f.js', {}, 'x');
    expect(await m.getLibraryEntry!('flows', '')).toEqual(['triage', { fn: 'top.json' }]);
    expect(await m.getLibraryEntry!('flows', 'triage')).toEqual([{ name: 'ssh', fn: 'ssh.json' }]);
    expect(await m.getLibraryEntry!('flows', 'triage/ssh.json')).toBe('[1]');
    await expect(m.getLibraryEntry!('flows', 'nothing')).rejects.toMatchObject({ code: 'not_found' });
    await s.close();
  });
});

describe('persistent context in the StateStore', () => {
  it('answers reads from memory, stores each write before its callback, and finds the values again after a restart', async () => {
    const s = state();
    const c = new StateContextStore(s, redUtil);
    await c.open();
    await new Promise<void>((r, j) => c.set('flow:t1', 'seen.count', 3, (e) => (e ? j(e) : r())));
    c.set('global', ['a', 'b'], [1, { x: 2 }]);
    expect(c.get('flow:t1', 'seen.count')).toBe(3);
    expect(c.get('global', ['a', 'b'])).toEqual([1, { x: 2 }]);
    expect(c.keys('global')).toEqual(['a', 'b']);
    await c.close();
    const again = new StateContextStore(s, redUtil);
    await again.open();
    expect(again.get('flow:t1', 'seen')).toEqual({ count: 3 });
    expect(again.get('global', 'b')).toEqual({ x: 2 });
    await again.clean(['t2']);
    expect(again.get('flow:t1', 'seen')).toBeUndefined();
    expect(again.get('global', 'a')).toBe(1);
    await s.close();
  });
});

describe('one sign-on with CitySOC sessions', () => {
  const person = (roles: Actor['roles'], extra: Partial<Actor> = {}): Actor => ({ kind: 'user', name: 'p', person: 'p', roles, ...extra });
  it('maps roles: authors and admins edit, readers read, others nothing', () => {
    expect(editorPermissions(person(['admin']))).toBe('*');
    expect(editorPermissions(person(['playbook_author']))).toBe('*');
    expect(editorPermissions(person(['analyst']))).toBe('read');
    expect(editorPermissions(person(['auditor']))).toBe('read');
    expect(editorPermissions(person(['collector']))).toBeNull();
  });

  it('answers the editor from the CitySOC session, never from Node-RED users, and carries the actor unseen', async () => {
    const sessions: Record<string, Actor> = {
      good: person(['playbook_author']),
      owing: person(['admin'], { mustChangePassword: true }),
      iso: person(['admin'], { name: 'iso' }),
    };
    const auth = adminAuth(
      (t) => sessions[t] ?? null,
      (a) => a.name === 'iso',
      3600,
    ) as { tokens: (t: string) => Promise<unknown>; users: (u: string) => Promise<unknown>; authenticate: (u: string, p: string) => Promise<unknown> };
    const user = await auth.tokens('good');
    expect(user).toEqual({ username: 'p', permissions: '*' });
    expect(JSON.stringify(user)).toBe('{"username":"p","permissions":"*"}');
    expect(actorOf(user)).toBe(sessions.good);
    expect(await auth.tokens('owing')).toBeNull();
    expect(await auth.tokens('iso')).toBeNull();
    expect(await auth.tokens('unknown')).toBeNull();
    expect(await auth.users('admin')).toBeNull();
    expect(await auth.authenticate('admin', 'admin')).toBeNull();
  });

  it('keeps one credential secret for every replica of the store', async () => {
    const s = state();
    const a = await credentialSecret(s);
    expect(a).toHaveLength(44);
    expect(await credentialSecret(s)).toBe(a);
    await s.close();
  });
});
