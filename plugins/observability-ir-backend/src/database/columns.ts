/** A timestamp as a database hands it back. */
export type DateValue = Date | number | string;

// Timestamps are written as Date objects: timestamptz on PostgreSQL,
// milliseconds on SQLite. They come back as a Date or a number (or, from a
// hand-written row, as text); answers carry ISO strings.
/** A stored timestamp as RFC 3339. */
export function toIso(value: DateValue): string {
  if (typeof value === 'string' && !/[zZ]|[+-]\d\d:?\d\d$/.test(value)) {
    return new Date(`${value.replace(' ', 'T')}Z`).toISOString();
  }
  return new Date(value).toISOString();
}

/** A stored timestamp that may be null, as RFC 3339 or `undefined`. */
export function optionalIso(value: DateValue | null): string | undefined {
  return value === null || value === undefined ? undefined : toIso(value);
}

// The JSON columns are text on every database: written and read here only.
/** A value for a JSON text column. */
export function toJson(value: unknown): string | null {
  return value === undefined ? null : JSON.stringify(value);
}

/** The value of a JSON text column. */
export function fromJson<T>(text: string | null): T | undefined {
  return text === null || text === undefined
    ? undefined
    : (JSON.parse(text) as T);
}
