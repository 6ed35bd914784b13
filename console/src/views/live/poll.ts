/**
 * Asking the API again and again, framework-free (the hook in usePolling.ts binds it to a
 * component): a load at once, the next one `everyMs` after the last one ended, so a slow answer is
 * never overlapped by the next question and answers arrive in the order they were asked.
 */

/** What a poll reports after each load: the answer, or the error of a failed load. */
export type PollOutcome<T> = { readonly ok: true; readonly data: T } | { readonly ok: false; readonly error: unknown };

export interface Poll {
  /** Loads again as soon as the load in flight (if any) has ended, then every `everyMs` from there. */
  reload(): void;
  /** No further load starts and no outcome is reported, not even that of the load in flight. */
  stop(): void;
}

export function startPoll<T>(load: () => Promise<T>, everyMs: number, report: (outcome: PollOutcome<T>) => void): Poll {
  let stopped = false;
  let inFlight = false;
  /** A reload asked for while a load was in flight: the answer on its way may predate what prompted it. */
  let again = false;
  let timer: ReturnType<typeof setTimeout> | null = null;

  const run = (): void => {
    if (stopped) return;
    if (timer !== null) clearTimeout(timer);
    timer = null;
    inFlight = true;
    again = false;
    let answer: Promise<T>;
    try {
      answer = load();
    } catch (e) {
      // A load that throws before it returns a promise is a failed load, not a stopped poll.
      answer = Promise.reject(e);
    }
    answer
      .then(
        (data) => !stopped && report({ ok: true, data }),
        (error: unknown) => !stopped && report({ ok: false, error }),
      )
      .finally(() => {
        inFlight = false;
        if (stopped) return;
        if (again) run();
        else timer = setTimeout(run, everyMs);
      });
  };

  run();
  return {
    reload() {
      if (stopped) return;
      if (inFlight) again = true;
      else run();
    },
    stop() {
      stopped = true;
      if (timer !== null) clearTimeout(timer);
      timer = null;
    },
  };
}
