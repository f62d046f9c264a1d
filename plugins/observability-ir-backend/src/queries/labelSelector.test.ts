import { InputError } from '@backstage/errors';
import fc from 'fast-check';
import { HOSTILE_INPUTS } from '../__testUtils__/queries/hostileInputs';
import {
  LabelRequirement,
  labelSelectorForKubernetesId,
  parseLabelSelector,
  renderLabelSelector,
} from '.';

describe('parseLabelSelector', () => {
  it.each<[string, LabelRequirement[]]>([
    ['app', [{ key: 'app', operator: 'exists' }]],
    ['!app', [{ key: 'app', operator: 'notExists' }]],
    ['app=web', [{ key: 'app', operator: 'equals', value: 'web' }]],
    ['app==web', [{ key: 'app', operator: 'equals', value: 'web' }]],
    ['app!=web', [{ key: 'app', operator: 'notEquals', value: 'web' }]],
    ['app=', [{ key: 'app', operator: 'equals', value: '' }]],
    ['app==', [{ key: 'app', operator: 'equals', value: '' }]],
    ['app in (a,b)', [{ key: 'app', operator: 'in', values: ['a', 'b'] }]],
    ['app notin (a)', [{ key: 'app', operator: 'notIn', values: ['a'] }]],
    ['app in ()', [{ key: 'app', operator: 'in', values: [''] }]],
    ['app in (a,)', [{ key: 'app', operator: 'in', values: ['a', ''] }]],
    [
      ' tier in ( web , api ) , !legacy,env = prod ',
      [
        { key: 'tier', operator: 'in', values: ['web', 'api'] },
        { key: 'legacy', operator: 'notExists' },
        { key: 'env', operator: 'equals', value: 'prod' },
      ],
    ],
    [
      'backstage.io/kubernetes-id=checkout',
      [
        {
          key: 'backstage.io/kubernetes-id',
          operator: 'equals',
          value: 'checkout',
        },
      ],
    ],
    [
      'app.kubernetes.io/name=My_App.v1-2',
      [
        {
          key: 'app.kubernetes.io/name',
          operator: 'equals',
          value: 'My_App.v1-2',
        },
      ],
    ],
    [
      `${'a'.repeat(63)}=${'b'.repeat(63)}`,
      [{ key: 'a'.repeat(63), operator: 'equals', value: 'b'.repeat(63) }],
    ],
    [
      `${'p'.repeat(253)}/n`,
      [{ key: `${'p'.repeat(253)}/n`, operator: 'exists' }],
    ],
  ])('parses %j', (input, requirements) => {
    expect(parseLabelSelector(input)).toEqual(requirements);
  });

  it.each<[string, RegExp]>([
    ['', /position 0: an empty selector/],
    ['   ', /position 3: an empty selector/],
    ['app=web,', /position 8: expected a label key, found the end/],
    [',app', /position 0: expected a label key/],
    ['app=web x', /position 8: expected "," or the end/],
    ['app=a=b', /position 5: expected "," or the end/],
    ['app in a,b', /position 7: expected "\("/],
    ['app in (a,b', /position 11: expected "\)" or ","/],
    ['app in (a b)', /position 10/],
    ['app > 5', /position 4: the numeric operators/],
    ['app < 5', /numeric operators/],
    ['-app=x', /invalid key "-app"/],
    ['app-=x', /invalid key/],
    ['app=-x', /invalid value "-x"/],
    ['app=x"', /invalid value/],
    ["app='x'", /invalid value/],
    ['app=x;y', /invalid value/],
    ['app=é', /invalid value/],
    ['a/b/c=x', /invalid key/],
    ['/app', /prefix must hold 1 to 253/],
    ['App.IO/app', /prefix must be a DNS subdomain/],
    ['example.com/', /name must hold 1 to 63/],
    [`${'a'.repeat(64)}`, /name must hold 1 to 63/],
    [`app=${'b'.repeat(64)}`, /at most 63/],
    [`${'p'.repeat(254)}/n`, /prefix must hold 1 to 253/],
    ['in=x', /position 0: expected a label key, found "in"/],
    ['!app=x', /position 4: expected "," or the end/],
    ['!!app', /expected a label key, found "!"/],
    ['app in (a),', /position 11/],
    ['app notin', /expected "\("/],
    ['(app)', /position 0/],
    ['app=x\u0000', /invalid value/],
    ['app=x\ny', /position 6/],
    ['x'.repeat(5000), /longer than 4096/],
  ])('rejects %j', (input, message) => {
    expect(() => parseLabelSelector(input)).toThrow(InputError);
    expect(() => parseLabelSelector(input)).toThrow(message);
  });

  it.each(HOSTILE_INPUTS)(
    'never accepts a hostile value unchecked: %s',
    (_label, value) => {
      // Either refused with InputError, or parsed into requirements that
      // render back to the same selector.
      const outcome = (() => {
        try {
          const parsed = parseLabelSelector(`app=${value}`);
          const again = parseLabelSelector(renderLabelSelector(parsed));
          return JSON.stringify(again) === JSON.stringify(parsed)
            ? 'round-trips'
            : 'changed';
        } catch (e) {
          return e instanceof InputError ? 'refused' : String(e);
        }
      })();
      expect(['refused', 'round-trips']).toContain(outcome);
    },
  );
});

const NAME = /^[A-Za-z0-9](?:[-A-Za-z0-9_.]{0,10}[A-Za-z0-9])?$/;
const key = fc.oneof(
  fc.stringMatching(NAME),
  fc
    .tuple(
      fc.stringMatching(
        /^[a-z0-9](?:[-a-z0-9]{0,8}[a-z0-9])?(?:\.[a-z0-9]{1,5})*$/,
      ),
      fc.stringMatching(NAME),
    )
    .map(([prefix, name]) => `${prefix}/${name}`),
);
const value = fc.oneof(fc.constant(''), fc.stringMatching(NAME));
const requirement: fc.Arbitrary<LabelRequirement> = fc.oneof(
  fc.record({ key, operator: fc.constantFrom('exists', 'notExists') }),
  fc.record({ key, operator: fc.constantFrom('equals', 'notEquals'), value }),
  fc.record({
    key,
    operator: fc.constantFrom('in', 'notIn'),
    values: fc.array(value, { minLength: 1, maxLength: 4 }),
  }),
) as fc.Arbitrary<LabelRequirement>;

describe('renderLabelSelector', () => {
  it('renders canonically: sorted keys, sorted unique values', () => {
    expect(
      renderLabelSelector([
        { key: 'tier', operator: 'notIn', values: ['b', 'a', 'b'] },
        { key: 'app', operator: 'equals', value: 'web' },
        { key: 'legacy', operator: 'notExists' },
        { key: 'env', operator: 'exists' },
        { key: 'zone', operator: 'in', values: [''] },
      ]),
    ).toBe('app=web,env,!legacy,tier notin (a,b),zone in ()');
  });

  it.each<[LabelRequirement[]]>([
    [[]],
    [[{ key: 'a b', operator: 'exists' }]],
    [[{ key: 'app', operator: 'equals', value: 'x,y' }]],
    [[{ key: 'app', operator: 'equals', value: 'x)' }]],
    [[{ key: 'app', operator: 'in', values: [] }]],
    [[{ key: 'app', operator: 'in', values: ['a', 'b c'] }]],
  ])('refuses %j', requirements => {
    expect(() => renderLabelSelector(requirements)).toThrow(InputError);
  });

  it('round-trips: parse(render(x)) renders to render(x)', () => {
    fc.assert(
      fc.property(
        fc.array(requirement, { minLength: 1, maxLength: 5 }),
        requirements => {
          const rendered = renderLabelSelector(requirements);
          const parsed = parseLabelSelector(rendered);
          expect(parsed).toHaveLength(requirements.length);
          expect(renderLabelSelector(parsed)).toBe(rendered);
          // Same requirements, up to order and set normalisation.
          const normal = (rs: LabelRequirement[]) =>
            rs
              .map(r =>
                'values' in r
                  ? { ...r, values: [...new Set(r.values)].sort() }
                  : r,
              )
              .map(r => JSON.stringify(r))
              .sort();
          expect(normal(parsed)).toEqual(normal(requirements));
        },
      ),
      { numRuns: 500 },
    );
  });
});

describe('labelSelectorForKubernetesId', () => {
  it('selects by the Backstage kubernetes id label', () => {
    expect(labelSelectorForKubernetesId('checkout')).toBe(
      'backstage.io/kubernetes-id=checkout',
    );
  });

  it.each(HOSTILE_INPUTS)('refuses hostile id: %s', (_label, id) => {
    const valid = /^[A-Za-z0-9](?:[-A-Za-z0-9_.]{0,61}[A-Za-z0-9])?$/.test(id);
    const outcome = (() => {
      try {
        return labelSelectorForKubernetesId(id);
      } catch (e) {
        return e instanceof InputError ? 'refused' : String(e);
      }
    })();
    expect(outcome).toBe(
      valid ? `backstage.io/kubernetes-id=${id}` : 'refused',
    );
  });
});
