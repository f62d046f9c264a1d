/** An answer of the backend and the `ETag` it came with. */
export interface ValidatedAnswer {
  etag: string;
  body: unknown;
}

/**
 * The latest answers of the evidence endpoints by request URL, with their
 * validators: a refresh sends the validator, and on `304 Not Modified` the
 * kept answer, the very same object, is the answer again. The least
 * recently used are dropped beyond `max` (six endpoints for a few ranges).
 */
export class ValidatedAnswers {
  private readonly entries = new Map<string, ValidatedAnswer>();

  constructor(private readonly max = 24) {}

  get(url: string): ValidatedAnswer | undefined {
    const entry = this.entries.get(url);
    if (entry) {
      this.entries.delete(url);
      this.entries.set(url, entry);
    }
    return entry;
  }

  /** Keeps the answer of `url`; one without a validator replaces none. */
  set(url: string, etag: string | null, body: unknown): void {
    this.entries.delete(url);
    if (!etag) {
      return;
    }
    this.entries.set(url, { etag, body });
    for (const oldest of this.entries.keys()) {
      if (this.entries.size <= this.max) {
        break;
      }
      this.entries.delete(oldest);
    }
  }
}
