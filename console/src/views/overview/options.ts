/** ECharts options for the overview and the 大屏, from the figures; labels come translated. */
import type { EChartsCoreOption } from 'echarts/core';
import type { TranslateFunction as Translate } from 'ra-core';
import { SEVERITIES } from '../../data/alerts';
import type { SocFigures } from './figures';

const SEVERITY_COLORS: Record<string, string> = { informational: '#90a4ae', low: '#29b6f6', medium: '#ffa726', high: '#ef5350', critical: '#ab47bc' };

function clock(ms: number, locale: string): string {
  return new Intl.DateTimeFormat(locale, { month: '2-digit', day: '2-digit', hour: '2-digit', minute: '2-digit', hour12: false }).format(new Date(ms));
}

export function eventRateOption(f: SocFigures, t: Translate, locale: string): EChartsCoreOption {
  return {
    grid: { left: 48, right: 16, top: 24, bottom: 32 },
    xAxis: { type: 'category', data: f.eventsPerSecond.map((p) => clock(p.t, locale)) },
    yAxis: { type: 'value', name: t('citysoc.overview.per_second') },
    series: [{ type: 'line', smooth: true, areaStyle: {}, name: t('citysoc.overview.events_per_second'), data: f.eventsPerSecond.map((p) => p.v) }],
  };
}

export function severityOption(f: SocFigures, t: Translate, locale: string): EChartsCoreOption {
  return {
    grid: { left: 40, right: 16, top: 40, bottom: 32 },
    legend: { top: 0, data: SEVERITIES.map((s) => t(`citysoc.severity.${s}`)) },
    xAxis: { type: 'category', data: f.alertsBySeverity.buckets.map((b) => clock(b, locale)) },
    yAxis: { type: 'value', minInterval: 1 },
    series: SEVERITIES.map((s) => ({
      type: 'bar',
      stack: 'alerts',
      name: t(`citysoc.severity.${s}`),
      itemStyle: { color: SEVERITY_COLORS[s] },
      data: f.alertsBySeverity.series[s] ?? [],
    })),
  };
}

export function barOption(items: { name: string; value: number }[], seriesName: string): EChartsCoreOption {
  const rows = [...items].reverse();
  return {
    grid: { left: 8, right: 24, top: 8, bottom: 8, containLabel: true },
    tooltip: { trigger: 'item' },
    xAxis: { type: 'value', minInterval: 1 },
    yAxis: { type: 'category', data: rows.map((r) => (r.name.length > 28 ? r.name.slice(0, 27) + '…' : r.name)) },
    series: [{ type: 'bar', name: seriesName, data: rows.map((r) => r.value), itemStyle: { color: '#42a5f5' } }],
  };
}

export function pieOption(items: { name: string; value: number }[], seriesName: string): EChartsCoreOption {
  return {
    tooltip: { trigger: 'item' },
    legend: { type: 'scroll', bottom: 0 },
    series: [{ type: 'pie', name: seriesName, radius: ['35%', '65%'], center: ['50%', '45%'], data: items }],
  };
}
