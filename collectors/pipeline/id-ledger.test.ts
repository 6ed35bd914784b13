import type { EcsEvent } from '../../core/event';
import { IdLedger, type StoredEvents } from './id-ledger';
import type { PipelineResult } from './types';

const result = (id: string, original: string): PipelineResult => ({
  ok: true,
  source: 'ecs',
  event: { '@timestamp': '2026-11-20T00:00:00Z', event: { id, original } } as EcsEvent,
});

describe('the id ledger', () => {
  it('a new id is new, the same id and content again is a repeat, in one batch and across batches', async () => {
    const ledger = new IdLedger(1000);
    expect(await ledger.decide([result('a', 'x'), result('a', 'x'), result('b', 'y')])).toEqual([{ kind: 'new' }, { kind: 'repeat' }, { kind: 'new' }]);
    expect(await ledger.decide([result('a', 'x')])).toEqual([{ kind: 'repeat' }]);
  });

  it('the same id with other content becomes a duplicate under an id derived from its content, flagged; its retry is a repeat', async () => {
    const ledger = new IdLedger(1000);
    await ledger.decide([result('a', 'x')]);
    const other = result('a', 'changed');
    expect(await ledger.decide([other])).toEqual([{ kind: 'duplicate', of: 'a' }]);
    expect(other.event.event.id).toMatch(/^a~[0-9a-f]{16}$/);
    expect(other.event.citysoc).toEqual({ duplicate_of: 'a' });
    expect(await ledger.decide([result('a', 'changed')])).toEqual([{ kind: 'repeat' }]);
  });

  it('ids it no longer remembers are looked up in the store', async () => {
    const stored = new Map<string, EcsEvent>([['old', result('old', 'kept').event]]);
    const store: StoredEvents = { get: async (id) => stored.get(id) ?? null };
    const ledger = new IdLedger(1000, store);
    expect(await ledger.decide([result('old', 'kept'), result('old', 'tampered'), result('fresh', 'z')])).toEqual([
      { kind: 'repeat' },
      { kind: 'duplicate', of: 'old' },
      { kind: 'new' },
    ]);
  });

  it('a failed publish releases the ids, so the retry is new again', async () => {
    const ledger = new IdLedger(1000);
    const batch = [result('a', 'x')];
    const decided = await ledger.decide(batch);
    ledger.settle(batch, decided, false);
    expect(await ledger.decide([result('a', 'x')])).toEqual([{ kind: 'new' }]);
  });

  it('two batches claiming one id at once: exactly one wins', async () => {
    const slow: StoredEvents = { get: () => new Promise((r) => setTimeout(() => r(null), 20)) };
    const ledger = new IdLedger(1000, slow);
    const [one, two] = await Promise.all([ledger.decide([result('race', 'p')]), ledger.decide([result('race', 'q')])]);
    expect([one[0]!.kind, two[0]!.kind]).toEqual(['new', 'duplicate']);
  });

  it('forgets the oldest ids beyond its capacity', async () => {
    const ledger = new IdLedger(2);
    await ledger.decide([result('1', 'a'), result('2', 'b'), result('3', 'c')]);
    expect(await ledger.decide([result('1', 'a'), result('3', 'c')])).toEqual([{ kind: 'new' }, { kind: 'repeat' }]);
  });
});
