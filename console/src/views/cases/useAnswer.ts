/** The answer of one API call made when the key changes (a later key's answer replaces an earlier one's). */
import { useEffect, useState } from 'react';

export function useAnswer<T>(key: string | null, ask: () => Promise<T>): { data: T | null; error: unknown } {
  const [state, setState] = useState<{ key: string | null; data: T | null; error: unknown }>({ key: null, data: null, error: null });
  useEffect(() => {
    if (key === null) return;
    let live = true;
    ask().then(
      (data) => live && setState({ key, data, error: null }),
      (error: unknown) => live && setState({ key, data: null, error }),
    );
    return () => void (live = false);
    // The key names the question: `ask` is a new closure on every render.
  }, [key]);
  return state.key === key ? { data: state.data, error: state.error } : { data: null, error: null };
}
