import { DataApiRecord, plainlyValid } from './data-api';

const base = (): Record<string, unknown> => ({
  timestamp: '2026-11-20T08:00:00Z',
  user: { name: 'user1', id: 'u-1', department: '城管局' },
  dataset: 'ds.1',
  records: 10,
  bytes: 1000,
  action: 'export',
  department: '城管局',
  classification: '敏感',
  app: 'grid-portal',
  client_ip: '10.6.0.1',
  method: 'POST',
  path: '/v1/datasets/ds.1/query',
  status: 200,
  request_id: 'r-1',
  owner_department: '公安局',
});

const HOSTILE: unknown[] = [
  undefined,
  null,
  0,
  -0,
  -1,
  1.5,
  2 ** 53,
  Number.NaN,
  Number.POSITIVE_INFINITY,
  '',
  'x',
  '\uD800',
  'ab',
  'a'.repeat(100_000),
  true,
  [],
  ['x'],
  {},
  { name: 'ab' },
  { name: 'x' },
  { name: 'ab', id: 1 },
  { name: 'ab', department: null },
  Object.assign(Object.create(null), { name: 'ab' }),
  Object.create({ name: 'inherited' }),
  JSON.parse('{"__proto__":{"name":"polluted"},"name":"ab"}'),
  new Date(),
  'read',
  'constructor',
  '涉密',
  '9999-12-31T23:59:59Z',
  253402300800,
];

describe('the data-sharing API record fast path', () => {
  it('vouches only for records DataApiRecord accepts, and then zod would hand back the same field values', () => {
    let vouched = 0;
    let refused = 0;
    for (const key of Object.keys(base())) {
      for (const value of HOSTILE) {
        for (const record of [{ ...base(), [key]: value }, Object.fromEntries(Object.entries(base()).filter(([k]) => k !== key))]) {
          const zod = DataApiRecord.safeParse(record);
          if (!plainlyValid(record)) {
            refused++;
            continue;
          }
          vouched++;
          expect(zod.success).toBe(true);
          const parsed = zod.data as Record<string, unknown>;
          // The parser reads these fields (and of an object user only name, id and department).
          const read = (v: unknown) => (typeof v === 'object' && v !== null ? ['name', 'id', 'department'].map((f) => (v as Record<string, unknown>)[f]) : v);
          for (const k of Object.keys(base())) expect(read(parsed[k])).toEqual(read(record[k]));
        }
      }
    }
    expect(vouched).toBeGreaterThan(50);
    expect(refused).toBeGreaterThan(200);
  });

  it('leaves to zod what zod alone measures: one-character names, numbers as text, nested extras', () => {
    expect(plainlyValid({ ...base(), user: 'x' })).toBe(false);
    expect(DataApiRecord.safeParse({ ...base(), user: 'x' }).success).toBe(true);
    expect(plainlyValid({ ...base(), records: '10' })).toBe(false);
    expect(plainlyValid({ ...base(), timestamp: Number.NaN })).toBe(false);
    expect(DataApiRecord.safeParse({ ...base(), timestamp: Number.NaN }).success).toBe(false);
  });
});
