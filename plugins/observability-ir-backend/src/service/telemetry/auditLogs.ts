import type { V1Pod } from '@kubernetes/client-node';
import {
  LogsPipelineAudit,
  TelemetryCheck,
} from '@observability-ir/plugin-observability-ir-common';
import type { Known } from './auditMetrics';
import { describeLabels } from './selection';
import { FLUENT_BIT_KUBERNETES_FILTER } from './suggestions';

/** An entry older than this makes the logs stale. */
export const RECENT_LOG_SECONDS = 15 * 60;

/** What the logs audit of one cluster reads. */
export interface LogsInputs {
  cluster: string;
  pods: V1Pod[];
  /** The stream selector the entity's logs are read with. */
  selector: string;
  /** The label sets of the streams it selects in the last hour. */
  streams: Known<Array<Record<string, string>>>;
  /**
   * The label sets of the streams of the pods' log files
   * (`/var/log/containers/<pod>_<namespace>_<container>-<id>.log`), looked
   * for when the selector finds none.
   */
  fileStreams?: Known<Array<Record<string, string>>>;
  /** Unix ms of the newest entry of the streams found, within the hour. */
  newestEntryMs: Known<number | undefined>;
  nowMs: number;
}

const TITLES: Record<string, string> = {
  'log-streams': 'Loki has streams of the pods',
  'log-recent': 'The streams have recent entries',
  'log-kubernetes-labels': 'The streams carry the Kubernetes labels',
};

interface Finding {
  check: TelemetryCheck;
  cause?: string;
}

function check(
  id: string,
  status: TelemetryCheck['status'],
  detail: string,
  cause?: string,
): Finding {
  return { check: { id, title: TITLES[id], status, detail }, cause };
}

/** Loki label names allow only [a-zA-Z0-9_]; Fluent Bit replaces the rest. */
function lokiLabelName(name: string) {
  return name.replace(/[^a-zA-Z0-9_]/g, '_');
}

/**
 * The labels Fluent Bit's kubernetes filter gives a stream: namespace, pod,
 * container, node, and the pod's `app` label (or
 * `app.kubernetes.io/name`) when the pods carry it.
 */
export function expectedLogLabels(pods: V1Pod[]): string[] {
  const expected = ['namespace', 'pod', 'container', 'node'];
  for (const key of ['app', 'app.kubernetes.io/name']) {
    if (pods.some(p => p.metadata?.labels?.[key] !== undefined)) {
      expected.push(lokiLabelName(key));
    }
  }
  return expected;
}

function describeAge(seconds: number) {
  if (seconds < 90) return `${Math.max(0, Math.round(seconds))} s`;
  if (seconds < 5400) return `${Math.round(seconds / 60)} min`;
  return `${Math.round(seconds / 3600)} h`;
}

/**
 * The logs pipeline of an entity in one cluster: Loki has the pods'
 * streams, they had entries recently, and they carry the labels Fluent
 * Bit's kubernetes filter adds; when streams exist only under their log
 * file's name, the filter is what to add.
 */
export function auditLogs(inputs: LogsInputs): LogsPipelineAudit {
  const { cluster, pods, selector, nowMs } = inputs;
  const findings: Finding[] = [];
  let found: Array<Record<string, string>> = [];
  let byFile = false;

  if ('unknown' in inputs.streams) {
    findings.push(check('log-streams', 'unknown', inputs.streams.unknown));
  } else if (inputs.streams.value.length > 0) {
    found = inputs.streams.value;
    findings.push(
      check(
        'log-streams',
        'ok',
        `${found.length} stream${
          found.length === 1 ? '' : 's'
        } match ${selector} in the last hour.`,
      ),
    );
  } else if (
    inputs.fileStreams &&
    'value' in inputs.fileStreams &&
    inputs.fileStreams.value.length > 0
  ) {
    found = inputs.fileStreams.value;
    byFile = true;
    findings.push(
      check(
        'log-streams',
        'warning',
        `No stream matches ${selector}, but ${found.length} stream${
          found.length === 1 ? '' : 's'
        } of the pods' log files do (${describeLabels(found[0])}).`,
      ),
    );
  } else {
    const nodes = [
      ...new Set(pods.map(p => p.spec?.nodeName).filter(Boolean)),
    ].join(', ');
    findings.push(
      check(
        'log-streams',
        'missing',
        `Loki has no stream of the entity's pods in the last hour, neither by ${selector} nor by their log files.`,
        `Fluent Bit ships no log of the entity's pods: check that its DaemonSet runs on their nodes${
          nodes ? ` (${nodes})` : ''
        } and that its tail input reads /var/log/containers/*.log.`,
      ),
    );
  }

  if (found.length === 0) {
    findings.push(
      'unknown' in inputs.streams
        ? check('log-recent', 'unknown', 'Not checked: Loki did not answer.')
        : check(
            'log-recent',
            'missing',
            "No entry of the entity's pods in the last hour.",
          ),
    );
  } else if ('unknown' in inputs.newestEntryMs) {
    findings.push(check('log-recent', 'unknown', inputs.newestEntryMs.unknown));
  } else if (inputs.newestEntryMs.value === undefined) {
    findings.push(
      check(
        'log-recent',
        'missing',
        'The streams have no entry in the last hour.',
        'The pods wrote nothing in the last hour, or Fluent Bit stopped shipping their logs.',
      ),
    );
  } else {
    const newest = inputs.newestEntryMs.value;
    const age = (nowMs - newest) / 1000;
    const at = new Date(newest).toISOString();
    findings.push(
      age <= RECENT_LOG_SECONDS
        ? check(
            'log-recent',
            'ok',
            `The newest entry is from ${at} (${describeAge(age)} ago).`,
          )
        : check(
            'log-recent',
            'warning',
            `The newest entry is from ${at}, ${describeAge(
              age,
            )} ago: nothing since.`,
            `Nothing reached Loki for ${describeAge(
              age,
            )}: the pods wrote nothing, or Fluent Bit stopped shipping their logs.`,
          ),
    );
  }

  const labels = [...new Set(found.flatMap(s => Object.keys(s)))].sort();
  if (found.length === 0) {
    findings.push(
      check(
        'log-kubernetes-labels',
        'unknown',
        'Not checked: no stream of the pods was found.',
      ),
    );
  } else {
    const expected = expectedLogLabels(pods);
    const missing = expected.filter(l => !found.every(s => l in s));
    findings.push(
      missing.length === 0
        ? check(
            'log-kubernetes-labels',
            'ok',
            `The streams carry ${expected.join(', ')}.`,
          )
        : check(
            'log-kubernetes-labels',
            'missing',
            `The streams carry ${labels.join(', ')}; ${missing.join(', ')} ${
              missing.length === 1 ? 'is' : 'are'
            } missing.`,
            byFile
              ? `The records of these pods miss Fluent Bit's kubernetes filter: they reach Loki labelled only by their log file, so no query by namespace, pod or app finds them (the filter's Match must cover the tail input's tag, e.g. kube.*).`
              : `Fluent Bit's kubernetes metadata does not reach the stream labels: ${missing.join(
                  ', ',
                )} ${
                  missing.length === 1 ? 'is' : 'are'
                } not set by the Loki output.`,
          ),
    );
  }

  const failing = findings.find(
    f => f.check.status === 'missing' || f.check.status === 'warning',
  );
  const needsFilter = findings.some(
    f => f.check.id === 'log-kubernetes-labels' && f.check.status === 'missing',
  );
  // When the labels are missing, the cause is theirs even if the streams
  // were found only by file.
  const cause = needsFilter
    ? findings.find(f => f.check.id === 'log-kubernetes-labels')!.cause
    : failing?.cause;
  const newest =
    'value' in inputs.newestEntryMs && inputs.newestEntryMs.value !== undefined
      ? new Date(inputs.newestEntryMs.value).toISOString()
      : undefined;
  return {
    cluster,
    labels,
    ...(newest && found.length ? { newestEntryAt: newest } : {}),
    checks: findings.map(f => f.check),
    ...(cause ? { likelyCause: cause } : {}),
    ...(needsFilter
      ? { suggestedFluentBitFilter: FLUENT_BIT_KUBERNETES_FILTER }
      : {}),
  };
}
