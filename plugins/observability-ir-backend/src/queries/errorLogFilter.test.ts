import { readQuery } from '../__testUtils__/queries/queryTree';
import { MEMORY_ERROR_SAMPLES } from '../service/logs/__testUtils__/memoryErrorLines';
import { isMemoryError } from '../service/logs/memoryErrors';
import { errorLogs } from './logql';

/** The line filter of the error query, read back through the LogQL grammar. */
function errorLineFilter(): RegExp {
  const { lineFilters } = readQuery(
    errorLogs({ namespace: 'finance', pods: { names: ['checkout-0'] } }),
    'logql',
  );
  expect(lineFilters).toHaveLength(1);
  const [{ op, value }] = lineFilters;
  expect(op).toBe('|~');
  // Loki's `|~` looks for the RE2 pattern anywhere in the line; `(?i)` is
  // RE2's case-insensitive flag.
  expect(value.startsWith('(?i)')).toBe(true);
  return new RegExp(value.slice('(?i)'.length), 'i');
}

describe('the error line filter', () => {
  it.each(MEMORY_ERROR_SAMPLES.map(s => [s.runtime, s.text] as const))(
    "lets %s's memory error through, as one entry or line by line",
    (_runtime, text) => {
      const filter = errorLineFilter();
      expect(filter.test(text)).toBe(true);
      const memoryLines = text.split('\n').filter(isMemoryError);
      expect(memoryLines.length).toBeGreaterThan(0);
      expect(memoryLines.filter(line => !filter.test(line))).toEqual([]);
    },
  );

  it('still drops lines that report no error', () => {
    const filter = errorLineFilter();
    expect(filter.test('GET /health 200 3ms')).toBe(false);
    expect(filter.test('allocated 1024 bytes for the request buffer')).toBe(
      false,
    );
  });
});
