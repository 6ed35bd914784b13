import { Skeleton } from '@mui/material';
import { lazy, Suspense, type ComponentProps } from 'react';

const Chart = lazy(() => import('./Chart'));

/** The chart, with ECharts fetched the first time a page draws one. */
export function LazyChart(props: ComponentProps<typeof Chart>) {
  return (
    <Suspense fallback={<Skeleton variant="rectangular" height={props.height ?? 240} />}>
      <Chart {...props} />
    </Suspense>
  );
}
