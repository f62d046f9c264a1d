import { parseRetryAfter, withRetries } from './retry';

class HttpError extends Error {
  constructor(readonly status: number, readonly retryAfter?: string) {
    super(`status ${status}`);
  }
}

function options(sleeps: number[]) {
  return {
    attempts: 4,
    baseDelayMs: 100,
    maxDelayMs: 2000,
    random: () => 0.5,
    sleep: async (ms: number) => {
      sleeps.push(ms);
    },
    classify: (error: unknown) => {
      const status = (error as HttpError).status;
      return {
        retry: status === 429 || status >= 500,
        retryAfterMs: parseRetryAfter((error as HttpError).retryAfter),
      };
    },
  };
}

describe('withRetries', () => {
  it('retries 429 after the delay the server asks for, then succeeds', async () => {
    const sleeps: number[] = [];
    const answers = [new HttpError(429, '1'), 'pods'];
    const result = await withRetries(async () => {
      const next = answers.shift();
      if (next instanceof Error) throw next;
      return next;
    }, options(sleeps));

    expect(result).toBe('pods');
    expect(sleeps).toEqual([1000]);
  });

  it('backs off with jitter on 5xx and caps a long Retry-After', async () => {
    const sleeps: number[] = [];
    const answers = [
      new HttpError(503),
      new HttpError(502),
      new HttpError(429, '3600'),
      'done',
    ];
    await withRetries(async () => {
      const next = answers.shift();
      if (next instanceof Error) throw next;
      return next;
    }, options(sleeps));

    expect(sleeps).toEqual([50, 100, 2000]);
  });

  it('does not retry client errors, and gives up after the last attempt', async () => {
    const sleeps: number[] = [];
    let calls = 0;
    await expect(
      withRetries(async () => {
        calls++;
        throw new HttpError(404);
      }, options(sleeps)),
    ).rejects.toThrow('status 404');
    expect(calls).toBe(1);

    calls = 0;
    await expect(
      withRetries(async () => {
        calls++;
        throw new HttpError(500);
      }, options(sleeps)),
    ).rejects.toThrow('status 500');
    expect(calls).toBe(4);
  });
});

describe('parseRetryAfter', () => {
  it('reads seconds and HTTP dates', () => {
    expect(parseRetryAfter('2')).toBe(2000);
    expect(
      parseRetryAfter(
        'Wed, 25 Nov 2026 10:00:05 GMT',
        Date.parse('Wed, 25 Nov 2026 10:00:00 GMT'),
      ),
    ).toBe(5000);
    expect(parseRetryAfter('soon')).toBeUndefined();
    expect(parseRetryAfter(undefined)).toBeUndefined();
  });
});

describe('withRetries within a budget', () => {
  it('gives up rather than wait past the budget', async () => {
    const sleeps: number[] = [];
    let clock = 0;
    let calls = 0;
    await expect(
      withRetries(
        async () => {
          calls += 1;
          throw new HttpError(429, '3');
        },
        {
          ...options(sleeps),
          maxDelayMs: 5000,
          budgetMs: 7000,
          now: () => clock,
          sleep: async ms => {
            sleeps.push(ms);
            clock += ms;
          },
        },
      ),
    ).rejects.toThrow('status 429');

    // 3 s and 3 s fit in 7 s; a third wait would end at 9 s.
    expect(sleeps).toEqual([3000, 3000]);
    expect(calls).toBe(3);
  });
});
