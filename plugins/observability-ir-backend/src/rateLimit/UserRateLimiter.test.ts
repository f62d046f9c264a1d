import { TooManyRequestsError, UserRateLimiter } from './UserRateLimiter';

describe('UserRateLimiter', () => {
  it('lets a burst through, then refuses with the seconds to wait', () => {
    const limiter = new UserRateLimiter({
      perMinute: 60,
      burst: 3,
      now: () => 0,
    });
    for (let i = 0; i < 3; i++) limiter.take('user:default/a');

    let refusal: unknown;
    try {
      limiter.take('user:default/a');
    } catch (error) {
      refusal = error;
    }
    expect(refusal).toBeInstanceOf(TooManyRequestsError);
    expect((refusal as TooManyRequestsError).retryAfterSeconds).toBe(1);
    expect((refusal as TooManyRequestsError).statusCode).toBe(429);
  });

  it('refills at the configured rate', () => {
    let now = 0;
    const limiter = new UserRateLimiter({
      perMinute: 60,
      burst: 1,
      now: () => now,
    });
    limiter.take('u');
    expect(() => limiter.take('u')).toThrow(TooManyRequestsError);
    now = 999;
    expect(() => limiter.take('u')).toThrow(TooManyRequestsError);
    now = 1000;
    expect(() => limiter.take('u')).not.toThrow();
  });

  it('counts each caller on its own', () => {
    const limiter = new UserRateLimiter({
      perMinute: 1,
      burst: 1,
      now: () => 0,
    });
    limiter.take('user:default/a');
    expect(() => limiter.take('user:default/a')).toThrow(/user:default\/a/);
    expect(() => limiter.take('user:default/b')).not.toThrow();
  });

  it('forgets callers whose bucket is full again once there are many', () => {
    let now = 0;
    const limiter = new UserRateLimiter({
      perMinute: 60,
      burst: 1,
      now: () => now,
      maxCallers: 2,
    });
    limiter.take('a');
    limiter.take('b');
    now = 60_000;
    // Both buckets are full again: the third caller sweeps them out and
    // they start afresh, which costs them nothing.
    limiter.take('c');
    expect(() => limiter.take('a')).not.toThrow();
    expect(() => limiter.take('a')).toThrow(TooManyRequestsError);
  });
});
