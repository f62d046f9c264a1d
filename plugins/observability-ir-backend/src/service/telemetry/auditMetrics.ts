import type { V1Pod, V1Service } from '@kubernetes/client-node';
import {
  MetricsPipelineAudit,
  TelemetryCheck,
} from '@observability-ir/plugin-observability-ir-common';
import type { PrometheusTarget } from '../../clients/PrometheusClient';
import {
  describeLabels,
  describeNamespaceSelector,
  describeSelector,
  nameOf,
  namespaceSelected,
  portNames,
  selectorMatches,
  serviceSelectsPod,
  ServiceMonitorObject,
  unmetRequirements,
} from './selection';
import { suggestServiceMonitor } from './suggestions';

/** A value read from an upstream, or the sentence saying why it is not known. */
export type Known<T> = { value: T } | { unknown: string };

/** What the metrics audit of one cluster reads. */
export interface MetricsInputs {
  cluster: string;
  /** The entity's pods in the cluster. */
  pods: V1Pod[];
  /** The Services of the pods' namespaces. */
  services: Known<V1Service[]>;
  /** Every ServiceMonitor of the cluster. */
  serviceMonitors: Known<ServiceMonitorObject[]>;
  /** Prometheus' active targets. */
  targets: Known<PrometheusTarget[]>;
  /** Whether the pods have `up` and cAdvisor working-set series now. */
  series: Known<{ up: boolean; workingSet: boolean }>;
}

interface Finding {
  check: TelemetryCheck;
  cause?: string;
}

const TITLES: Record<string, string> = {
  service: 'A Service selects the pods',
  'service-monitor': 'A ServiceMonitor selects the Service',
  'namespace-selected':
    "The ServiceMonitor's namespaceSelector selects the namespace",
  'endpoint-port': 'The scraped port exists on the Service',
  'target-up': 'Prometheus scrapes the pods',
  'series-present': 'The expected series are present',
};

function check(
  id: string,
  status: TelemetryCheck['status'],
  detail: string,
  cause?: string,
): Finding {
  return { check: { id, title: TITLES[id], status, detail }, cause };
}

function notChecked(id: string, why: string): Finding {
  return check(id, 'unknown', `Not checked: ${why}.`);
}

function svcName(service: V1Service) {
  return nameOf(service);
}

/** Targets down named in a check's detail; the rest are counted. */
const TARGETS_NAMED = 5;

function list(values: string[]) {
  return values.length ? values.join(', ') : 'none';
}

/**
 * The metrics pipeline of an entity in one cluster, from the pods to the
 * series: a Service selects the pods, a ServiceMonitor selects the Service
 * by its labels and in its namespace, the Service has the port the
 * ServiceMonitor scrapes, Prometheus' targets for the pods are up, and
 * `up` and the cAdvisor series exist. The first failure names the likely
 * cause; a ServiceMonitor to apply is suggested when none scrapes the
 * Service.
 */
export function auditMetrics(inputs: MetricsInputs): MetricsPipelineAudit {
  const { cluster, pods } = inputs;
  const findings: Finding[] = [];
  const namespaces = [
    ...new Set(pods.map(p => p.metadata?.namespace ?? '')),
  ].filter(Boolean);

  // 1. The Services that select the pods.
  let services: V1Service[] = [];
  if ('unknown' in inputs.services) {
    findings.push(check('service', 'unknown', inputs.services.unknown));
  } else if (pods.length === 0) {
    findings.push(
      check(
        'service',
        'unknown',
        `The entity has no pods in cluster ${cluster}, so no Service can be matched to them.`,
      ),
    );
  } else {
    services = inputs.services.value.filter(s =>
      pods.some(p => serviceSelectsPod(s, p)),
    );
    if (services.length > 0) {
      findings.push(
        check(
          'service',
          'ok',
          services
            .map(
              s =>
                `Service ${svcName(s)} selects ${
                  pods.filter(p => serviceSelectsPod(s, p)).length
                } of the entity's ${
                  pods.length
                } pods (selector ${describeLabels(s.spec?.selector)})`,
            )
            .join('; ')
            .concat('.'),
        ),
      );
    } else {
      findings.push(
        check(
          'service',
          'missing',
          `No Service in ${list(
            namespaces,
          )} selects the entity's pods (pod labels ${describeLabels(
            pods[0].metadata?.labels,
          )}).`,
          `No Service exposes the entity's pods: a ServiceMonitor scrapes pods only through a Service whose selector selects them.`,
        ),
      );
    }
  }

  // 2. ServiceMonitors whose selector selects those Services, 3. in their
  // namespace, 4. on a port the Service has.
  const monitors =
    'value' in inputs.serviceMonitors ? inputs.serviceMonitors.value : [];
  const byLabels = new Map<V1Service, ServiceMonitorObject[]>();
  const selecting = new Map<V1Service, ServiceMonitorObject[]>();
  if (services.length === 0) {
    for (const id of ['service-monitor', 'namespace-selected', 'endpoint-port'])
      findings.push(notChecked(id, 'no Service selects the pods'));
  } else if ('unknown' in inputs.serviceMonitors) {
    findings.push(
      check('service-monitor', 'unknown', inputs.serviceMonitors.unknown),
    );
    for (const id of ['namespace-selected', 'endpoint-port'])
      findings.push(notChecked(id, 'the ServiceMonitors could not be read'));
  } else {
    for (const s of services) {
      const labels = s.metadata?.labels ?? {};
      const matching = monitors.filter(sm =>
        selectorMatches(sm.spec?.selector, labels),
      );
      byLabels.set(s, matching);
      selecting.set(
        s,
        matching.filter(sm =>
          namespaceSelected(sm, s.metadata?.namespace ?? ''),
        ),
      );
    }
    findings.push(serviceMonitorFinding(cluster, services, monitors, byLabels));
    findings.push(namespaceFinding(services, byLabels, selecting));
    findings.push(portFinding(services, selecting));
  }

  // 5. Prometheus' targets for the pods.
  findings.push(targetFinding(inputs, namespaces));

  // 6. The series.
  if ('unknown' in inputs.series) {
    findings.push(check('series-present', 'unknown', inputs.series.unknown));
  } else if (pods.length === 0) {
    findings.push(notChecked('series-present', 'the entity has no pods'));
  } else {
    const { up, workingSet } = inputs.series.value;
    if (up && workingSet) {
      findings.push(
        check(
          'series-present',
          'ok',
          `up and container_memory_working_set_bytes have series for the entity's pods.`,
        ),
      );
    } else if (!up) {
      findings.push(
        check(
          'series-present',
          'missing',
          `No up series for the entity's pods: Prometheus scrapes none of them${
            workingSet
              ? '; container_memory_working_set_bytes (cAdvisor) is present'
              : ', and container_memory_working_set_bytes (cAdvisor) has no series either'
          }.`,
          `Prometheus has no scrape target for the pods, so the application's own metrics are missing.`,
        ),
      );
    } else {
      findings.push(
        check(
          'series-present',
          'warning',
          `container_memory_working_set_bytes has no series for the entity's pods: the kubelet's cAdvisor endpoint is not scraped; up is present.`,
          `The kubelet's cAdvisor metrics are not scraped, so the pods' memory is not visible.`,
        ),
      );
    }
  }

  const failing = findings.find(
    f => f.check.status === 'missing' || f.check.status === 'warning',
  );
  const scrapedByNone = findings.some(
    f =>
      ['service-monitor', 'namespace-selected', 'endpoint-port'].includes(
        f.check.id,
      ) && f.check.status === 'missing',
  );
  const suggested =
    scrapedByNone && services.length > 0
      ? suggestServiceMonitor(services[0], monitors)
      : undefined;
  const selected = new Set<string>();
  selecting.forEach(sms => sms.forEach(sm => selected.add(nameOf(sm))));
  return {
    cluster,
    services: services.map(s => s.metadata?.name ?? ''),
    serviceMonitors: [...selected].sort(),
    checks: findings.map(f => f.check),
    ...(failing?.cause ? { likelyCause: failing.cause } : {}),
    ...(suggested ? { suggestedServiceMonitor: suggested } : {}),
  };
}

function serviceMonitorFinding(
  cluster: string,
  services: V1Service[],
  monitors: ServiceMonitorObject[],
  byLabels: Map<V1Service, ServiceMonitorObject[]>,
): Finding {
  const matched = services.filter(s => byLabels.get(s)!.length > 0);
  if (matched.length > 0) {
    return check(
      'service-monitor',
      'ok',
      matched
        .map(
          s =>
            `${byLabels
              .get(s)!
              .map(
                sm =>
                  `ServiceMonitor ${nameOf(sm)} selects Service ${svcName(
                    s,
                  )} by ${describeSelector(sm.spec?.selector)}`,
              )
              .join('; ')}`,
        )
        .join('; ')
        .concat('.'),
    );
  }
  const service = services[0];
  const labels = service.metadata?.labels ?? {};
  if (monitors.length === 0) {
    return check(
      'service-monitor',
      'missing',
      `Cluster ${cluster} has no ServiceMonitor at all.`,
      `No ServiceMonitor exists for Service ${svcName(
        service,
      )}: Prometheus scrapes it only once one selects it.`,
    );
  }
  // The closest: in a namespace it would select, then fewest unmet labels.
  const namespace = service.metadata?.namespace ?? '';
  const closest = [...monitors].sort(
    (a, b) =>
      Number(namespaceSelected(b, namespace)) -
        Number(namespaceSelected(a, namespace)) ||
      unmetRequirements(a.spec?.selector, labels).length -
        unmetRequirements(b.spec?.selector, labels).length,
  )[0];
  const unmet = unmetRequirements(closest.spec?.selector, labels);
  const keys = unmet.map(r => r.replace(/^!/, '').split(/[= ]/)[0]);
  const has = keys.map(k =>
    labels[k] !== undefined ? `${k}=${labels[k]}` : `no ${k} label`,
  );
  return check(
    'service-monitor',
    'missing',
    `No ServiceMonitor selects Service ${svcName(
      service,
    )} (labels ${describeLabels(labels)}); the closest, ${nameOf(
      closest,
    )}, selects ${describeSelector(closest.spec?.selector)}.`,
    `Label mismatch: ServiceMonitor ${nameOf(closest)} selects ${unmet.join(
      ', ',
    )}, but Service ${svcName(service)} has ${[...new Set(has)].join(', ')}.`,
  );
}

function namespaceFinding(
  services: V1Service[],
  byLabels: Map<V1Service, ServiceMonitorObject[]>,
  selecting: Map<V1Service, ServiceMonitorObject[]>,
): Finding {
  if (services.every(s => byLabels.get(s)!.length === 0)) {
    return notChecked(
      'namespace-selected',
      'no ServiceMonitor selects the Service by its labels',
    );
  }
  const ok = services.filter(s => selecting.get(s)!.length > 0);
  if (ok.length > 0) {
    return check(
      'namespace-selected',
      'ok',
      ok
        .flatMap(s =>
          selecting
            .get(s)!
            .map(
              sm =>
                `The namespaceSelector of ${nameOf(
                  sm,
                )} (${describeNamespaceSelector(sm)}) selects namespace ${
                  s.metadata?.namespace
                }`,
            ),
        )
        .join('; ')
        .concat('.'),
    );
  }
  const service = services.find(s => byLabels.get(s)!.length > 0)!;
  const sm = byLabels.get(service)![0];
  const namespace = service.metadata?.namespace;
  return check(
    'namespace-selected',
    'missing',
    `ServiceMonitor ${nameOf(sm)} selects Service ${svcName(
      service,
    )} by its labels, but its namespaceSelector (${describeNamespaceSelector(
      sm,
    )}) does not select namespace ${namespace}.`,
    `Namespace not selected: the namespaceSelector of ServiceMonitor ${nameOf(
      sm,
    )} (${describeNamespaceSelector(sm)}) leaves out ${namespace}.`,
  );
}

function portFinding(
  services: V1Service[],
  selecting: Map<V1Service, ServiceMonitorObject[]>,
): Finding {
  const pairs = services.flatMap(s => selecting.get(s)!.map(sm => ({ s, sm })));
  if (pairs.length === 0) {
    return notChecked(
      'endpoint-port',
      'no ServiceMonitor selects the Service in its namespace',
    );
  }
  const found: string[] = [];
  const missing: Array<{
    s: V1Service;
    sm: ServiceMonitorObject;
    port: string;
  }> = [];
  for (const { s, sm } of pairs) {
    const names = portNames(s);
    for (const endpoint of sm.spec?.endpoints ?? []) {
      if (!endpoint.port) {
        // Scraped by targetPort: the pod's port, not the Service's name.
        found.push(
          `${nameOf(sm)} scrapes Service ${svcName(s)} on targetPort ${
            endpoint.targetPort ?? '(none)'
          }`,
        );
      } else if (names.includes(endpoint.port)) {
        found.push(
          `Service ${svcName(s)} has the port ${endpoint.port} that ${nameOf(
            sm,
          )} scrapes`,
        );
      } else {
        missing.push({ s, sm, port: endpoint.port });
      }
    }
  }
  const missingText = missing
    .map(
      m =>
        `${nameOf(m.sm)} scrapes the port ${m.port}, which Service ${svcName(
          m.s,
        )} does not have (its ports: ${list(portNames(m.s))})`,
    )
    .join('; ');
  if (found.length === 0) {
    const m = missing[0];
    return check(
      'endpoint-port',
      'missing',
      `${missingText}.`,
      `Port name mismatch: ServiceMonitor ${nameOf(
        m.sm,
      )} scrapes the port named ${m.port}, but Service ${svcName(
        m.s,
      )} names its ports ${list(portNames(m.s))}.`,
    );
  }
  return check(
    'endpoint-port',
    missing.length ? 'warning' : 'ok',
    `${[...found, ...(missingText ? [missingText] : [])].join('; ')}.`,
  );
}

function targetFinding(inputs: MetricsInputs, namespaces: string[]): Finding {
  if ('unknown' in inputs.targets) {
    return check('target-up', 'unknown', inputs.targets.unknown);
  }
  if (inputs.pods.length === 0) {
    return notChecked('target-up', 'the entity has no pods');
  }
  const names = new Set(inputs.pods.map(p => p.metadata?.name));
  const targets = inputs.targets.value.filter(
    t => namespaces.includes(t.labels.namespace) && names.has(t.labels.pod),
  );
  if (targets.length === 0) {
    return check(
      'target-up',
      'missing',
      `Prometheus has no active target for the entity's pods in ${list(
        namespaces,
      )}.`,
      `Prometheus has not made a target of the pods: check that the Prometheus resource's serviceMonitorSelector and serviceMonitorNamespaceSelector select the ServiceMonitor (kubectl logs -n monitoring -l app.kubernetes.io/name=prometheus-operator).`,
    );
  }
  const down = targets.filter(t => t.health !== 'up');
  const newest = targets
    .map(t => t.lastScrape)
    .filter(Boolean)
    .sort()
    .pop();
  if (down.length === 0) {
    return check(
      'target-up',
      'ok',
      `${targets.length} target${targets.length === 1 ? '' : 's'} up (${list([
        ...new Set(targets.map(t => t.scrapePool)),
      ])})${newest ? `, last scraped ${newest}` : ''}.`,
    );
  }
  const first = down[0];
  const error = first.lastError || `health ${first.health}`;
  return check(
    'target-up',
    down.length === targets.length ? 'missing' : 'warning',
    `${down.length} of ${targets.length} targets down: ${down
      .slice(0, TARGETS_NAMED)
      .map(
        t =>
          `${t.labels.pod} (${t.scrapeUrl}) ${t.lastError || t.health}${
            t.lastScrape ? `, last scrape ${t.lastScrape}` : ''
          }`,
      )
      .join('; ')}${
      down.length > TARGETS_NAMED
        ? `; and ${down.length - TARGETS_NAMED} more`
        : ''
    }.`,
    `Target down: the scrape of ${first.scrapeUrl} fails with ${error}.`,
  );
}
