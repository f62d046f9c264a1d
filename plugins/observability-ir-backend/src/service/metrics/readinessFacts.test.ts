import {
  counter,
  HOUR,
  MINUTE,
  NOW,
  sample,
  series,
} from '../../__testUtils__/evidence';
import { analyseReadiness } from './readinessFacts';

const END = NOW.getTime();
const FROM = END - HOUR;

describe('analyseReadiness', () => {
  it('tells the share of samples not ready, readiness at the end and restarts', () => {
    const flapping = sample(FROM, END, MINUTE, t =>
      t < END - 15 * MINUTE ? 1 : 0,
    );
    const readiness = analyseReadiness(
      [
        series('checkout-api-v1-abc', flapping),
        series(
          'checkout-api-v1-xyz',
          sample(FROM, END, MINUTE, () => 1),
        ),
      ],
      [
        series(
          'checkout-api-v1-xyz',
          counter(FROM, END, MINUTE, 3, [END - 40 * MINUTE, END - 5 * MINUTE]),
        ),
      ],
    );
    expect(readiness).toEqual([
      expect.objectContaining({
        pod: 'checkout-api-v1-abc',
        ready: false,
        restarts: 0,
      }),
      expect.objectContaining({
        pod: 'checkout-api-v1-xyz',
        notReadyShare: 0,
        ready: true,
        restarts: 2,
      }),
    ]);
    // 16 of the 61 samples, from 13:50 to 14:05, not ready.
    expect(readiness[0].notReadyShare).toBeCloseTo(16 / 61, 6);
  });

  it('skips series without points', () => {
    expect(analyseReadiness([series('checkout-api-v1-abc', [])], [])).toEqual(
      [],
    );
  });
});
