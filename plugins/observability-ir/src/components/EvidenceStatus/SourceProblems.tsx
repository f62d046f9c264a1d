import {
  EvidenceSource,
  SourceStatus,
} from '@observability-ir/plugin-observability-ir-common';
import Box from '@material-ui/core/Box';
import Alert from '@material-ui/lab/Alert';
import AlertTitle from '@material-ui/lab/AlertTitle';

const SOURCE_NAMES: Record<EvidenceSource, string> = {
  kubernetes: 'Kubernetes',
  prometheus: 'Prometheus',
  loki: 'Loki',
  alertmanager: 'Alertmanager',
};

const CONFIG_HINTS: Record<EvidenceSource, string> = {
  kubernetes: 'add the cluster to kubernetes.clusterLocatorMethods',
  prometheus: 'set observabilityIr.clusters[].prometheus.url',
  loki: 'set observabilityIr.clusters[].loki.url',
  alertmanager: 'set observabilityIr.clusters[].alertmanager.url',
};

/**
 * The name of an evidence source as users know it.
 *
 * @public
 */
export function sourceName(source: EvidenceSource): string {
  return SOURCE_NAMES[source];
}

/**
 * The sentence that says a source failed, naming it and its cluster.
 *
 * @public
 */
export function describeSourceError(status: SourceStatus): string {
  const name = `${sourceName(status.source)} of cluster ${status.cluster}`;
  return status.error ? `${name}: ${status.error}` : `${name} did not answer`;
}

/**
 * The sentence that says a source is missing and how to configure it.
 *
 * @public
 */
export function describeNotConfigured(status: SourceStatus): string {
  return `No ${sourceName(status.source)} configured for cluster ${
    status.cluster
  }: ${CONFIG_HINTS[status.source]}.`;
}

/**
 * Whether every cluster's `source` failed or is missing, so that the panel
 * has nothing from it.
 *
 * @public
 */
export function sourceUnavailable(
  sources: SourceStatus[],
  source: EvidenceSource,
): boolean {
  const of = sources.filter(s => s.source === source);
  return of.length > 0 && of.every(s => s.status !== 'ok');
}

/**
 * What went wrong with the given sources of a partial answer: one alert per
 * failed cluster and source, a configuration hint per missing one, and the
 * upstreams' warnings. Renders nothing when all answered cleanly.
 *
 * @public
 */
export function SourceProblems(props: {
  sources: SourceStatus[];
  /** Only these sources matter to the panel. */
  only: EvidenceSource[];
}) {
  const relevant = props.sources.filter(s => props.only.includes(s.source));
  const errors = relevant.filter(s => s.status === 'error');
  const missing = relevant.filter(s => s.status === 'not-configured');
  const warnings = relevant.filter(
    s => s.status === 'ok' && s.warnings?.length,
  );
  if (!errors.length && !missing.length && !warnings.length) {
    return null;
  }
  return (
    <Box display="flex" flexDirection="column" gridGap={8} mb={2}>
      {errors.map(s => (
        <Alert key={`error-${s.cluster}-${s.source}`} severity="error">
          <AlertTitle>
            {sourceName(s.source)} of cluster {s.cluster} failed
          </AlertTitle>
          {describeSourceError(s)}
        </Alert>
      ))}
      {missing.map(s => (
        <Alert key={`missing-${s.cluster}-${s.source}`} severity="info">
          {describeNotConfigured(s)}
        </Alert>
      ))}
      {warnings.map(s => (
        <Alert key={`warn-${s.cluster}-${s.source}`} severity="warning">
          {sourceName(s.source)} of cluster {s.cluster} warned:{' '}
          {s.warnings!.join('; ')}
        </Alert>
      ))}
    </Box>
  );
}
