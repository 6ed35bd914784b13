import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { SqliteStateStore } from '../adapters/sqlite/state-store';
import { IdentityStore } from './store';

const OPTS = { sessionTtlMinutes: 60, maxFailedLogins: 5, lockoutMinutes: 15 };

describe('identity shared through the state store', () => {
  const dir = mkdtempSync(path.join(tmpdir(), 'citysoc-identity-'));
  const stores: SqliteStateStore[] = [];
  afterAll(async () => {
    for (const s of stores) await s.close();
    rmSync(dir, { recursive: true, force: true });
  });
  // two replicas on one store, with no control channel: only the store connects them
  const replica = async () => {
    const s = new SqliteStateStore(path.join(dir, 'state.db'));
    stores.push(s);
    return IdentityStore.open(s, OPTS);
  };

  it('a session or token made on one replica is found on another by a store lookup; forged ones are not', async () => {
    const a = await replica();
    const b = await replica();
    const { password } = await a.createUser('wang', ['analyst'], '城管');
    const login = await a.login('wang', password);
    if (!login.ok) throw new Error(login.reason);
    const { token } = await a.issueApiToken('gw-1', ['collector'], 'admin');

    expect(b.authenticate(login.token)).toBeNull();
    expect(await b.authenticateFresh(login.token)).toEqual({
      kind: 'user',
      name: 'wang',
      roles: ['analyst'],
      department: '城管',
      mustChangePassword: true,
      person: 'wang',
    });
    expect(b.authenticate(login.token)?.name).toBe('wang');
    expect(await b.authenticateFresh(token)).toEqual({ kind: 'token', name: 'token:gw-1', roles: ['collector'], person: 'admin' });

    expect(await b.authenticateFresh('css_not-a-session')).toBeNull();
    expect(await b.authenticateFresh(token.replace(/_[^_]+$/, '_forged'))).toBeNull();
    expect(await b.authenticateFresh('Bearer nonsense')).toBeNull();
  });

  it('the first admin is created once when replicas start together', async () => {
    const d = mkdtempSync(path.join(tmpdir(), 'citysoc-identity-boot-'));
    const s1 = new SqliteStateStore(path.join(d, 'state.db'));
    const s2 = new SqliteStateStore(path.join(d, 'state.db'));
    stores.push(s1, s2);
    const [x, y] = await Promise.all([IdentityStore.open(s1, OPTS), IdentityStore.open(s2, OPTS)]);
    const shown = (await Promise.all([x.bootstrapAdmin(), y.bootstrapAdmin()])).filter((r) => r !== null);
    expect(shown).toHaveLength(1);
    const login = await (await IdentityStore.open(s1, OPTS)).login('admin', shown[0]!.password);
    expect(login.ok).toBe(true);
  });
});
