import type { StateStore } from '../ports/state-store';

export interface StateHarness {
  /** Two handles on one shared store, as two replicas have. */
  open(): Promise<[StateStore, StateStore]>;
}

export function describeStateStoreContract(name: string, harness: StateHarness): void {
  describe(`StateStore contract: ${name}`, () => {
    it('a put is seen by the next read on either handle; a second put replaces the first', async () => {
      const [a, b] = await harness.open();
      await a.put('isolations', 'alice', { user: 'alice', reason: '可疑 mass export' });
      expect(await b.all('isolations')).toEqual([{ id: 'alice', doc: { user: 'alice', reason: '可疑 mass export' } }]);
      expect(await b.get('isolations', 'alice')).toEqual({ user: 'alice', reason: '可疑 mass export' });
      expect(await b.get('isolations', 'bob')).toBeNull();
      expect(await b.get('grants', 'alice')).toBeNull();
      await b.put('isolations', 'alice', { user: 'alice', reason: 'second' });
      expect(await a.all('isolations')).toEqual([{ id: 'alice', doc: { user: 'alice', reason: 'second' } }]);
      await a.close();
      await b.close();
    });

    it('collections are separate, ids are ordered, nested documents round-trip', async () => {
      const [a, b] = await harness.open();
      await a.put('grants', 'g2', { id: 'g2', approvals: [{ by: 'x', at: '2026-11-20T00:00:00.000Z' }], nested: { n: 1, ok: true, none: null } });
      await a.put('grants', 'g1', { id: 'g1' });
      await a.put('policy', 'g1', { ptype: 'p' });
      expect((await b.all('grants')).map((d) => d.id)).toEqual(['g1', 'g2']);
      expect((await b.all('grants'))[1]!.doc).toEqual({
        id: 'g2',
        approvals: [{ by: 'x', at: '2026-11-20T00:00:00.000Z' }],
        nested: { n: 1, ok: true, none: null },
      });
      expect(await b.all('policy')).toEqual([{ id: 'g1', doc: { ptype: 'p' } }]);
      expect(await b.all('nothing-here')).toEqual([]);
      await a.close();
      await b.close();
    });

    it('create stores a new id once: the second create, from either handle, is refused and changes nothing', async () => {
      const [a, b] = await harness.open();
      expect(await a.create('users', 'admin', { v: 1 })).toBe(true);
      expect(await b.create('users', 'admin', { v: 2 })).toBe(false);
      const both = await Promise.all([a.create('users', 'root', { by: 'a' }), b.create('users', 'root', { by: 'b' })]);
      expect(both.filter(Boolean)).toHaveLength(1);
      expect(await a.all('users')).toEqual([
        { id: 'admin', doc: { v: 1 } },
        { id: 'root', doc: { by: both[0] ? 'a' : 'b' } },
      ]);
      await a.close();
      await b.close();
    });

    it('a remove is seen by the next read and says whether there was a document', async () => {
      const [a, b] = await harness.open();
      await a.put('isolations', 'bob', { user: 'bob' });
      expect(await b.remove('isolations', 'bob')).toBe(true);
      expect(await a.all('isolations')).toEqual([]);
      expect(await a.get('isolations', 'bob')).toBeNull();
      expect(await a.remove('isolations', 'bob')).toBe(false);
      await a.close();
      await b.close();
    });

    it('long ids and many documents (more than one page)', async () => {
      const [a, b] = await harness.open();
      const long = 'x'.repeat(600);
      await a.put('policy', long, { v: 1 });
      for (let i = 0; i < 1010; i++) await a.put('many', String(i).padStart(5, '0'), { i });
      expect((await b.all('policy'))[0]!.id).toBe(long);
      const many = await b.all('many');
      expect(many).toHaveLength(1010);
      expect(many[1009]).toEqual({ id: '01009', doc: { i: 1009 } });
      await a.close();
      await b.close();
    });
  });
}
