import { SilentOutageFinding } from '@observability-ir/plugin-observability-ir-common';

/** The columns of the silent-outage export, in order. */
const COLUMNS: Array<[string, (f: SilentOutageFinding) => CsvValue]> = [
  ['owner', f => f.owner?.ownerRef],
  ['entity', f => f.owner?.entityRef],
  ['cluster', f => f.cluster],
  ['namespace', f => f.namespace],
  ['pod', f => f.pod],
  ['container', f => f.container],
  ['reason', f => f.reason],
  ['exitCode', f => f.exitCode],
  ['restartsInRange', f => f.restartsInRange],
  ['restartCount', f => f.restartCount],
  ['lastKilledAt', f => f.lastKilledAt],
  ['memoryLimitBytes', f => f.memoryLimitBytes],
  ['source', f => f.source],
];

type CsvValue = string | number | undefined;

/** What a spreadsheet would read as the start of a formula. */
const FORMULA_START = /^[=+\-@\t\r]/;

/**
 * One CSV cell (RFC 4180): text that starts like a formula (`=`, `+`, `-`,
 * `@`, tab, carriage return) is prefixed with `'` so that a spreadsheet
 * shows it instead of evaluating it; a cell with a comma, quote or line
 * break is quoted, its quotes doubled. Numbers are written as they are.
 */
export function csvCell(value: CsvValue): string {
  if (value === undefined) {
    return '';
  }
  if (typeof value === 'number') {
    return String(value);
  }
  const text = FORMULA_START.test(value) ? `'${value}` : value;
  return /[",\r\n]/.test(text) ? `"${text.replace(/"/g, '""')}"` : text;
}

/**
 * The findings as CSV with a header row, one line per finding, lines ended
 * by CRLF.
 */
export function findingsToCsv(findings: SilentOutageFinding[]): string {
  const lines = [COLUMNS.map(([name]) => name).join(',')];
  for (const finding of findings) {
    lines.push(COLUMNS.map(([, get]) => csvCell(get(finding))).join(','));
  }
  return `${lines.join('\r\n')}\r\n`;
}
