import type { V1Service } from '@kubernetes/client-node';
import { ServiceMonitorObject } from './selection';

/**
 * The port a ServiceMonitor should scrape on a Service: a named port whose
 * name says metrics (`http-metrics`, `metrics`, `prom`), else the one the
 * failing ServiceMonitor asked for if the Service has it; none when no
 * port has a name (a ServiceMonitor endpoint names its port).
 */
export function metricsPortOf(service: V1Service): string | undefined {
  const names = (service.spec?.ports ?? [])
    .map(p => p.name)
    .filter((n): n is string => Boolean(n));
  return (
    names.find(n => /metrics/i.test(n)) ??
    names.find(n => /prom|monitor|telemetry/i.test(n))
  );
}

/**
 * A ServiceMonitor ready to apply for one Service, in the shape of the
 * lab's `backend-telemetry`: in the Service's namespace, selecting the
 * Service by its own labels in that namespace only, scraping its metrics
 * port. It carries the labels every existing ServiceMonitor shares (e.g.
 * `release: kube-prometheus-stack`), which the Prometheus resource's
 * serviceMonitorSelector is likely to require.
 */
export function suggestServiceMonitor(
  service: V1Service,
  existing: ServiceMonitorObject[],
): string | undefined {
  const name = service.metadata?.name;
  const namespace = service.metadata?.namespace;
  const labels = service.metadata?.labels ?? {};
  const port = metricsPortOf(service);
  if (!name || !namespace || !port || Object.keys(labels).length === 0) {
    return undefined;
  }
  const shared = sharedLabels(existing);
  const manifest = {
    apiVersion: 'monitoring.coreos.com/v1',
    kind: 'ServiceMonitor',
    metadata: {
      name,
      namespace,
      ...(Object.keys(shared).length ? { labels: shared } : {}),
    },
    spec: {
      selector: { matchLabels: { ...labels } },
      namespaceSelector: { matchNames: [namespace] },
      endpoints: [{ port, interval: '30s', path: '/metrics' }],
    },
  };
  return toYaml(manifest);
}

type Yaml = string | Yaml[] | { [key: string]: Yaml };

/** A plain scalar where YAML reads it back as the same string, else quoted. */
function scalar(value: string): string {
  return /^[A-Za-z0-9][A-Za-z0-9._/-]*$/.test(value) &&
    !/^(true|false|yes|no|on|off|null|~|[0-9.eE+-]+)$/i.test(value)
    ? value
    : JSON.stringify(value);
}

/**
 * Block-style YAML of strings, lists and mappings; a JSON string is a YAML
 * double-quoted scalar, so every value reads back as written.
 */
export function toYaml(value: Yaml, indent = ''): string {
  if (typeof value === 'string') return `${scalar(value)}\n`;
  if (Array.isArray(value)) {
    return value
      .map(item => {
        const body = toYaml(item, `${indent}  `);
        return typeof item === 'string'
          ? `${indent}- ${body}`
          : `${indent}- ${body.slice(indent.length + 2)}`;
      })
      .join('');
  }
  return Object.entries(value)
    .map(([key, item]) =>
      typeof item === 'string'
        ? `${indent}${scalar(key)}: ${toYaml(item)}`
        : `${indent}${scalar(key)}:\n${toYaml(item, `${indent}  `)}`,
    )
    .join('');
}

/** The labels with the same value on every ServiceMonitor. */
function sharedLabels(existing: ServiceMonitorObject[]) {
  if (existing.length === 0) return {};
  const [first, ...rest] = existing.map(sm => sm.metadata?.labels ?? {});
  return Object.fromEntries(
    Object.entries(first).filter(([k, v]) => rest.every(l => l[k] === v)),
  );
}

/**
 * Fluent Bit's kubernetes filter, which adds each record's namespace, pod,
 * container, node and pod labels, and the Loki output that turns them into
 * stream labels. The filter's Match must cover the tag of the tail input
 * that reads /var/log/containers (`Tag kube.*`).
 */
export const FLUENT_BIT_KUBERNETES_FILTER = `[FILTER]
    Name                kubernetes
    Match               kube.*
    Kube_URL            https://kubernetes.default.svc:443
    Kube_CA_File        /var/run/secrets/kubernetes.io/serviceaccount/ca.crt
    Kube_Token_File     /var/run/secrets/kubernetes.io/serviceaccount/token
    Kube_Tag_Prefix     kube.var.log.containers.
    Merge_Log           On
    Keep_Log            Off
    K8S-Logging.Parser  On
    K8S-Logging.Exclude On

[OUTPUT]
    Name                   loki
    Match                  kube.*
    labels                 job=fluent-bit, namespace=$kubernetes['namespace_name'], pod=$kubernetes['pod_name'], container=$kubernetes['container_name'], node=$kubernetes['host']
    auto_kubernetes_labels on
`;
