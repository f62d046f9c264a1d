/**
 * News, within this backend instance, that a forensics run's status
 * changed: the runner says so when it stores a change, and requests that
 * wait for one (`GET /v1/forensics/{id}?waitForChangeAfter=`) are woken.
 * Runs followed by another instance send no news here; waiters read the
 * store again now and then for those.
 */
export class ForensicsRunChanges {
  private readonly waiters = new Map<string, Set<() => void>>();

  /** Wakes everything waiting on the run. */
  changed(id: string): void {
    const waiting = this.waiters.get(id.toLowerCase());
    if (!waiting) return;
    this.waiters.delete(id.toLowerCase());
    [...waiting].forEach(wake => wake());
  }

  /**
   * Resolves when the run changes, after `ms`, or when `signal` aborts,
   * whichever comes first.
   */
  next(id: string, ms: number, signal?: AbortSignal): Promise<void> {
    const key = id.toLowerCase();
    const waiters = this.waiters;
    return new Promise(resolve => {
      if (signal?.aborted) {
        resolve();
        return;
      }
      const waiting = waiters.get(key) ?? new Set<() => void>();
      waiters.set(key, waiting);
      const timer = setTimeout(wake, Math.max(0, ms));
      waiting.add(wake);
      signal?.addEventListener('abort', wake);
      function wake() {
        clearTimeout(timer);
        signal?.removeEventListener('abort', wake);
        waiting.delete(wake);
        if (waiting.size === 0 && waiters.get(key) === waiting) {
          waiters.delete(key);
        }
        resolve();
      }
    });
  }

  /** How many waits are pending, across runs (for tests). */
  get pending(): number {
    let count = 0;
    this.waiters.forEach(waiting => {
      count += waiting.size;
    });
    return count;
  }
}
