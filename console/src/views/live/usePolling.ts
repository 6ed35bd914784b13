/**
 * The answer of an API call the page asks at once and again every `everyMs` while it is mounted
 * (see poll.ts: loads never overlap). The last good answer stays while a later load fails; `error`
 * is that failure, cleared by the next good answer.
 */
import { useCallback, useEffect, useRef, useState } from 'react';
import { type Poll, startPoll } from './poll';

export interface Polled<T> {
  /** The last good answer; null until the first one. */
  readonly data: T | null;
  /** The error of the last load when it failed; null after a good answer. */
  readonly error: unknown;
  /** Loads again now (or right after the load in flight). */
  readonly reload: () => void;
}

/** `load` may be a new closure on every render: the latest one is called. Nothing is asked while `enabled` is false. */
export function usePolling<T>(load: () => Promise<T>, everyMs: number, enabled = true): Polled<T> {
  const [state, setState] = useState<{ data: T | null; error: unknown }>({ data: null, error: null });
  const latest = useRef(load);
  latest.current = load;
  const poll = useRef<Poll | null>(null);
  useEffect(() => {
    if (!enabled) return;
    const p = startPoll(
      () => latest.current(),
      everyMs,
      (o) => setState((s) => (o.ok ? { data: o.data, error: null } : { data: s.data, error: o.error })),
    );
    poll.current = p;
    return () => {
      p.stop();
      poll.current = null;
    };
  }, [everyMs, enabled]);
  const reload = useCallback(() => poll.current?.reload(), []);
  return { data: state.data, error: state.error, reload };
}
