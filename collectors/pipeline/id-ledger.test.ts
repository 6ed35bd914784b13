import { createHash } from 'node:crypto';
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
    const store: StoredEvents = { getMany: async (ids) => ids.flatMap((id) => stored.get(id) ?? []) };
    const ledger = new IdLedger(1000, store);
    expect(await ledger.decide([result('old', 'kept'), result('old', 'tampered'), result('fresh', 'z')])).toEqual([
      { kind: 'repeat' },
      { kind: 'duplicate', of: 'old' },
      { kind: 'new' },
    ]);
  });

  it('a batch asks the store once for the ids it does not remember, each id once; a conflict asks once more for the derived ids', async () => {
    const stored = new Map<string, EcsEvent>([['s1', result('s1', 'one').event]]);
    const asked: string[][] = [];
    const store: StoredEvents = {
      getMany: async (ids) => {
        asked.push([...ids]);
        return ids.flatMap((id) => stored.get(id) ?? []);
      },
    };
    const ledger = new IdLedger(1000, store);
    await ledger.decide([result('r1', 'remembered')]);
    asked.length = 0;
    const batch = [result('r1', 'remembered'), result('s1', 'one'), result('n1', 'a'), result('n1', 'a'), result('s1', 'other'), result('n2', 'b')];
    expect(await ledger.decide(batch)).toEqual([
      { kind: 'repeat' },
      { kind: 'repeat' },
      { kind: 'new' },
      { kind: 'repeat' },
      { kind: 'duplicate', of: 's1' },
      { kind: 'new' },
    ]);
    expect(asked).toEqual([['s1', 'n1', 'n2'], [batch[4]!.event.event.id]]);
  });

  it('only the ids asked are decided by the store: an id remembered keeps its own content', async () => {
    const store: StoredEvents = { getMany: async () => [result('r', 'older').event] };
    const ledger = new IdLedger(1000);
    await ledger.decide([result('r', 'x')]);
    ledger.useStore(store);
    expect(await ledger.decide([result('r', 'x'), result('n', 'y')])).toEqual([{ kind: 'repeat' }, { kind: 'new' }]);
  });

  it('a store that cannot answer fails the decision, and nothing is reserved', async () => {
    let failing = true;
    const store: StoredEvents = { getMany: async () => (failing ? Promise.reject(new Error('all shards failed')) : []) };
    const ledger = new IdLedger(1000, store);
    await expect(ledger.decide([result('u', 'x')])).rejects.toThrow('all shards failed');
    failing = false;
    expect(await ledger.decide([result('u', 'x')])).toEqual([{ kind: 'new' }]);
  });

  it('a failed publish releases the ids, so the retry is new again', async () => {
    const ledger = new IdLedger(1000);
    const batch = [result('a', 'x')];
    const decided = await ledger.decide(batch);
    ledger.settle(batch, decided, false);
    expect(await ledger.decide([result('a', 'x')])).toEqual([{ kind: 'new' }]);
  });

  it('two batches claiming one id at once: exactly one wins', async () => {
    const slow: StoredEvents = { getMany: () => new Promise((r) => setTimeout(() => r([]), 20)) };
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

describe('the id ledger under attack', () => {
  // The fingerprint covers the sender (citysoc.collector, none here) and the content.
  const derived = (id: string, original: string) => `${id}~${createHash('sha256').update('0:\n').update(original).digest('hex').slice(0, 16)}`;
  const from = (collector: string, r: PipelineResult): PipelineResult => ({ ...r, event: { ...r.event, citysoc: { collector } } });

  it("another collector sending a line first does not make the real sender's event a repeat: it is stored, flagged, and its retry is a repeat", async () => {
    const stored = new Map<string, EcsEvent>();
    const store: StoredEvents = { getMany: async (ids) => ids.flatMap((id) => stored.get(id) ?? []) };
    // A predictable id (derived from collector, source, position and line) pre-claimed by another collector.
    const line = 'Failed password for root from 10.1.2.3 port 22 ssh2';
    const hostile = from('token:col-attacker', result('predicted-id', line));
    expect(await new IdLedger(1000, store).decide([hostile])).toEqual([{ kind: 'new' }]);
    stored.set('predicted-id', hostile.event);
    // A fresh ledger (the id only in the store) and a ledger that remembers it decide alike.
    const remembering = new IdLedger(1000);
    await remembering.decide([from('token:col-attacker', result('predicted-id', line))]);
    for (const ledger of [new IdLedger(1000, store), remembering]) {
      const real = from('token:col-ga', result('predicted-id', line));
      expect(await ledger.decide([real])).toEqual([{ kind: 'duplicate', of: 'predicted-id' }]);
      expect(real.event.event.id).toMatch(/^predicted-id~[0-9a-f]{16}$/);
      expect(real.event.citysoc).toEqual({ collector: 'token:col-ga', duplicate_of: 'predicted-id' });
      expect(await ledger.decide([from('token:col-ga', result('predicted-id', line))])).toEqual([{ kind: 'repeat' }]);
      // The same collector sending it again is still a repeat of its own.
      expect(await ledger.decide([from('token:col-attacker', result('predicted-id', line))])).toEqual([{ kind: 'repeat' }]);
    }
  });

  it('a collector name and a line cannot be cut differently into the same fingerprint', async () => {
    const ledger = new IdLedger(1000);
    expect(await ledger.decide([from('ab', result('x', 'c'))])).toEqual([{ kind: 'new' }]);
    expect(await ledger.decide([from('a', result('x', 'bc'))])).toEqual([{ kind: 'duplicate', of: 'x' }]);
  });

  it('a sender who takes the derived id first with other content does not make a later, different duplicate vanish as a repeat', async () => {
    const ledger = new IdLedger(1000);
    await ledger.decide([result('a', 'x')]);
    // the hostile sender knows the content that will claim 'a' next and takes its derived id with content of its own
    expect(await ledger.decide([result(derived('a', 'the real second event'), 'decoy')])).toEqual([{ kind: 'new' }]);
    const real = result('a', 'the real second event');
    const [decision] = await ledger.decide([real]);
    // the real event differs from everything stored: it must be stored (not answered as a repeat and dropped)
    expect(decision).not.toEqual({ kind: 'repeat' });
    expect(decision).toMatchObject({ kind: 'duplicate', of: 'a' });
    expect(real.event.event.id).not.toBe(derived('a', 'the real second event'));
  });
});
