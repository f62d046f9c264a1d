import {
  EvidenceSource,
  SourceStatus,
} from '@observability-ir/plugin-observability-ir-common';
import { UpstreamError } from '../../clients/UpstreamError';
import { shortenText } from '../../clients/upstreamText';
import { ClusterConnection } from './ClusterConnections';

/**
 * The status of a source that failed: a short message for the user, and
 * the full detail in the backend log at warn, with the cluster and source.
 */
export function failedSource(
  connection: ClusterConnection,
  source: EvidenceSource,
  error: unknown,
): SourceStatus {
  const detail =
    error instanceof UpstreamError ? error.detail : (error as Error).message;
  connection.logger.warn(`Incident evidence: ${source} failed: ${detail}`, {
    source,
  });
  return {
    cluster: connection.name,
    source,
    status: 'error',
    // An UpstreamError's message is already redacted and short.
    error:
      error instanceof UpstreamError
        ? error.message
        : shortenText((error as Error).message, 300),
  };
}

/**
 * Runs the calls of one source of one cluster together and reports how that
 * source answered; a failure becomes the source's status, never a thrown
 * error, so the other sources' evidence survives it.
 */
export async function askSource<T>(
  connection: ClusterConnection,
  source: EvidenceSource,
  calls: () => Promise<{ value: T; warnings?: string[] }>,
): Promise<{ value?: T; status: SourceStatus }> {
  const cluster = connection.name;
  if (source !== 'kubernetes' && !connection[source]) {
    return {
      status: {
        cluster,
        source,
        status: 'not-configured',
        error: `No ${source} is configured for cluster ${cluster} (observabilityIr.clusters)`,
      },
    };
  }
  try {
    const { value, warnings } = await calls();
    return {
      value,
      status: {
        cluster,
        source,
        status: 'ok',
        ...(warnings?.length ? { warnings } : {}),
      },
    };
  } catch (error) {
    return { status: failedSource(connection, source, error) };
  }
}

/**
 * Whether evidence (an answer, a part of one, or a list of them) holds a
 * source that failed: such evidence is not kept for reuse, so an upstream
 * that recovers is read again at the next request.
 */
export function holdsFailedSource(value: unknown): boolean {
  if (Array.isArray(value)) return value.some(holdsFailedSource);
  if (!value || typeof value !== 'object') return false;
  const { sources, kubernetes } = value as {
    sources?: unknown;
    kubernetes?: { status?: string };
  };
  return (
    kubernetes?.status === 'error' ||
    (Array.isArray(sources) &&
      sources.some(s => (s as SourceStatus)?.status === 'error'))
  );
}
