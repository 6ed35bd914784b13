import { type SigmaDetection, toAlert } from './alerts';

const match = { ruleId: 'r-root', title: 'Root login', level: 'high' as const, tags: [], matchedFields: [] };
const hit = (event: Record<string, unknown>, eventId: string): SigmaDetection => ({
  kind: 'sigma',
  match,
  event,
  eventId,
  time: Date.parse('2026-11-20T01:00:00Z'),
});
const key = (event: Record<string, unknown>) => toAlert(hit(event, 'e')).dedupKey;

describe('single-event alerts', () => {
  it("never fold two departments' events into one alert, however alike their host and user", () => {
    const cg = toAlert(hit({ host: { name: 'db-01' }, user: { name: 'root' }, organization: { name: '城管' } }, 'e-cg'));
    const ga = toAlert(hit({ host: { name: 'db-01' }, user: { name: 'root' }, organization: { name: '公安' } }, 'e-ga'));
    expect([cg.department, ga.department]).toEqual(['城管', '公安']);
    expect(cg.dedupKey).not.toBe(ga.dedupKey);
    expect(cg.dedupKey).toBe('r-root|db-01|root|城管');
    // the same host, user and department is the same alert
    expect(key({ host: { name: 'db-01' }, user: { name: 'root' }, organization: { name: '城管' } })).toBe(cg.dedupKey);
  });

  it('keep keys apart when a value holds the separator (a user name cannot pose as a department)', () => {
    const none = key({ host: { name: 'h' }, user: { name: 'x|城管' } });
    const cg = key({ host: { name: 'h' }, user: { name: 'x' }, organization: { name: '城管' } });
    expect(none).toBe('r-root|h|x\\|城管|');
    expect(cg).toBe('r-root|h|x|城管');
    expect(key({ host: { name: 'a|b' }, user: { name: 'c' } })).not.toBe(key({ host: { name: 'a' }, user: { name: 'b|c' } }));
    expect(key({ host: { name: 'a\\' }, user: { name: '|c' } })).not.toBe(key({ host: { name: 'a\\|' }, user: { name: 'c' } }));
  });
});
