import { mockServices } from '@backstage/backend-test-utils';
import { UpstreamError } from '../../clients/UpstreamError';
import { ClusterConnection } from './ClusterConnections';
import { askSource, holdsFailedSource } from './sourceStatus';

function connection(withLoki: boolean) {
  const logger = mockServices.logger.mock();
  return {
    logger,
    connection: {
      name: 'eu',
      logger,
      ...(withLoki ? { loki: {} } : {}),
    } as unknown as ClusterConnection,
  };
}

describe('askSource', () => {
  it('shows the user a short, redacted error and logs the detail at warn', async () => {
    const { connection: eu, logger } = connection(true);
    const secret = 'Bearer sk-1234567890abcdef';
    const body = `denied for ${secret}: ${'because '.repeat(60)}`;

    const { status } = await askSource(eu, 'loki', async () => {
      throw new UpstreamError('loki', 'eu', 'answered 403', {
        status: 403,
        upstreamText: body,
        secrets: [secret],
      });
    });

    expect(status.status).toBe('error');
    expect(status.error).toMatch(
      /^Loki of cluster eu: answered 403: denied for/,
    );
    expect(status.error).not.toContain('sk-1234567890abcdef');
    expect(status.error!.length).toBeLessThan(300);
    expect(logger.warn).toHaveBeenCalledWith(
      expect.stringContaining('because because because'),
      { source: 'loki' },
    );
    expect(JSON.stringify(logger.warn.mock.calls)).not.toContain(
      'sk-1234567890abcdef',
    );
  });

  it('says a source is not configured, without calling it', async () => {
    const { connection: eu } = connection(false);
    const calls = jest.fn();
    const { status } = await askSource(eu, 'loki', calls);
    expect(calls).not.toHaveBeenCalled();
    expect(status).toEqual({
      cluster: 'eu',
      source: 'loki',
      status: 'not-configured',
      error: 'No loki is configured for cluster eu (observabilityIr.clusters)',
    });
  });
});

describe('holdsFailedSource', () => {
  const ok = { cluster: 'eu', source: 'prometheus', status: 'ok' };
  const failed = { ...ok, status: 'error', error: 'no answer within 10 s' };
  const notConfigured = { ...ok, status: 'not-configured' };

  it('finds a failed source in an answer, a located workload or a list of them', () => {
    expect(holdsFailedSource({ sources: [ok, failed] })).toBe(true);
    expect(
      holdsFailedSource([{ kubernetes: ok }, { kubernetes: failed }]),
    ).toBe(true);
    expect(holdsFailedSource({ sources: [ok, notConfigured] })).toBe(false);
    expect(holdsFailedSource([{ kubernetes: ok, pods: [] }])).toBe(false);
    expect(holdsFailedSource('text')).toBe(false);
  });
});
