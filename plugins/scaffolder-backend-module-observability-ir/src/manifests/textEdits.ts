/**
 * Edits of a text by offsets, so that every byte outside an edit stays as
 * it was: comments, quoting, blank lines and indentation included.
 */

/** Replace `source.slice(start, end)` with `text`. */
export interface TextEdit {
  start: number;
  end: number;
  text: string;
}

/** The text with every edit made; edits must not overlap. */
export function applyTextEdits(source: string, edits: TextEdit[]): string {
  const sorted = [...edits].sort((a, b) => a.start - b.start);
  let result = '';
  let position = 0;
  for (const edit of sorted) {
    if (edit.start < position || edit.end < edit.start) {
      throw new Error('overlapping text edits');
    }
    result += source.slice(position, edit.start) + edit.text;
    position = edit.end;
  }
  return result + source.slice(position);
}

/** The line break a file uses: CRLF when it has any, else LF. */
export function lineBreakOf(source: string): string {
  return source.includes('\r\n') ? '\r\n' : '\n';
}

/** The column (0-based) of an offset within its line. */
export function columnOf(source: string, offset: number): number {
  return offset - (source.lastIndexOf('\n', offset - 1) + 1);
}

/** The offset where the line holding `offset` ends, before its line break. */
export function lineEndOf(source: string, offset: number): number {
  const newline = source.indexOf('\n', offset);
  if (newline < 0) {
    return source.length;
  }
  return source[newline - 1] === '\r' ? newline - 1 : newline;
}
