import {
  describeBytes,
  describeCores,
  describeDuration,
  describePercent,
  describeTime,
  listNames,
  plural,
} from './format';

const MI = 1024 ** 2;
const GI = 1024 ** 3;

describe('describeBytes', () => {
  it.each<[number, string]>([
    [508.6 * MI, '509Mi'],
    [1.44 * GI, '1.4Gi'],
    [GI, '1Gi'],
    [1.04 * GI, '1Gi'],
    [96 * 1024, '96Ki'],
    [150.4 * MI, '150Mi'],
    [2 * 1024 ** 4, '2Ti'],
    [2048 * 1024 ** 4, '2048Ti'],
    [512, '512B'],
    [0, '0B'],
  ])('writes %p bytes as %p in sentences', (bytes, text) => {
    expect(describeBytes(bytes)).toBe(text);
  });

  it.each<[number, string]>([
    [512 * MI, '512Mi'],
    [1.04 * GI, '1.0Gi'],
    [1.5 * GI, '1.5Gi'],
    [99.96 * MI, '100.0Mi'],
    [0, '0'],
    [-2 * GI, '-2Gi'],
  ])('writes %p bytes as %p on an axis', (bytes, text) => {
    expect(describeBytes(bytes, { keepZeroDecimal: true, byteUnit: '' })).toBe(
      text,
    );
  });
});

describe('describeCores', () => {
  it.each<[number, string]>([
    [2, '2 cores'],
    [0.2, '0.2 cores'],
    [1, '1 core'],
    [0.999, '1 core'],
    [0.256, '0.26 cores'],
    [0, '0 cores'],
  ])('writes %p as %p', (cores, text) => {
    expect(describeCores(cores)).toBe(text);
  });
});

describe('describePercent', () => {
  it.each<[number, string]>([
    [0.99, '99%'],
    [1, '100%'],
    [0, '0%'],
    [0.004, '0.4%'],
    [0.0001, '0.1%'],
    [0.0099, '1%'],
  ])('writes %p as %p', (share, text) => {
    expect(describePercent(share)).toBe(text);
  });

  it('rounds small shares to whole percentages when asked', () => {
    expect(describePercent(0.004, { whole: true })).toBe('0%');
    expect(describePercent(0.994, { whole: true })).toBe('99%');
  });
});

describe('describeDuration', () => {
  it.each<[number, string]>([
    [45_000, '45s'],
    [150_000, '2.5 min'],
    [40 * 60_000, '40 min'],
    [(3 * 60 + 10) * 60_000, '3h 10m'],
    [3 * 3600_000, '3h'],
    [(3 * 24 + 2) * 3600_000, '3d 2h'],
    [2 * 24 * 3600_000, '2d'],
  ])('writes %p ms as %p', (ms, text) => {
    expect(describeDuration(ms)).toBe(text);
  });
});

describe('describeTime', () => {
  const now = new Date('2026-11-25T14:40:07Z');

  it('gives the clock within a day, the date beyond', () => {
    expect(describeTime('2026-11-25T14:02:10Z', now)).toBe('14:02:10Z');
    expect(describeTime(Date.parse('2026-11-24T12:02:10Z'), now)).toBe(
      '2026-11-24 12:02:10Z',
    );
  });

  it('returns a time it cannot read as given', () => {
    expect(describeTime('yesterday', now)).toBe('yesterday');
  });
});

describe('plural', () => {
  it('counts with the right noun', () => {
    expect(plural(1, 'restart')).toBe('1 restart');
    expect(plural(45, 'restart')).toBe('45 restarts');
    expect(plural(0, 'replica')).toBe('0 replicas');
    expect(plural(2, 'is', 'are')).toBe('2 are');
  });
});

describe('listNames', () => {
  it('lists names once each, the rest counted', () => {
    expect(listNames(['a'])).toBe('a');
    expect(listNames(['a', 'b', 'a'])).toBe('a and b');
    expect(listNames(['a', 'b', 'c'])).toBe('a, b and c');
    expect(listNames(['a', 'b', 'c', 'd', 'e'])).toBe('a, b, c and 2 more');
    expect(listNames(['a', 'b', 'c'], 2)).toBe('a, b and 1 more');
    expect(listNames([])).toBe('');
  });

  it('joins with commas only when asked', () => {
    expect(listNames(['a', 'b'], 3, ', ')).toBe('a, b');
    expect(listNames(['a', 'b', 'c', 'd'], 3, ', ')).toBe('a, b, c and 1 more');
  });
});
