import fc from 'fast-check';
import {
  formatMemoryQuantity,
  parseMemoryQuantity,
} from '@observability-ir/plugin-observability-ir-common';
import { describeMemoryLimitBasis, proposeMemoryLimit } from './quantity';

const MI = 1024 ** 2;

describe('proposeMemoryLimit', () => {
  const propose = (
    currentLimit: string,
    peak: string | undefined,
    oomKilled: boolean,
  ) =>
    formatMemoryQuantity(
      proposeMemoryLimit({
        currentLimit: parseMemoryQuantity(currentLimit),
        peakWorkingSet:
          peak === undefined ? undefined : parseMemoryQuantity(peak),
        oomKilled,
      }),
    );

  it('raises the lab limit: 512Mi OOMKilled at 509Mi → 1Gi', () => {
    // Clipped: need 512Mi × 1.25 = 640Mi; × 1.5 = 960Mi; → 1Gi.
    expect(propose('512Mi', '509Mi', true)).toBe('1Gi');
  });

  it('assumes an OOM-killed process needs more than the limit it was killed at', () => {
    // 256Mi × 1.25 × 1.5 = 480Mi → 512Mi.
    expect(propose('256Mi', '250Mi', true)).toBe('512Mi');
    // Without a kill the peak is the need: 250Mi × 1.5 = 375Mi → 384Mi.
    expect(propose('256Mi', '250Mi', false)).toBe('384Mi');
  });

  it('uses the limit when the peak is unknown (Prometheus down)', () => {
    expect(propose('512Mi', undefined, true)).toBe('1Gi');
    expect(propose('2Gi', undefined, true)).toBe('4Gi');
  });

  it('takes a peak above the limit as it is', () => {
    // 1100Mi × 1.25 × 1.5 = 2062.5Mi → 3Gi.
    expect(propose('1Gi', '1100Mi', true)).toBe('3Gi');
  });

  it('proposes at least 25% more than the current limit', () => {
    // 300Mi × 1.5 = 450Mi, below 1Gi × 1.25 = 1.25Gi → 1.5Gi.
    expect(propose('1Gi', '300Mi', false)).toBe('1.5Gi');
  });

  it('never proposes less than the current limit plus 25%', () => {
    fc.assert(
      fc.property(
        fc.integer({ min: 16, max: 64 * 1024 }),
        fc.integer({ min: 1, max: 64 * 1024 }),
        fc.boolean(),
        (limitMi, peakMi, oom) => {
          const currentLimit = limitMi * MI;
          const proposed = proposeMemoryLimit({
            currentLimit,
            peakWorkingSet: peakMi * MI,
            oomKilled: oom,
          });
          expect(proposed).toBeGreaterThanOrEqual(currentLimit * 1.25);
          expect(proposed).toBeGreaterThanOrEqual(peakMi * MI * 1.5);
          expect(formatMemoryQuantity(proposed)).toMatch(
            /^\d+(\.5)?(Mi|Gi|Ti)$/,
          );
        },
      ),
    );
  });
});

describe('describeMemoryLimitBasis', () => {
  const say = (currentLimit: string, peak: string, oomKilled: boolean) => {
    const basis = {
      currentLimit: parseMemoryQuantity(currentLimit),
      peakWorkingSet: parseMemoryQuantity(peak),
      oomKilled,
    };
    return describeMemoryLimitBasis(basis, proposeMemoryLimit(basis));
  };

  it('says the true demand is unknown when the limit cut the working set off', () => {
    expect(say('512Mi', '509Mi', true)).toBe(
      'Killed at its 512Mi limit, so its true demand is unknown: the proposal assumes 1.25× the kill level with 50% headroom, rounded up to 1Gi; verify after the raise that the working set levels off below it.',
    );
  });

  it('proposes from the observed peak when the working set stayed below the limit', () => {
    expect(say('256Mi', '200Mi', false)).toBe(
      'The working set peaked at 200Mi without being cut off at the 256Mi limit: the proposal is that peak with 50% headroom (at least 25% above the limit), rounded up to 384Mi.',
    );
    // Killed, but well below the limit (a spike the series missed): the
    // observed peak is still the basis.
    expect(say('1Gi', '400Mi', true)).toMatch(
      /^The working set peaked at 400Mi without being cut off at the 1Gi limit/,
    );
  });

  it('proposes from the plateau of a run that had room above the kill level', () => {
    const basis = {
      currentLimit: parseMemoryQuantity('512Mi'),
      peakWorkingSet: parseMemoryQuantity('509Mi'),
      oomKilled: true,
      plateau: {
        bytes: parseMemoryQuantity('470Mi'),
        where: 'a run of orders-7c9f-canary over the last 1d',
      },
    };
    const proposed = proposeMemoryLimit(basis);
    // 470Mi × 1.5 = 705Mi → 768Mi, not 512Mi × 1.25 × 1.5 = 960Mi → 1Gi.
    expect(formatMemoryQuantity(proposed)).toBe('768Mi');
    expect(describeMemoryLimitBasis(basis, proposed)).toBe(
      'Killed at its 512Mi limit, but a run of orders-7c9f-canary over the last 1d levelled off at 470Mi below a higher limit: the proposal is that observed demand with 50% headroom (at least 25% above the limit), rounded up to 768Mi; verify after the raise that the working set levels off below it.',
    );
  });
});
