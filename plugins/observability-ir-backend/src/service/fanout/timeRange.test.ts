import {
  EvidenceQuery,
  MAX_RANGE_SECONDS,
  RANGE_PRESETS,
  RangePreset,
} from '@observability-ir/plugin-observability-ir-common';
import fc from 'fast-check';
import { EvidenceCache } from './EvidenceCache';
import { rangeKey, resolveRange } from './timeRange';

// 14:40:07 UTC: 40 minutes past the hour, not on any step.
const NOW = Date.parse('2026-11-25T14:40:07Z');
const iso = (ms: number) => new Date(ms).toISOString();
const HOUR = 3600_000;

describe('resolveRange', () => {
  it('is the last hour by default, its end rounded up to the step', () => {
    expect(resolveRange({}, NOW)).toEqual({
      startSeconds: Date.parse('2026-11-25T13:40:15Z') / 1000,
      endSeconds: Date.parse('2026-11-25T14:40:15Z') / 1000,
      stepSeconds: 15,
    });
  });

  it.each<[RangePreset, number, string, string]>([
    ['15m', 15, '2026-11-25T14:25:15Z', '2026-11-25T14:40:15Z'],
    ['1h', 15, '2026-11-25T13:40:15Z', '2026-11-25T14:40:15Z'],
    ['6h', 120, '2026-11-25T08:42:00Z', '2026-11-25T14:42:00Z'],
    ['24h', 600, '2026-11-24T14:50:00Z', '2026-11-25T14:50:00Z'],
  ])(
    'resolves the preset %s to end now, rounded up to its %p s step',
    (range, stepSeconds, start, end) => {
      expect(resolveRange({ range }, NOW)).toEqual({
        startSeconds: Date.parse(start) / 1000,
        endSeconds: Date.parse(end) / 1000,
        stepSeconds,
      });
    },
  );

  it('resolves every preset to its length, ending within one step after now', () => {
    for (const [range, seconds] of Object.entries(RANGE_PRESETS)) {
      const resolved = resolveRange({ range: range as RangePreset }, NOW);
      expect(resolved.endSeconds - resolved.startSeconds).toBe(seconds);
      expect(resolved.endSeconds * 1000).toBeGreaterThanOrEqual(NOW);
      expect(resolved.endSeconds * 1000 - NOW).toBeLessThan(
        resolved.stepSeconds * 1000,
      );
      expect(resolved.endSeconds % resolved.stepSeconds).toBe(0);
    }
  });

  it('resolves a query without a range or bounds as the 1h preset', () => {
    expect(resolveRange({}, NOW)).toEqual(resolveRange({ range: '1h' }, NOW));
  });

  it('gives two users who open the tab seconds apart one cache entry', async () => {
    // 14:40:07 and 14:40:13: both round up to 14:40:15.
    const query: EvidenceQuery = {
      entityRef: 'component:default/checkout-api',
      range: '1h',
    };
    const first = resolveRange(query, NOW);
    const second = resolveRange(query, NOW + 6_000);
    expect(rangeKey(second)).toBe(rangeKey(first));

    const cache = new EvidenceCache({ ttlMs: 10_000, maxBytes: 1e6 });
    const load = jest.fn(async () => ({ series: [] }));
    await cache.get(`metrics:${rangeKey(first)}`, load);
    await cache.get(`metrics:${rangeKey(second)}`, load);
    expect(load).toHaveBeenCalledTimes(1);

    // The next step is another range: newer data is fetched.
    const later = resolveRange(query, NOW + 9_000);
    expect(rangeKey(later)).not.toBe(rangeKey(first));
    expect(later.endSeconds - first.endSeconds).toBe(15);
  });

  it('keeps the last 40 minutes when only the start is given', () => {
    const range = resolveRange({ start: iso(NOW - 6 * 24 * HOUR) }, NOW);
    expect(range.endSeconds * 1000).toBeGreaterThanOrEqual(NOW);
    expect(range.endSeconds * 1000 - NOW).toBeLessThanOrEqual(
      range.stepSeconds * 1000,
    );
    expect(range.startSeconds * 1000).toBe(NOW - 6 * 24 * HOUR);
  });

  it('takes an explicit range as given', () => {
    expect(
      resolveRange(
        { start: '2026-11-25T12:00:00Z', end: '2026-11-25T13:00:00Z' },
        NOW,
      ),
    ).toEqual({
      startSeconds: Date.parse('2026-11-25T12:00:00Z') / 1000,
      endSeconds: Date.parse('2026-11-25T13:00:00Z') / 1000,
      stepSeconds: 15,
    });
  });

  it.each<[string, { start?: string; end?: string }, string]>([
    [
      'a start 27 years ago with no end',
      { start: '2000-01-01T00:00:00Z' },
      'Invalid request: start: must be at most 7 days before end',
    ],
    [
      'an end ten minutes ahead',
      { end: iso(NOW + 10 * 60_000) },
      'Invalid request: end: must not be more than 60 seconds in the future',
    ],
    [
      'a start in the future with no end',
      { start: iso(NOW + 30_000) },
      'Invalid request: start: must be at least 60 seconds before end',
    ],
    [
      'an end before the start',
      { start: '2026-11-25T12:00:00Z', end: '2026-11-25T11:00:00Z' },
      'Invalid request: start: must be at least 60 seconds before end',
    ],
  ])('refuses %s', (_, query, message) => {
    expect(() => resolveRange(query, NOW)).toThrow(message);
  });

  it('never spans more than the longest range, however it is asked', () => {
    const moment = fc
      .integer({ min: -40 * 365 * 86_400_000, max: 2 * HOUR })
      .map(offset => iso(NOW + offset));
    fc.assert(
      fc.property(
        fc.option(moment, { nil: undefined }),
        fc.option(moment, { nil: undefined }),
        (start, end) => {
          let range;
          try {
            range = resolveRange({ start, end }, NOW);
          } catch {
            return;
          }
          expect(range.endSeconds - range.startSeconds).toBeLessThanOrEqual(
            MAX_RANGE_SECONDS,
          );
          expect(range.endSeconds - range.startSeconds).toBeGreaterThan(0);
          // An open end is never before now.
          expect(
            end !== undefined || range.endSeconds * 1000 >= NOW - 999,
          ).toBe(true);
        },
      ),
      { numRuns: 2000 },
    );
  });
});
