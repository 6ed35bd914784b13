/** Runs one change of a case from its page: a notice of what was done or why not, then the page reloads the case. */
import { useState } from 'react';
import { useNotify, useRefresh, useTranslate } from 'react-admin';
import { describeError } from '../../components/errors';
import { type CaseChange, changeCase } from '../../data/cases';

export function useCaseChange(caseId: string) {
  const t = useTranslate();
  const notify = useNotify();
  const refresh = useRefresh();
  const [pending, setPending] = useState(false);
  const run = async (name: CaseChange, vars: Record<string, unknown>, done: string): Promise<boolean> => {
    setPending(true);
    try {
      await changeCase(name, caseId, vars);
      notify(done, { type: 'success' });
      refresh();
      return true;
    } catch (e) {
      notify(describeError(t, e), { type: 'error' });
      return false;
    } finally {
      setPending(false);
    }
  };
  return { pending, run };
}
