/**
 * Runs one change the user asked for from a button or a dialog, the way every console page does:
 * `busy` while it runs (the page disables its buttons), then the notice of what was done and
 * react-admin's refresh of the page's data; a failure is a notice of why (describeError) and no refresh.
 */
import { useState } from 'react';
import { useNotify, useRefresh, useTranslate } from 'react-admin';
import { describeError } from './errors';

/** The success notice: a message key and its arguments. */
export interface ChangeDone {
  readonly message: string;
  readonly args?: Record<string, unknown>;
}

export interface ChangeRunner {
  readonly busy: boolean;
  /** Runs `work` (the API call and what the page does with its answer); true when it succeeded. */
  run(work: () => Promise<ChangeDone | void>): Promise<boolean>;
}

/** `refresh: false` for changes that leave the page (a dialog that navigates) or reload on their own. */
export function useChange({ refresh: refreshAfter = true }: { refresh?: boolean } = {}): ChangeRunner {
  const t = useTranslate();
  const notify = useNotify();
  const refresh = useRefresh();
  const [busy, setBusy] = useState(false);
  const run = async (work: () => Promise<ChangeDone | void>): Promise<boolean> => {
    setBusy(true);
    try {
      const done = await work();
      if (done) notify(done.message, { type: 'success', ...(done.args ? { messageArgs: done.args } : {}) });
      if (refreshAfter) refresh();
      return true;
    } catch (e) {
      notify(describeError(t, e), { type: 'error' });
      return false;
    } finally {
      setBusy(false);
    }
  };
  return { busy, run };
}
