import { evidenceQuerySchema, RANGE_PRESETS } from './request';

const ENTITY = 'component:default/checkout-api';

function problems(query: unknown): string[] {
  const parsed = evidenceQuerySchema.safeParse(query);
  return parsed.success
    ? []
    : parsed.error.issues.map(i => `${i.path.join('.')}: ${i.message}`);
}

describe('evidenceQuerySchema', () => {
  it.each(Object.keys(RANGE_PRESETS))('takes the preset %s', range => {
    expect(evidenceQuerySchema.parse({ entityRef: ENTITY, range })).toEqual({
      entityRef: ENTITY,
      range,
    });
  });

  it('takes explicit bounds, either or both, as before presets existed', () => {
    const bounds = {
      start: '2026-11-25T12:00:00Z',
      end: '2026-11-25T13:00:00+01:00',
    };
    expect(problems({ entityRef: ENTITY, ...bounds })).toEqual([]);
    expect(problems({ entityRef: ENTITY, start: bounds.start })).toEqual([]);
    expect(problems({ entityRef: ENTITY, end: bounds.end })).toEqual([]);
    expect(problems({ entityRef: ENTITY })).toEqual([]);
  });

  it('refuses a preset together with bounds', () => {
    expect(
      problems({ entityRef: ENTITY, range: '1h', end: '2026-11-25T13:00:00Z' }),
    ).toEqual(['range: must not be combined with start or end']);
    expect(
      problems({
        entityRef: ENTITY,
        range: '6h',
        start: '2026-11-25T12:00:00Z',
      }),
    ).toEqual(['range: must not be combined with start or end']);
  });

  it('refuses presets it does not know, and unknown parameters', () => {
    expect(problems({ entityRef: ENTITY, range: '2h' })).toEqual([
      expect.stringMatching(/^range: Invalid enum value/),
    ]);
    expect(problems({ entityRef: ENTITY, step: '15' })).toEqual([
      expect.stringMatching(/Unrecognized key\(s\) in object: 'step'/),
    ]);
    expect(problems({ entityRef: ENTITY, start: 'yesterday' })).toEqual([
      'start: Invalid datetime',
    ]);
  });

  it("takes a chart's width in whole pixels from the query string, and a pod", () => {
    expect(
      evidenceQuerySchema.parse({
        entityRef: ENTITY,
        range: '1h',
        width: '1200',
        pod: 'checkout-api-v1-abc',
      }),
    ).toEqual({
      entityRef: ENTITY,
      range: '1h',
      width: 1200,
      pod: 'checkout-api-v1-abc',
    });
    expect(problems({ entityRef: ENTITY, width: '1200.5' })).toEqual([
      expect.stringMatching(/^width: Expected integer/),
    ]);
    expect(problems({ entityRef: ENTITY, width: '99' })).toHaveLength(1);
    expect(problems({ entityRef: ENTITY, width: '4001' })).toHaveLength(1);
    expect(problems({ entityRef: ENTITY, width: 'wide' })).toHaveLength(1);
  });
});
