import { InputError } from '@backstage/errors';
import YAML, { isMap, isScalar, Node, Pair, Scalar, YAMLMap } from 'yaml';
import { columnOf, lineBreakOf, lineEndOf, TextEdit } from './textEdits';

/** What to set below a map: key → scalar text, or key → deeper settings. */
export interface ScalarSettings {
  [key: string]: string | ScalarSettings;
}

/** One scalar an edit sets, and the value YAML will read back. */
export interface ScalarSet {
  keys: string[];
  value: unknown;
}

/** How {@link editSettings} may change a map. */
export interface SettingsEditOptions {
  /** The text the map was parsed from. */
  source: string;
  /** Whether missing keys may be added; else a missing key is an error. */
  createMissing: boolean;
  /** Spaces per nesting level of added block maps. */
  indentStep: number;
  /** Who the map belongs to, for errors: "container app of Deployment web". */
  where: string;
}

type MapPair = Pair<unknown, unknown>;

function pairOf(map: YAMLMap, key: string): MapPair | undefined {
  return map.items.find(
    pair => isScalar(pair.key) && String(pair.key.value) === key,
  );
}

function isEmptyValue(value: unknown): boolean {
  return value === null || (isScalar(value) && value.value === null);
}

function rangeOf(node: unknown): [number, number] {
  const range = (node as Node | null)?.range;
  if (!range) {
    throw new Error('YAML node without a source range');
  }
  return [range[0], range[1]];
}

function leaves(
  settings: ScalarSettings,
  prefix: string[] = [],
): Array<{ keys: string[]; text: string }> {
  return Object.entries(settings).flatMap(([key, want]) =>
    typeof want === 'string'
      ? [{ keys: [...prefix, key], text: want }]
      : leaves(want, [...prefix, key]),
  );
}

function renderBlock(
  settings: ScalarSettings,
  column: number,
  step: number,
): string[] {
  const pad = ' '.repeat(column);
  return Object.entries(settings).flatMap(([key, want]) =>
    typeof want === 'string'
      ? [`${pad}${key}: ${want}`]
      : [`${pad}${key}:`, ...renderBlock(want, column + step, step)],
  );
}

function renderFlowEntries(settings: ScalarSettings, spaced: boolean): string {
  return Object.entries(settings)
    .map(([key, want]) =>
      typeof want === 'string'
        ? `${key}: ${want}`
        : `${key}: ${renderFlow(want, spaced)}`,
    )
    .join(', ');
}

function renderFlow(settings: ScalarSettings, spaced: boolean): string {
  const entries = renderFlowEntries(settings, spaced);
  return spaced ? `{ ${entries} }` : `{${entries}}`;
}

/**
 * The edits that set scalars below a map, touching nothing else: an existing
 * scalar is replaced in place with its quoting kept; missing keys are added
 * after the map's last entry, in the map's own style (block with its
 * indentation, or flow). Returns the edits and the values YAML will read at
 * each set key, relative to the map.
 */
export function editSettings(
  map: YAMLMap,
  settings: ScalarSettings,
  options: SettingsEditOptions,
  prefix: string[] = [],
): { edits: TextEdit[]; sets: ScalarSet[] } {
  const { source, createMissing, where } = options;
  const edits: TextEdit[] = [];
  const sets: ScalarSet[] = [];
  const missing: ScalarSettings = {};
  const recordAdded = (keys: string[], added: ScalarSettings) =>
    sets.push(
      ...leaves(added, keys).map(leaf => ({
        keys: leaf.keys,
        value: YAML.parse(leaf.text),
      })),
    );

  for (const [key, want] of Object.entries(settings)) {
    const keys = [...prefix, key];
    const name = keys.join('.');
    const pair = pairOf(map, key);
    if (!pair) {
      if (!createMissing) {
        throw new InputError(`${where} has no ${name}`);
      }
      missing[key] = want;
      continue;
    }
    if (typeof want === 'string') {
      if (!isScalar(pair.value)) {
        throw new InputError(
          `${name} of ${where} is not a single value; edit it by hand`,
        );
      }
      const edit = replaceScalar(
        source,
        pair.value,
        want,
        `${name} of ${where}`,
      );
      edits.push(edit.edit);
      sets.push({ keys, value: edit.value });
    } else if (isMap(pair.value)) {
      const nested = editSettings(pair.value, want, options, keys);
      edits.push(...nested.edits);
      sets.push(...nested.sets);
    } else if (isEmptyValue(pair.value)) {
      if (!createMissing) {
        throw new InputError(`${where} has no ${name}`);
      }
      edits.push(...fillEmptyValue(map, pair, want, options));
      recordAdded(keys, want);
    } else {
      throw new InputError(`${name} of ${where} is not a map; edit it by hand`);
    }
  }

  if (Object.keys(missing).length > 0) {
    edits.push(addEntries(map, missing, options));
    recordAdded(prefix, missing);
  }
  return { edits, sets };
}

/** A scalar's new text, quoted as the old one was. */
function replaceScalar(
  source: string,
  scalar: Scalar,
  text: string,
  what: string,
): { edit: TextEdit; value: unknown } {
  const [start, end] = rangeOf(scalar);
  switch (scalar.type) {
    case Scalar.QUOTE_DOUBLE:
      return { edit: { start, end, text: `"${text}"` }, value: text };
    case Scalar.QUOTE_SINGLE:
      return { edit: { start, end, text: `'${text}'` }, value: text };
    case Scalar.PLAIN:
    case undefined: {
      // `memory:` with nothing after the colon: the value needs its space.
      const spacer = start === end && source[start - 1] === ':' ? ' ' : '';
      return {
        edit: { start, end, text: `${spacer}${text}` },
        value: YAML.parse(text),
      };
    }
    default:
      throw new InputError(`${what} is a block scalar; edit it by hand`);
  }
}

/** Settings in place of an empty value (`limits:`, `limits: ~`). */
function fillEmptyValue(
  map: YAMLMap,
  pair: MapPair,
  settings: ScalarSettings,
  options: SettingsEditOptions,
): TextEdit[] {
  const { source, indentStep } = options;
  const [keyStart, keyEnd] = rangeOf(pair.key);
  const colon = source.indexOf(':', keyEnd);
  const [valueStart, valueEnd] = isScalar(pair.value)
    ? rangeOf(pair.value)
    : [colon + 1, colon + 1];
  if (map.flow) {
    const spacer = source[valueStart - 1] === ':' ? ' ' : '';
    return [
      {
        start: valueStart,
        end: valueEnd,
        text: `${spacer}${renderFlow(settings, false)}`,
      },
    ];
  }
  // Drop the `~` or `null`, and add the lines after any comment on the line.
  const lineEnd = lineEndOf(source, valueEnd);
  const lines = renderBlock(
    settings,
    columnOf(source, keyStart) + indentStep,
    indentStep,
  );
  const removal: TextEdit[] =
    valueEnd > colon + 1 ? [{ start: colon + 1, end: valueEnd, text: '' }] : [];
  const eol = lineBreakOf(source);
  return [
    ...removal,
    { start: lineEnd, end: lineEnd, text: `${eol}${lines.join(eol)}` },
  ];
}

/** New entries at the end of a map, in its style. */
function addEntries(
  map: YAMLMap,
  settings: ScalarSettings,
  options: SettingsEditOptions,
): TextEdit {
  const { source, indentStep } = options;
  const [mapStart, mapEnd] = rangeOf(map);
  if (map.flow) {
    const spaced = /^\{\s/.test(source.slice(mapStart, mapStart + 2));
    if (map.items.length === 0) {
      return { start: mapStart, end: mapEnd, text: renderFlow(settings, true) };
    }
    let close = source.lastIndexOf('}', mapEnd - 1);
    while (close > mapStart && /\s/.test(source[close - 1])) {
      close--;
    }
    const separator = source[close - 1] === ',' ? ' ' : ', ';
    return {
      start: close,
      end: close,
      text: `${separator}${renderFlowEntries(settings, spaced)}`,
    };
  }
  const first = map.items[0];
  const last = map.items[map.items.length - 1];
  let end = Math.max(
    rangeOf(last.key)[1],
    last.value ? rangeOf(last.value)[1] : 0,
  );
  while (end > 0 && /\s/.test(source[end - 1])) {
    end--;
  }
  const at = lineEndOf(source, end);
  const eol = lineBreakOf(source);
  const lines = renderBlock(
    settings,
    columnOf(source, rangeOf(first.key)[0]),
    indentStep,
  );
  return { start: at, end: at, text: `${eol}${lines.join(eol)}` };
}
