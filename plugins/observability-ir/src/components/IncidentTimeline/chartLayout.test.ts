import { labMetrics } from '../../__testUtils__/fixtures';
import { CHART_HEIGHT, chartsHeight } from './chartLayout';

describe('chartsHeight', () => {
  it('counts every chart before the answer', () => {
    expect(chartsHeight(undefined)).toBe(300 + 160 + 140 + 140 + 120);
  });

  it('counts only the charts an answer has series for', () => {
    const metrics = labMetrics();
    expect(metrics.memory.workingSet.length).toBeGreaterThan(0);
    expect(metrics.cpu.usage.length).toBeGreaterThan(0);
    metrics.restarts = metrics.memory.workingSet;
    metrics.cpu.throttledShare = [];
    metrics.ready = [];

    expect(chartsHeight(metrics)).toBe(
      CHART_HEIGHT.memory + CHART_HEIGHT.cpu + CHART_HEIGHT.restarts,
    );
  });
});
