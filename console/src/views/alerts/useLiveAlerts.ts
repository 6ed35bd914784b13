/** Refreshes the page's lists when the live feed tells of a new or changed alert, at most once a second. */
import { useEffect } from 'react';
import { useRefresh } from 'react-admin';
import { watchAlerts } from '../../data/live';

const AT_MOST_EVERY_MS = 1_000;

export function useLiveAlerts(): void {
  const refresh = useRefresh();
  useEffect(() => {
    let pending: ReturnType<typeof setTimeout> | null = null;
    const stop = watchAlerts(() => {
      // A burst of detections (a brute force) is one refresh, not one per alert.
      pending ??= setTimeout(() => {
        pending = null;
        refresh();
      }, AT_MOST_EVERY_MS);
    });
    return () => {
      stop();
      if (pending) clearTimeout(pending);
    };
  }, [refresh]);
}
