/** The alert queue's filter (its form, or a link's `filter=`) as the API's AlertQueueFilter. */
import { alertQueryOf, parseQueueInput } from '../../alerts/queue';
import { AlertEntity } from '../../core/alert';
import { checkAlertQuery } from '../../core/ports/alert-store';
import { ALERT_ENTITY_TYPES, queueFilter } from '../src/data/alerts';

/** What the API makes of the filter: it must take it as it is. */
function accepted(filter: Record<string, unknown>): void {
  checkAlertQuery(alertQueryOf(parseQueueInput(filter, 'alerts'), [], []));
}

describe('queueFilter', () => {
  it('carries a link to one rule, one entity or one assignee through, trimmed', () => {
    expect(queueFilter({ ruleId: ' ad814613-1f7e-4fdb-880b-033b3f69c4b8 ' })).toEqual({ ruleId: 'ad814613-1f7e-4fdb-880b-033b3f69c4b8' });
    expect(queueFilter({ entity: { type: 'user', value: ' zhangwei ' } })).toEqual({ entity: { type: 'user', value: 'zhangwei' } });
    expect(queueFilter({ assignee: ' lisi ' })).toEqual({ assignee: 'lisi' });
    expect(queueFilter({ unassigned: true })).toEqual({ unassigned: true });
  });

  it('takes an entity of each type the API knows', () => {
    expect(ALERT_ENTITY_TYPES).toEqual(AlertEntity.shape.type.options);
    for (const type of ALERT_ENTITY_TYPES) expect(queueFilter({ entity: { type, value: 'x' } })).toEqual({ entity: { type, value: 'x' } });
  });

  it('leaves out a rule or an assignee that is empty, blank or not text', () => {
    for (const v of ['', '   ', 42, ['r-1'], null, undefined, { id: 'r-1' }]) {
      expect(queueFilter({ ruleId: v })).toEqual({});
      expect(queueFilter({ assignee: v })).toEqual({});
    }
  });

  it('leaves out an entity without a known type or without a value', () => {
    const bad: unknown[] = [
      { type: 'hash', value: 'x' },
      { type: 'User', value: 'zhangwei' },
      { value: 'zhangwei' },
      { type: 'user' },
      { type: 'user', value: '' },
      { type: 'user', value: '  ' },
      { type: 'user', value: 7 },
      'user:zhangwei',
      ['user', 'zhangwei'],
      null,
      undefined,
    ];
    for (const entity of bad) expect(queueFilter({ entity })).toEqual({});
  });

  it('asks for unassigned alerts only on a boolean true, and then not for an assignee as well', () => {
    for (const unassigned of ['true', 1, false, null]) expect(queueFilter({ unassigned })).toEqual({});
    expect(queueFilter({ unassigned: true, assignee: 'lisi' })).toEqual({ unassigned: true });
    expect(queueFilter({ unassigned: false, assignee: 'lisi' })).toEqual({ assignee: 'lisi' });
  });

  it('keeps the form’s other filters with the link’s', () => {
    const filter = queueFilter({
      status: ['open', 'acknowledged', 'snoozed'],
      severity: 'high',
      ruleId: 'r-1',
      ruleType: ['correlation', 'other'],
      department: ' 城管 ',
      entity: { type: 'ip', value: '203.0.113.9' },
      assignee: 'lisi',
      text: ' ssh ',
      from: '2026-12-01T08:00:00Z',
      to: 'not a time',
      page: 2,
    });
    expect(filter).toEqual({
      status: ['open', 'acknowledged'],
      severity: ['high'],
      ruleId: 'r-1',
      ruleType: ['correlation'],
      department: '城管',
      entity: { type: 'ip', value: '203.0.113.9' },
      assignee: 'lisi',
      text: 'ssh',
      timeField: 'lastSeen',
      from: '2026-12-01T08:00:00.000Z',
    });
    accepted(filter);
  });

  it('gives the API only filters it accepts', () => {
    for (const f of [
      { ruleId: 'r-1', entity: { type: 'dataset', value: 'ga.hukou' }, unassigned: true, assignee: 'lisi' },
      { entity: { type: 'file', value: '/etc/shadow' }, assignee: 'lisi' },
      { ruleId: '  ', entity: { type: 'hash', value: 'x' }, unassigned: 'true', assignee: '' },
    ])
      expect(() => accepted(queueFilter(f))).not.toThrow();
  });
});
