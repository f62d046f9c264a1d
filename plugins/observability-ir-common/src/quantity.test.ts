import fc from 'fast-check';
import {
  formatMemoryQuantity,
  parseMemoryQuantity,
  parseQuantity,
  roundUpMemoryQuantity,
} from './quantity';

const MI = 1024 ** 2;
const GI = 1024 ** 3;

describe('parseMemoryQuantity', () => {
  it.each<[string | number, number]>([
    ['512Mi', 536870912],
    ['1Gi', 1073741824],
    ['1.5Gi', 1610612736],
    ['0.5Gi', 536870912],
    ['96Ki', 98304],
    ['2Ti', 2 * 1024 ** 4],
    ['128974848', 128974848],
    ['129e6', 129000000],
    ['1E3', 1000],
    ['1.2e-3', 1],
    ['129M', 129000000],
    ['1k', 1000],
    ['1G', 1e9],
    ['1E', 1e18],
    ['1500m', 2],
    [' 256Mi ', 256 * MI],
    [268435456, 268435456],
  ])('reads %p as %p bytes', (quantity, bytes) => {
    expect(parseMemoryQuantity(quantity)).toBe(bytes);
  });

  it.each(['', 'Mi', '512MB', '1.5.2Gi', '-1Gi', 'abc', '1 Gi', '1e'])(
    'rejects %p',
    quantity => {
      expect(() => parseMemoryQuantity(quantity)).toThrow(
        /invalid memory quantity/,
      );
    },
  );
});

describe('formatMemoryQuantity', () => {
  it.each<[number, string]>([
    [536870912, '512Mi'],
    [GI, '1Gi'],
    [1.5 * GI, '1.5Gi'],
    [768 * MI, '768Mi'],
    [1.25 * GI, '1.25Gi'],
    [3 * GI, '3Gi'],
    [1000, '1000'],
    [1000 * 1000, '1000000'],
    [0, '0'],
  ])('writes %p bytes as %p', (bytes, quantity) => {
    expect(formatMemoryQuantity(bytes)).toBe(quantity);
  });

  it('round-trips any number of bytes', () => {
    fc.assert(
      fc.property(fc.integer({ min: 0, max: 2 ** 45 }), bytes => {
        expect(parseMemoryQuantity(formatMemoryQuantity(bytes))).toBe(bytes);
      }),
    );
  });

  it('round-trips quantities to their canonical form', () => {
    for (const q of ['512Mi', '1Gi', '1.5Gi', '384Mi', '6Gi', '100']) {
      expect(formatMemoryQuantity(parseMemoryQuantity(q))).toBe(q);
    }
    expect(formatMemoryQuantity(parseMemoryQuantity('1024Mi'))).toBe('1Gi');
    expect(formatMemoryQuantity(parseMemoryQuantity('1536Mi'))).toBe('1.5Gi');
  });
});

describe('roundUpMemoryQuantity', () => {
  it.each<[number, string]>([
    [200 * MI, '256Mi'],
    [256 * MI, '256Mi'],
    [257 * MI, '384Mi'],
    [385 * MI, '512Mi'],
    [513 * MI, '768Mi'],
    [769 * MI, '1Gi'],
    [1.1 * GI, '1.5Gi'],
    [1.6 * GI, '2Gi'],
    [2.5 * GI, '3Gi'],
    [3.5 * GI, '4Gi'],
    [5 * GI, '6Gi'],
    [7 * GI, '8Gi'],
    [1, '16Mi'],
  ])('rounds %p bytes up to %p', (bytes, quantity) => {
    expect(formatMemoryQuantity(roundUpMemoryQuantity(bytes))).toBe(quantity);
  });

  it.each([Infinity, -Infinity, NaN])(
    'refuses %p instead of climbing the ladder forever',
    bytes => {
      expect(() => roundUpMemoryQuantity(bytes)).toThrow(RangeError);
    },
  );
});

describe('parseQuantity', () => {
  it.each([
    ['512Mi', 536870912],
    ['1.5Gi', 1610612736],
    ['500M', 5e8],
    ['129e6', 129e6],
    ['250m', 0.25],
    ['2', 2],
    ['0.5', 0.5],
  ])('reads %s', (text, value) => {
    expect(parseQuantity(text)).toBeCloseTo(value, 9);
  });

  it.each(['', 'Mi', '12Qi', '1 Gi', 'abc', 'Infinity', 'NaN'])(
    'rejects %p',
    text => {
      expect(() => parseQuantity(text)).toThrow(/invalid quantity/);
    },
  );

  it.each(['1e400', `${'9'.repeat(300)}Ei`, '9'.repeat(400), '-1e400'])(
    'rejects %p, which is not a finite number',
    text => {
      expect(() => parseQuantity(text)).toThrow(/out of range/);
    },
  );

  it('rejects memory limits that overflow, as a pod spec could carry', () => {
    expect(() => parseMemoryQuantity('1e400')).toThrow(
      /invalid memory quantity/,
    );
  });
});
