import { UpstreamError } from './UpstreamError';
import { redactSecrets, sanitizeUpstreamText } from './upstreamText';

const JWT =
  'eyJhbGciOiJSUzI1NiIsImtpZCI6IjEifQ.eyJzdWIiOiJzeXN0ZW06c2VydmljZWFjY291bnQifQ.c2lnbmF0dXJl';

describe('upstream text on its way to a browser', () => {
  it.each([
    ['Authorization: Bearer abc.def-ghi rejected', 'abc.def-ghi'],
    ['bad credentials Basic dXNlcjpwYXNz', 'dXNlcjpwYXNz'],
    [`token ${JWT} expired`, JWT],
    ['GET /api?access_token=s3cr3t-value&x=1 failed', 's3cr3t-value'],
    ['{"password": "hunter2!"}', 'hunter2!'],
    ['dial https://admin:pa55word@loki.internal:3100', 'pa55word'],
    [
      'key 9f86d081884c7d659a2feaa0c55ad015a3bf4f1b2b0b822cd15d6c15b0f00a08',
      '9f86d081884c7d659a2feaa0c55ad015a3bf4f1b2b0b822cd15d6c15b0f00a08',
    ],
  ])('removes the secret from %p', (text, secret) => {
    const shown = sanitizeUpstreamText(text);
    expect(shown).not.toContain(secret);
    expect(shown).toContain('[redacted]');
  });

  it('removes the configured values themselves, whatever their shape', () => {
    expect(
      redactSecrets('tenant team-a-secret-header is unknown', [
        'team-a-secret-header',
      ]),
    ).toBe('tenant [redacted] is unknown');
  });

  it('keeps what helps: pod names, namespaces, quantities, PromQL', () => {
    const text =
      'pods "checkout-api-worker-7d9f8c6b5-x2k9p" is forbidden in namespace finance: limit 512Mi; rate(container_cpu_usage_seconds_total[5m])';
    expect(redactSecrets(text)).toBe(text);
  });

  it('collapses whitespace and cuts long text to 200 characters', () => {
    const shown = sanitizeUpstreamText(
      `line one\n\n\tline two ${'word '.repeat(200)}`,
    );
    expect(shown.startsWith('line one line two word')).toBe(true);
    expect(shown).toHaveLength(200);
    expect(shown.endsWith('…')).toBe(true);
  });

  it('makes an error that names source, cluster and status, short and clean, and keeps the detail for the log', () => {
    const body = `upstream said: unauthorized, token=${'t'.repeat(
      12,
    )} ${'context '.repeat(100)}`;
    const error = new UpstreamError('loki', 'eu', 'answered 401', {
      status: 401,
      upstreamText: body,
      secrets: ['Bearer very-secret-token'],
    });
    expect(
      error.message.startsWith(
        'Loki of cluster eu: answered 401: upstream said',
      ),
    ).toBe(true);
    expect(error.message.length).toBeLessThanOrEqual(
      'Loki of cluster eu: answered 401: '.length + 200,
    );
    expect(error.message).not.toContain('t'.repeat(12));
    expect(error.detail.length).toBeGreaterThan(error.message.length);
    expect(error.detail).not.toContain('t'.repeat(12));
    expect(error.status).toBe(401);
  });
});
