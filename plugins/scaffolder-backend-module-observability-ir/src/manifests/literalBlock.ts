import { InputError } from '@backstage/errors';
import { Scalar } from 'yaml';
import { lineBreakOf, lineEndOf, TextEdit } from './textEdits';

interface SourceLine {
  start: number;
  text: string;
}

/**
 * Carries edits of a literal block scalar's value (an inline patch
 * `patch: |-`) into the file that holds it: each value line is a file line
 * less the block's indentation, so offsets shift by that indentation and
 * every new line gets it. Nothing else of the block changes.
 */
export function editInsideLiteralBlock(
  source: string,
  scalar: Scalar,
  valueEdits: TextEdit[],
  what: string,
): TextEdit[] {
  if (scalar.type !== Scalar.BLOCK_LITERAL || !scalar.range) {
    throw new InputError(
      `${what} is not a literal block (patch: |); edit it by hand`,
    );
  }
  const [start, end] = scalar.range;
  const headerEnd = source.indexOf('\n', start);
  if (/^\|[-+]?\d/.test(source.slice(start, headerEnd).trim())) {
    throw new InputError(
      `${what} sets its indentation explicitly (patch: |2); edit it by hand`,
    );
  }

  const lines: SourceLine[] = [];
  for (let offset = headerEnd + 1; offset < end; ) {
    const lineEnd = lineEndOf(source, offset);
    lines.push({ start: offset, text: source.slice(offset, lineEnd) });
    offset = source.indexOf('\n', lineEnd) + 1 || source.length;
  }
  const indent =
    lines.find(line => line.text.trim() !== '')?.text.search(/\S/) ?? 0;

  const valueLines = String(scalar.value).split('\n');
  const valueLineStarts: number[] = [];
  let valueOffset = 0;
  valueLines.forEach((valueLine, index) => {
    valueLineStarts.push(valueOffset);
    valueOffset += valueLine.length + 1;
    const line = lines[index];
    const matches =
      valueLine === ''
        ? line === undefined || line.text.trim() === ''
        : line?.text === `${' '.repeat(indent)}${valueLine}`;
    if (!matches) {
      throw new InputError(
        `${what} cannot be edited in place; edit it by hand`,
      );
    }
  });

  const toSource = (offset: number): number => {
    let index = valueLineStarts.length - 1;
    while (valueLineStarts[index] > offset) {
      index--;
    }
    const line = lines[index];
    const column = offset - valueLineStarts[index];
    return line.start + Math.min(indent, line.text.length) + column;
  };
  const newLine = `${lineBreakOf(source)}${' '.repeat(indent)}`;
  return valueEdits.map(edit => ({
    start: toSource(edit.start),
    end: toSource(edit.end),
    text: edit.text.split('\n').join(newLine),
  }));
}
