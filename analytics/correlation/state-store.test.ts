import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { CorrelationEngine } from './engine';
import { FileCorrelationStateStore } from './state-store';
import { at, correlation } from './test-support';

const rule = correlation(`  type: event_count\n  rules: [failed]\n  group-by: [source.ip]\n  timespan: 1m\n  condition:\n    gte: 2\n`, 'id: bf\n');

describe('FileCorrelationStateStore', () => {
  test('state saved before a restart lets the new engine fire on the next event', async () => {
    const store = new FileCorrelationStateStore(join(mkdtempSync(join(tmpdir(), 'corr-')), 'state', 'correlation.json'));
    expect(await store.load()).toBeUndefined();
    const before = new CorrelationEngine([rule]);
    before.process({ source: { ip: '1.2.3.4' } }, [{ ruleId: 'failed' }], at(0), 'e1');
    await store.save(before.snapshot());
    const after = new CorrelationEngine([rule]);
    after.restore((await store.load())!);
    expect(after.process({ source: { ip: '1.2.3.4' } }, [{ ruleId: 'failed' }], at(5), 'e2').map((f) => f.eventIds)).toEqual([['e1', 'e2']]);
  });

  test('a corrupt state file is refused with the file named', async () => {
    const file = join(mkdtempSync(join(tmpdir(), 'corr-')), 'c.json');
    writeFileSync(file, '{"version": 2}');
    await expect(new FileCorrelationStateStore(file).load()).rejects.toThrow(`${file}: not a correlation snapshot`);
  });
});
