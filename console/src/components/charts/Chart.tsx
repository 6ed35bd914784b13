// The ESM build: the CommonJS one (lib/) reaches the bundle as a module object, not a component.
import ReactEChartsCore from 'echarts-for-react/esm/core';
import type { EChartsCoreOption } from 'echarts/core';
import { echarts } from './echarts';

/**
 * One chart. Tooltips render inside the canvas (richText): the HTML tooltip writes inline style
 * attributes, which the console's Content-Security-Policy refuses.
 */
export default function Chart({
  option,
  height = 240,
  testId,
  dark = false,
}: {
  option: EChartsCoreOption;
  height?: number | string;
  testId?: string;
  dark?: boolean;
}) {
  const withTooltip = { ...option, tooltip: { trigger: 'axis', renderMode: 'richText', ...((option as { tooltip?: object }).tooltip ?? {}) } };
  return (
    <div data-testid={testId} style={{ height }}>
      <ReactEChartsCore
        echarts={echarts}
        option={withTooltip}
        notMerge
        lazyUpdate
        theme={dark ? 'dark' : undefined}
        style={{ height: '100%', width: '100%' }}
      />
    </div>
  );
}
