import {
  EvidenceSource,
  SourceStatus,
} from '@observability-ir/plugin-observability-ir-common';

/**
 * Runs the calls of one source of one cluster together and reports how that
 * source answered; a failure becomes the source's status, never a thrown
 * error, so the other sources' evidence survives it.
 */
export async function askSource<T>(
  cluster: string,
  source: EvidenceSource,
  configured: boolean,
  calls: () => Promise<{ value: T; warnings?: string[] }>,
): Promise<{ value?: T; status: SourceStatus }> {
  if (!configured) {
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
    return {
      status: {
        cluster,
        source,
        status: 'error',
        error: (error as Error).message,
      },
    };
  }
}
