import { analyseCycles, cycleShape, splitCycles } from './memoryCycles';

const MI = 1024 ** 2;
const MINUTE = 60_000;
const T0 = Date.parse('2026-11-25T10:00:00Z');

function points(
  minutes: number,
  stepMs: number,
  value: (sinceMs: number) => number,
): Array<[number, number]> {
  const result: Array<[number, number]> = [];
  for (let t = 0; t <= minutes * MINUTE; t += stepMs) {
    result.push([T0 + t, value(t)]);
  }
  return result;
}

const limit512 = () => 512 * MI;

describe('splitCycles', () => {
  it('splits a sawtooth at each drop', () => {
    const saw = points(
      29,
      15_000,
      t => 180 * MI + ((t % 300_000) / 300_000) * 330 * MI,
    );
    expect(splitCycles(saw)).toHaveLength(6);
  });

  it('splits at gaps where the container did not run', () => {
    const run = points(5, 15_000, () => 300 * MI);
    const later = run.map(([t, v]): [number, number] => [t + 20 * MINUTE, v]);
    expect(splitCycles([...run, ...later])).toHaveLength(2);
  });

  it('keeps a steady series whole', () => {
    expect(
      splitCycles(
        points(60, 15_000, t => 600 * MI * (1 + 0.02 * Math.sin(t / 97_000))),
      ),
    ).toHaveLength(1);
  });
});

describe('cycleShape', () => {
  const shapeOf = (minutes: number, value: (t: number) => number) =>
    cycleShape(analyseCycles(points(minutes, MINUTE, value), limit512)[0]);

  it('calls a slow straight climb to the limit a steady climb', () => {
    expect(shapeOf(40, t => 200 * MI + (7.8 * MI * t) / MINUTE)).toBe(
      'steady-climb',
    );
  });

  it('calls a climb that reaches 90% of the limit within minutes quick', () => {
    const cycles = analyseCycles(
      points(
        2.5,
        15_000,
        t => 180 * MI + 520 * MI * (1 - Math.exp(-t / 150_000)),
      ),
      limit512,
    );
    expect(cycles[0].msToNearLimit).toBeLessThan(10 * MINUTE);
    expect(cycleShape(cycles[0])).toBe('quick-to-limit');
  });

  it('does not call a window that begins near the limit, without a restart, quick', () => {
    // A slow leak seen through a one-hour window late in its run: already
    // at 85% of the limit when the window begins, at 90% minutes later.
    const late = points(20, MINUTE, t => 435 * MI + (3 * MI * t) / MINUTE);
    const [window] = analyseCycles(late, limit512);
    expect(window.startedByRestart).toBe(false);
    expect(window.msToNearLimit).toBeLessThan(10 * MINUTE);
    expect(cycleShape(window)).not.toBe('quick-to-limit');

    // The same climb right after a restart is quick.
    const restarted = analyseCycles(
      [
        ...points(3, MINUTE, () => 500 * MI),
        ...late.map(([t, v]): [number, number] => [t + 10 * MINUTE, v]),
      ],
      limit512,
    );
    expect(restarted[1].startedByRestart).toBe(true);
    expect(cycleShape(restarted[1])).toBe('quick-to-limit');
  });

  it('calls a rise that levels off below the limit a plateau', () => {
    expect(
      shapeOf(60, t => 150 * MI + 250 * MI * (1 - Math.exp(-t / (3 * MINUTE)))),
    ).toBe('plateau');
  });

  it('calls a level working set flat', () => {
    expect(shapeOf(60, t => 300 * MI + 5 * MI * Math.sin(t / 97_000))).toBe(
      'flat',
    );
  });

  it('measures the slope per minute', () => {
    const [cycle] = analyseCycles(
      points(40, MINUTE, t => 200 * MI + (7.8 * MI * t) / MINUTE),
      limit512,
    );
    expect(cycle.slopePerMinute / MI).toBeCloseTo(7.8, 5);
    expect(cycle.r2).toBeCloseTo(1, 5);
    expect(cycle.firstHalfShare).toBeCloseTo(0.5, 2);
  });
});
