import { escapeFieldSelectorValue, fieldEquals } from './fieldSelector';

/** apimachinery's fields.ParseSelector, for `field=value` lists: the test's own reading. */
function parseFieldSelector(selector: string): Array<[string, string]> {
  const requirements: Array<[string, string]> = [];
  let current = '';
  let field: string | undefined;
  for (let i = 0; i < selector.length; i++) {
    const char = selector[i];
    if (char === '\\') {
      current += selector[++i];
    } else if (char === '=' && field === undefined) {
      field = current;
      current = '';
    } else if (char === ',') {
      requirements.push([field ?? '', current]);
      field = undefined;
      current = '';
    } else {
      current += char;
    }
  }
  requirements.push([field ?? '', current]);
  return requirements;
}

describe('fieldEquals', () => {
  it('writes a plain name as is', () => {
    expect(fieldEquals('involvedObject.name', 'checkout-api-v1-abc')).toBe(
      'involvedObject.name=checkout-api-v1-abc',
    );
  });

  it.each(['a,involvedObject.kind=Node', 'a=b', 'trailing\\', '\\,=,'])(
    'keeps %j one requirement on one field',
    value => {
      expect(parseFieldSelector(fieldEquals('spec.nodeName', value))).toEqual([
        ['spec.nodeName', value],
      ]);
    },
  );

  it('escapes only backslash, comma and equals', () => {
    expect(escapeFieldSelectorValue('a\\b,c=d e')).toBe('a\\\\b\\,c\\=d e');
  });
});
