/**
 * Refreshes what a page shows when a live feed tells of a change it shows, at most once a second:
 * a burst (a brute force, a playbook fanning out) is one refresh, not one per change.
 */
import { useEffect, useRef } from 'react';
import { useRefresh } from 'react-admin';
import { type CaseChangeNotice, type PlaybookChangeNotice, watchAlerts, watchCases, watchPlaybooks } from '../../data/live';

const AT_MOST_EVERY_MS = 1_000;

/** Calls `onBurst` once per burst of changes from `watch`, while the component is mounted. */
function useBursts<T>(watch: (on: (change: T) => void) => () => void, onBurst: () => void, wanted: (change: T) => boolean = () => true): void {
  const latest = useRef({ onBurst, wanted });
  latest.current = { onBurst, wanted };
  useEffect(() => {
    let pending: ReturnType<typeof setTimeout> | null = null;
    const stop = watch((change) => {
      if (!latest.current.wanted(change)) return;
      pending ??= setTimeout(() => {
        pending = null;
        latest.current.onBurst();
      }, AT_MOST_EVERY_MS);
    });
    return () => {
      stop();
      if (pending) clearTimeout(pending);
    };
  }, [watch]);
}

/** The page's lists refresh on each new or changed alert the user may see. */
export function useLiveAlerts(): void {
  useBursts(watchAlerts, useRefresh());
}

/** `onBurst` runs after new or changed alerts (the 大屏 fetches its figures again). */
export function useAlertBursts(onBurst: () => void): void {
  useBursts(watchAlerts, onBurst);
}

/** The page's lists refresh on each playbook run or approval the user may read (or only those `wanted`). */
export function useLivePlaybooks(wanted?: (change: PlaybookChangeNotice) => boolean): void {
  useBursts(watchPlaybooks, useRefresh(), wanted);
}

/** The page's lists refresh on each case the user may read as it is stored (or only those `wanted`). */
export function useLiveCases(wanted?: (change: CaseChangeNotice) => boolean): void {
  useBursts(watchCases, useRefresh(), wanted);
}
