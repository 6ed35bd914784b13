import { parseAlertFilter, matchesAlert } from './alert-filter';
import { testAlert } from '../test-support/test-host';

const ueba = testAlert({
  id: 'a1',
  rule: { id: 'r-ueba', name: 'Off-hours access', type: 'ueba', severity: 'medium', tags: ['citysoc.insider'] },
  entities: [{ type: 'user', value: 'svc-etl' }],
  department: '城管',
});
const ssh = testAlert({
  id: 'a2',
  rule: { id: 'r-ssh', name: 'citysoc_ssh_brute_force', type: 'correlation', severity: 'high', tags: ['attack.t1110.001'] },
  entities: [{ type: 'ip', value: '203.0.113.9' }],
  department: '公安',
});

describe('which alerts an alert-in node takes', () => {
  const takes = (s: Parameters<typeof parseAlertFilter>[0]) => [ueba, ssh].filter((a) => matchesAlert(parseAlertFilter(s), a)).map((a) => a.id);

  it('takes every alert with no criteria', () => expect(takes({})).toEqual(['a1', 'a2']));
  it('matches rules by id or name', () => {
    expect(takes({ rules: 'r-ueba' })).toEqual(['a1']);
    expect(takes({ rules: ' citysoc_ssh_brute_force ,\nother' })).toEqual(['a2']);
  });
  it('matches types, the lowest severity, tags exactly or by prefix', () => {
    expect(takes({ types: 'ueba' })).toEqual(['a1']);
    expect(takes({ types: ['sigma', 'correlation'] })).toEqual(['a2']);
    expect(takes({ minSeverity: 'high' })).toEqual(['a2']);
    expect(takes({ tags: 'attack.t1110*' })).toEqual(['a2']);
    expect(takes({ tags: 'attack.t1110' })).toEqual([]);
  });
  it('matches an entity by type and a * pattern, and departments', () => {
    expect(takes({ entityType: 'user', entityValue: 'svc-*' })).toEqual(['a1']);
    expect(takes({ entityValue: '203.0.113.*' })).toEqual(['a2']);
    expect(takes({ entityValue: '203.0.113' })).toEqual([]);
    expect(takes({ departments: '公安' })).toEqual(['a2']);
  });
  it('needs all criteria, or any one when the node says so', () => {
    expect(takes({ types: 'ueba', tags: 'attack.*' })).toEqual([]);
    expect(takes({ types: 'ueba', tags: 'attack.*', match: 'any' })).toEqual(['a1', 'a2']);
  });
  it('treats pattern characters of regular expressions as text', () => {
    expect(takes({ entityValue: '203.0.113.(9|8)' })).toEqual([]);
  });
  it('refuses settings it cannot honour, naming them', () => {
    expect(() => parseAlertFilter({ types: 'uba' })).toThrow("alert type 'uba' is not one of sigma, correlation, ueba, manual");
    expect(() => parseAlertFilter({ minSeverity: 'severe' })).toThrow("severity 'severe' is not one of informational, low, medium, high, critical");
    expect(() => parseAlertFilter({ entityType: 'email' })).toThrow("entity type 'email' is not one of user, host, ip, dataset, process, file");
    expect(() => parseAlertFilter({ match: 'some' })).toThrow("match 'some' is neither all nor any");
  });
});
