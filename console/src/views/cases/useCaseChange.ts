/** Runs one change of a case from its page: a notice of what was done or why not, then the page reloads the case. */
import { useChange } from '../../components/useChange';
import { type CaseChange, changeCase } from '../../data/cases';

export function useCaseChange(caseId: string) {
  const change = useChange();
  const run = (name: CaseChange, vars: Record<string, unknown>, done: string): Promise<boolean> =>
    change.run(async () => {
      await changeCase(name, caseId, vars);
      return { message: done };
    });
  return { pending: change.busy, run };
}
