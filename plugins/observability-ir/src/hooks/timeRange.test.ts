import { parseCustomRange, rangeQuery, toDateTimeLocal } from './timeRange';

describe('rangeQuery', () => {
  it('asks for a preset by name, leaving "now" to the backend', () => {
    expect(rangeQuery({ kind: 'preset', preset: '6h' })).toEqual({
      range: '6h',
    });
  });

  it('sends a custom range as chosen', () => {
    const start = new Date('2026-11-25T10:00:00Z');
    const end = new Date('2026-11-25T12:00:00Z');
    expect(rangeQuery({ kind: 'custom', start, end })).toEqual({
      start: '2026-11-25T10:00:00.000Z',
      end: '2026-11-25T12:00:00.000Z',
    });
  });
});

describe('parseCustomRange', () => {
  it('accepts a start before the end', () => {
    const range = parseCustomRange('2026-11-25T10:00', '2026-11-25T12:00');
    expect(range).toEqual({
      start: new Date('2026-11-25T10:00'),
      end: new Date('2026-11-25T12:00'),
    });
  });

  it.each([
    ['', '2026-11-25T12:00', 'Enter a valid start date and time.'],
    ['2026-11-25T10:00', 'nonsense', 'Enter a valid end date and time.'],
    [
      '2026-11-25T12:00',
      '2026-11-25T10:00',
      'The start must be before the end.',
    ],
    [
      '2026-11-25T12:00',
      '2026-11-25T12:00',
      'The start must be before the end.',
    ],
    [
      '2026-11-01T12:00',
      '2026-11-25T12:00',
      'The range can be at most 7 days long.',
    ],
  ])('refuses %s to %s', (start, end, error) => {
    expect(parseCustomRange(start, end)).toEqual({ error });
  });

  it('round-trips a datetime-local value', () => {
    const date = new Date('2026-11-25T09:05');
    expect(toDateTimeLocal(date)).toBe('2026-11-25T09:05');
  });
});
