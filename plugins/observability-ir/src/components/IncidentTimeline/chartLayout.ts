import type { MetricsResponse } from '@observability-ir/plugin-observability-ir-common';

/** The height of each chart of the timeline, in pixels. */
export const CHART_HEIGHT = {
  memory: 300,
  cpu: 160,
  throttling: 140,
  restarts: 140,
  readiness: 120,
} as const;

type ChartName = keyof typeof CHART_HEIGHT;

/** The series each chart draws. */
function seriesOf(metrics: MetricsResponse): Record<ChartName, unknown[]> {
  return {
    memory: metrics.memory.workingSet,
    cpu: metrics.cpu.usage,
    throttling: metrics.cpu.throttledShare,
    restarts: metrics.restarts,
    readiness: metrics.ready,
  };
}

/**
 * The height the charts of a metrics answer take together: the height a
 * placeholder holds while they load, so that what is below it does not
 * move when they are drawn. A chart without series is not drawn; before
 * the answer, every chart is counted (every pod has restart and readiness
 * series, and most have CPU throttling).
 */
export function chartsHeight(metrics: MetricsResponse | undefined): number {
  const names = Object.keys(CHART_HEIGHT) as ChartName[];
  const series = metrics ? seriesOf(metrics) : undefined;
  return names
    .filter(name => !series || series[name].length > 0)
    .reduce((height, name) => height + CHART_HEIGHT[name], 0);
}
