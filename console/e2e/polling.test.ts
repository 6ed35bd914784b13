/** The console's poll (views/live/poll.ts), on Jest's fake clock: when it asks, what it reports, when it stops. */
import { type PollOutcome, startPoll } from '../src/views/live/poll';

/** A load whose answers the test gives by hand, one per call. */
function controlledLoad() {
  const calls: { resolve: (v: number) => void; reject: (e: unknown) => void }[] = [];
  const load = jest.fn(() => new Promise<number>((resolve, reject) => calls.push({ resolve, reject })));
  return { load, calls };
}

/** Lets the promise callbacks of a settled load run. */
const flush = async () => {
  for (let i = 0; i < 5; i += 1) await Promise.resolve();
};

describe('startPoll', () => {
  beforeEach(() => jest.useFakeTimers());
  afterEach(() => jest.useRealTimers());

  it('loads at once, reports the answer, and loads again every period after the previous load ended', async () => {
    const { load, calls } = controlledLoad();
    const seen: PollOutcome<number>[] = [];
    const poll = startPoll(load, 1_000, (o) => seen.push(o));
    expect(load).toHaveBeenCalledTimes(1);
    calls[0]!.resolve(1);
    await flush();
    expect(seen).toEqual([{ ok: true, data: 1 }]);
    jest.advanceTimersByTime(999);
    expect(load).toHaveBeenCalledTimes(1);
    jest.advanceTimersByTime(1);
    expect(load).toHaveBeenCalledTimes(2);
    calls[1]!.resolve(2);
    await flush();
    expect(seen).toEqual([
      { ok: true, data: 1 },
      { ok: true, data: 2 },
    ]);
    poll.stop();
  });

  it('never starts a load while a slow one is in flight', async () => {
    const { load, calls } = controlledLoad();
    const poll = startPoll(load, 1_000, () => undefined);
    jest.advanceTimersByTime(10_000);
    expect(load).toHaveBeenCalledTimes(1);
    calls[0]!.resolve(1);
    await flush();
    jest.advanceTimersByTime(1_000);
    expect(load).toHaveBeenCalledTimes(2);
    poll.stop();
  });

  it('reports a failed load as its error and keeps polling', async () => {
    const { load, calls } = controlledLoad();
    const seen: PollOutcome<number>[] = [];
    const poll = startPoll(load, 1_000, (o) => seen.push(o));
    const boom = new Error('the API is down');
    calls[0]!.reject(boom);
    await flush();
    expect(seen).toEqual([{ ok: false, error: boom }]);
    jest.advanceTimersByTime(1_000);
    calls[1]!.resolve(7);
    await flush();
    expect(seen).toEqual([
      { ok: false, error: boom },
      { ok: true, data: 7 },
    ]);
    poll.stop();
  });

  it('reports a load that throws before returning a promise as a failed load', async () => {
    const boom = new Error('bad query');
    const seen: PollOutcome<number>[] = [];
    const poll = startPoll<number>(
      () => {
        throw boom;
      },
      1_000,
      (o) => seen.push(o),
    );
    await flush();
    expect(seen).toEqual([{ ok: false, error: boom }]);
    poll.stop();
  });

  it('on reload, loads at once when idle, and right after the load in flight when busy (not alongside it)', async () => {
    const { load, calls } = controlledLoad();
    const poll = startPoll(load, 60_000, () => undefined);
    calls[0]!.resolve(1);
    await flush();
    poll.reload();
    expect(load).toHaveBeenCalledTimes(2);
    poll.reload();
    poll.reload();
    expect(load).toHaveBeenCalledTimes(2);
    calls[1]!.resolve(2);
    await flush();
    expect(load).toHaveBeenCalledTimes(3);
    calls[2]!.resolve(3);
    await flush();
    // The reload replaced the pending timer: the next load is a whole period after the last one ended.
    jest.advanceTimersByTime(59_999);
    expect(load).toHaveBeenCalledTimes(3);
    jest.advanceTimersByTime(1);
    expect(load).toHaveBeenCalledTimes(4);
    poll.stop();
  });

  it('after stop, reports nothing (not even the answer in flight) and loads no more', async () => {
    const { load, calls } = controlledLoad();
    const seen: PollOutcome<number>[] = [];
    const poll = startPoll(load, 1_000, (o) => seen.push(o));
    poll.stop();
    calls[0]!.resolve(1);
    await flush();
    poll.reload();
    jest.advanceTimersByTime(10_000);
    expect(seen).toEqual([]);
    expect(load).toHaveBeenCalledTimes(1);
    expect(jest.getTimerCount()).toBe(0);
  });
});
