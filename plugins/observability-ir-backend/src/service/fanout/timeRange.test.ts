import { MAX_RANGE_SECONDS } from '@observability-ir/plugin-observability-ir-common';
import fc from 'fast-check';
import { resolveRange } from './timeRange';

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
