import { canonicalDepartments } from './departments';

const names: Record<string, string> = { ga: '公安', 公安: '公安', cg: '城管', 城管: '城管' };
const find = (d: string): string | null => names[d] ?? null;

describe('department fields as the catalogue names them', () => {
  test('codes in the user, asset and data-owner fields become names; other fields are left alone', () => {
    const e = {
      user: { name: 'ga' },
      citysoc: { identity: { department: 'ga' }, asset: { department: 'cg' }, data: { owner_department: '公安', dataset: 'ga.hukou' } },
    };
    expect(canonicalDepartments(e, find)).toEqual({
      user: { name: 'ga' },
      citysoc: { identity: { department: '公安' }, asset: { department: '城管' }, data: { owner_department: '公安', dataset: 'ga.hukou' } },
    });
    expect(e.citysoc.identity.department).toBe('ga');
  });

  test('an event already in names, or without the fields, is returned as the same object; unknown departments are kept', () => {
    const named = { citysoc: { identity: { department: '公安' } } };
    expect(canonicalDepartments(named, find)).toBe(named);
    const bare = { message: 'x' };
    expect(canonicalDepartments(bare, find)).toBe(bare);
    const unknown = { citysoc: { identity: { department: 'nowhere' }, data: { owner_department: 7 } } };
    expect(canonicalDepartments(unknown, find)).toBe(unknown);
    expect(canonicalDepartments('not an object', find)).toBe('not an object');
    expect(canonicalDepartments({ citysoc: 'flat' }, find)).toEqual({ citysoc: 'flat' });
  });
});
