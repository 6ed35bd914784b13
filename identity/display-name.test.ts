import path from 'node:path';
import { graphql } from 'graphql';
import { createSchema } from 'graphql-yoga';
import { SqliteStateStore } from '../adapters/sqlite/state-store';
import type { Actor } from '../core/actor';
import type { AuditRecord } from '../core/audit';
import { bind, Door } from '../core/door';
import { policyFixture, type PolicyFixture } from '../policy/test-support';
import type { RequestContext } from '../core/module';
import { PERMISSIONS, permissionName, ROLES } from '../core/roles';
import { DepartmentCatalogue } from './departments';
import { checkDisplayName } from './display-name';
import { identityGraphQL } from './graphql';
import { identityActions } from './service';
import { IdentityStore } from './store';

const OPTS = { sessionTtlMinutes: 60, maxFailedLogins: 5, lockoutMinutes: 15 };
const ADMIN: Actor = { kind: 'user', name: 'admin', roles: ['admin'], person: 'admin' };

let policy: PolicyFixture;
let state: SqliteStateStore;
let store: IdentityStore;
let svc: ReturnType<typeof bind<ReturnType<typeof identityActions>>>;
let before = 0;

beforeEach(async () => {
  policy = await policyFixture();
  state = new SqliteStateStore(path.join(policy.dir, 'identity.db'));
  store = await IdentityStore.open(state, OPTS);
  const door = new Door({ authorizer: policy.services.authorizer, audit: policy.audit, clock: () => policy.now });
  svc = bind(door, identityActions({ store, departments: await DepartmentCatalogue.open(state) }));
  before = (await policy.audit.query({ size: 1 }))[0]?.seq ?? 0;
});
afterEach(async () => {
  await state.close();
  await policy.close();
});

const trail = async (): Promise<AuditRecord[]> => policy.audit.query({ afterSeq: before, size: 1000 });

describe('a user’s display name', () => {
  it('is kept at creation (trimmed), answered in the user view, changed and cleared by updateUser, each change audited once', async () => {
    const created = await svc.createUser(ADMIN, { username: 'zhangwei', roles: ['analyst'], department: '城管', displayName: '  张伟 ' });
    expect(created.user.displayName).toBe('张伟');
    expect(store.user('zhangwei')?.displayName).toBe('张伟');

    expect((await svc.updateUser(ADMIN, { username: 'zhangwei', displayName: '张伟（城管）' })).displayName).toBe('张伟（城管）');
    // a change of something else leaves it as it is
    expect((await svc.updateUser(ADMIN, { username: 'zhangwei', disabled: false })).displayName).toBe('张伟（城管）');
    expect((await svc.updateUser(ADMIN, { username: 'zhangwei', displayName: null })).displayName).toBeNull();
    await svc.updateUser(ADMIN, { username: 'zhangwei', displayName: '张伟' });
    expect((await svc.updateUser(ADMIN, { username: 'zhangwei', displayName: '   ' })).displayName).toBeNull();
    expect(await state.get('users', 'zhangwei')).not.toHaveProperty('displayName');

    expect((await trail()).map((r) => [r.action, r.decision, r.resource, r.details?.displayName])).toEqual([
      ['users.create', 'allow', 'user:zhangwei', '  张伟 '],
      ['users.update', 'allow', 'user:zhangwei', '张伟（城管）'],
      ['users.update', 'allow', 'user:zhangwei', undefined],
      ['users.update', 'allow', 'user:zhangwei', null],
      ['users.update', 'allow', 'user:zhangwei', '张伟'],
      ['users.update', 'allow', 'user:zhangwei', '   '],
    ]);
  });

  it('is seen by another replica reading the same store, and a user without one answers null', async () => {
    await store.createUser('wangfang', ['analyst'], null, undefined, { displayName: '王芳' });
    await store.createUser('plain', ['analyst'], null);
    const other = await IdentityStore.open(state, OPTS);
    expect(other.listUsers().map((u) => [u.username, u.displayName])).toEqual([
      ['plain', null],
      ['wangfang', '王芳'],
    ]);
  });

  it('counts characters, not UTF-16 units: 64 Chinese characters are accepted, 65 refused naming the field and the limit', async () => {
    const ok = '张'.repeat(64);
    expect((await svc.createUser(ADMIN, { username: 'long', roles: ['analyst'], displayName: ok })).user.displayName).toBe(ok);
    expect((await svc.updateUser(ADMIN, { username: 'long', displayName: '𠮷'.repeat(64) })).displayName).toBe('𠮷'.repeat(64));
    await expect(svc.updateUser(ADMIN, { username: 'long', displayName: 'a'.repeat(65) })).rejects.toMatchObject({
      code: 'INPUT_INVALID',
      message: 'displayName is 65 characters long: at most 64 are allowed (after trimming)',
    });
    await expect(svc.createUser(ADMIN, { username: 'toolong', roles: ['analyst'], displayName: '张'.repeat(65) })).rejects.toMatchObject({
      code: 'INPUT_INVALID',
      message: 'displayName is 65 characters long: at most 64 are allowed (after trimming)',
    });
    expect(store.user('toolong')).toBeNull();
    expect(store.user('long')?.displayName).toBe('𠮷'.repeat(64));
  });

  it.each([
    ['a newline', '张\n伟', 'U+000A at character 2'],
    ['a NUL', '张伟\u0000', 'U+0000 at character 3'],
    ['DEL', '\u007f张伟', 'U+007F at character 1'],
    ['a zero-width space', '张\u200b伟', 'U+200B at character 2'],
    ['a right-to-left override', '\u202eiewgnahz', 'U+202E at character 1'],
    ['a right-to-left isolate', '张伟\u2067', 'U+2067 at character 3'],
    ['a byte-order mark', '\ufeff张伟x', 'U+FEFF at character 1'],
    ['a line separator', '张\u2028伟', 'U+2028 at character 2'],
    ['a trailing newline (not trimmed away)', '张伟\n', 'U+000A at character 3'],
    ['a lone surrogate', '张\ud800伟', 'U+D800 at character 2'],
  ])('refuses %s, saying which character and where, and stores nothing', async (_what, name, where) => {
    await svc.createUser(ADMIN, { username: 'zhangwei', roles: ['analyst'], displayName: '张伟' });
    const message = `displayName may not contain control or invisible formatting characters (found ${where})`;
    await expect(svc.updateUser(ADMIN, { username: 'zhangwei', displayName: name })).rejects.toMatchObject({ code: 'INPUT_INVALID', message });
    await expect(svc.createUser(ADMIN, { username: 'other', roles: ['analyst'], displayName: name })).rejects.toMatchObject({ code: 'INPUT_INVALID', message });
    expect(store.user('zhangwei')?.displayName).toBe('张伟');
    expect(store.user('other')).toBeNull();
    expect((await trail()).map((r) => [r.action, r.decision])).toEqual([
      ['users.create', 'allow'],
      ['users.update', 'failure'],
      ['users.create', 'failure'],
    ]);
  });

  it('keeps markup as plain text (the console renders it as text), and right-to-left letters themselves are accepted', async () => {
    const markup = '<img src=x onerror="alert(1)">&lt;b&gt;';
    expect((await svc.createUser(ADMIN, { username: 'markup', roles: ['analyst'], displayName: markup })).user.displayName).toBe(markup);
    expect((await svc.createUser(ADMIN, { username: 'arabic', roles: ['analyst'], displayName: 'مريم' })).user.displayName).toBe('مريم');
  });

  it('refuses 10 KB of display name; the audit record keeps its length, not the text', async () => {
    const huge = '张'.repeat(10_240);
    await svc.createUser(ADMIN, { username: 'zhangwei', roles: ['analyst'] });
    await expect(svc.updateUser(ADMIN, { username: 'zhangwei', displayName: huge })).rejects.toMatchObject({
      code: 'INPUT_INVALID',
      message: 'displayName is 10240 characters long: at most 64 are allowed (after trimming)',
    });
    const [, failed] = await trail();
    expect([failed!.action, failed!.decision, failed!.details?.displayNameLength, failed!.details?.displayName]).toEqual([
      'users.update',
      'failure',
      10_240,
      undefined,
    ]);
    expect(JSON.stringify(failed).length).toBeLessThan(2048);
  });

  it('is refused when not a string, and changing it needs users:manage', async () => {
    await svc.createUser(ADMIN, { username: 'zhangwei', roles: ['analyst'] });
    await expect(svc.updateUser(ADMIN, { username: 'zhangwei', displayName: 42 as unknown as string })).rejects.toMatchObject({
      code: 'INPUT_INVALID',
      message: 'displayName must be a string (or null to clear it)',
    });
    const analyst: Actor = { kind: 'user', name: 'wu', roles: ['analyst'], department: '城管', person: 'wu' };
    await expect(svc.updateUser(analyst, { username: 'zhangwei', displayName: '冒名' })).rejects.toMatchObject({ code: 'FORBIDDEN' });
    expect(store.user('zhangwei')?.displayName).toBeNull();
  });
});

describe('a display name that would look like another', () => {
  const refusal = (name: string) => {
    try {
      return ['accepted', checkDisplayName(name)];
    } catch (e) {
      return [(e as { code?: string }).code, (e as Error).message];
    }
  };

  it.each([
    ['the Hangul choseong filler', '\u115f'],
    ['the Hangul jungseong filler', '\u1160'],
    ['the Hangul filler', '\u3164'],
    ['the half-width Hangul filler', '\uffa0'],
    ['the braille blank', '\u2800'],
    ['the combining grapheme joiner', '\u034f'],
    ['variation selector 1', '\ufe00'],
    ['variation selector 16', '\ufe0f'],
    ['variation selector 17', '\u{e0100}'],
    ['variation selector 256', '\u{e01ef}'],
    ['Mongolian free variation selector 1', '\u180b'],
    ['Mongolian free variation selector 4', '\u180f'],
  ])('refuses %s, naming its code', (_what, ch) => {
    const code = ch.codePointAt(0)!.toString(16).toUpperCase().padStart(4, '0');
    expect(refusal(`张${ch}伟`)).toEqual([
      'INPUT_INVALID',
      `displayName may not contain invisible or blank-looking characters (found U+${code} at character 2)`,
    ]);
    // alone, or at either end where trimming would otherwise hide it
    expect(refusal(ch)[1]).toBe(`displayName may not contain invisible or blank-looking characters (found U+${code} at character 1)`);
    expect(refusal(`张伟${ch}`)[1]).toBe(`displayName may not contain invisible or blank-looking characters (found U+${code} at character 3)`);
  });

  it.each([
    ['a no-break space', '\u00a0'],
    ['an en quad', '\u2000'],
    ['a hair space', '\u200a'],
    ['a narrow no-break space', '\u202f'],
    ['a medium mathematical space', '\u205f'],
    ['an ideographic space', '\u3000'],
    ['an ogham space mark', '\u1680'],
  ])('refuses %s, naming its code: only the ordinary space separates words', (_what, ch) => {
    const code = ch.codePointAt(0)!.toString(16).toUpperCase().padStart(4, '0');
    expect(refusal(`王${ch}小明`)).toEqual([
      'INPUT_INVALID',
      `displayName may contain no space but the ordinary one (U+0020) (found U+${code} at character 2)`,
    ]);
    expect(refusal(`${ch}张伟`)[1]).toBe(`displayName may contain no space but the ordinary one (U+0020) (found U+${code} at character 1)`);
  });

  it('refuses two spaces in a row between words, and still trims ordinary spaces at either end', () => {
    expect(refusal('王  小明')).toEqual(['INPUT_INVALID', 'displayName may not contain two spaces in a row (at character 3)']);
    expect(refusal('Zhang   Wei')).toEqual(['INPUT_INVALID', 'displayName may not contain two spaces in a row (at character 7)']);
    expect(refusal('  王 小明  ')).toEqual(['accepted', '王 小明']);
  });

  it('refuses a combining mark with nothing to sit on, and more than two stacked on one character', () => {
    expect(refusal('\u0301')).toEqual([
      'INPUT_INVALID',
      'displayName may not have a combining mark at the start or after a space (found U+0301 at character 1)',
    ]);
    expect(refusal('\u0301\u0302\u0303')).toEqual([
      'INPUT_INVALID',
      'displayName may not have a combining mark at the start or after a space (found U+0301 at character 1)',
    ]);
    expect(refusal('\u0308张伟')[1]).toBe('displayName may not have a combining mark at the start or after a space (found U+0308 at character 1)');
    expect(refusal(' \u0301张伟')[1]).toBe('displayName may not have a combining mark at the start or after a space (found U+0301 at character 2)');
    expect(refusal('张 \u0301伟')[1]).toBe('displayName may not have a combining mark at the start or after a space (found U+0301 at character 3)');
    expect(refusal('Zal\u0336\u0334\u0337go')).toEqual([
      'INPUT_INVALID',
      'displayName may not stack more than 2 combining marks on one character (found U+0337 at character 6)',
    ]);
    // counted decomposed: é (U+00E9) carries one mark already
    expect(refusal('Jos\u00e9\u0301\u0301')[1]).toBe('displayName may not stack more than 2 combining marks on one character (found U+0301 at character 6)');
    // two are what Vietnamese needs, decomposed or not
    expect(refusal('Nguye\u0323\u0302n')).toEqual(['accepted', 'Nguy\u1ec7n']);
    expect(refusal('Nguy\u1ec7n')).toEqual(['accepted', 'Nguy\u1ec7n']);
  });

  it.each(['张伟', 'Zhang Wei', '王 小明', "O'Brien-Smith", 'José', 'Jose\u0301', 'Ólafur Þór', 'मोहन', 'مريم'])('accepts the ordinary name %s', (name) => {
    expect(refusal(name)).toEqual(['accepted', name.normalize('NFC')]);
  });
});

describe('two people with one display name', () => {
  it('are both accepted (a common name is shared by many); the username tells them apart', async () => {
    await svc.createUser(ADMIN, { username: 'zhangwei', roles: ['analyst'], department: '城管', displayName: '张伟' });
    expect((await svc.createUser(ADMIN, { username: 'zhangwei2', roles: ['analyst'], department: '公安', displayName: ' 张伟 ' })).user.displayName).toBe(
      '张伟',
    );
    await svc.createUser(ADMIN, { username: 'wangwu', roles: ['analyst'], displayName: '王五' });
    expect((await svc.updateUser(ADMIN, { username: 'wangwu', displayName: '张伟' })).displayName).toBe('张伟');
    expect(['zhangwei', 'zhangwei2', 'wangwu'].map((u) => store.user(u)?.displayName)).toEqual(['张伟', '张伟', '张伟']);
  });
});

describe('the display name over GraphQL', () => {
  it('is set by createUser, left alone when updateUser does not name it, and cleared by an explicit null', async () => {
    const base = `type Query\ntype Mutation\nenum Role { ${ROLES.join(' ')} }\nenum Permission { ${PERMISSIONS.map(permissionName).join(' ')} }`;
    const contribution = identityGraphQL(svc);
    const schema = createSchema({ typeDefs: [base, contribution.typeDefs], resolvers: [contribution.resolvers as never] });
    const contextValue: RequestContext = { actor: ADMIN, token: null, sourceIp: '10.0.0.9' };
    const run = async (source: string) => {
      const r = await graphql({ schema, source, contextValue });
      return r.errors ? r.errors.map((e) => e.message) : r.data;
    };
    expect(await run('mutation { createUser(username: "zhangwei", roles: [analyst], displayName: "张伟") { user { displayName } } }')).toEqual({
      createUser: { user: { displayName: '张伟' } },
    });
    expect(await run('mutation { updateUser(username: "zhangwei", disabled: false) { displayName } }')).toEqual({ updateUser: { displayName: '张伟' } });
    expect(await run('mutation { updateUser(username: "zhangwei", displayName: null) { displayName } }')).toEqual({ updateUser: { displayName: null } });
    expect(await run(`mutation { updateUser(username: "zhangwei", displayName: "${'a'.repeat(65)}") { displayName } }`)).toEqual([
      'displayName is 65 characters long: at most 64 are allowed (after trimming)',
    ]);
    expect(await run('{ users { username displayName } }')).toEqual({ users: [{ username: 'zhangwei', displayName: null }] });
  });
});
