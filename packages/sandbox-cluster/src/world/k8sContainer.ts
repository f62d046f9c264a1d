import { ContainerSpec, ProbeSpec } from '../scenario/schema';

/** A container as it appears in a Kubernetes pod template (JSON). */
export type K8sContainer = Record<string, any>;

function probeToK8s(probe: ProbeSpec | undefined) {
  if (!probe) {
    return undefined;
  }
  const handler = probe.httpGet
    ? {
        httpGet: {
          path: probe.httpGet.path,
          port: probe.httpGet.port,
          scheme: 'HTTP',
        },
      }
    : { tcpSocket: { port: probe.tcpSocket?.port } };
  return {
    ...handler,
    initialDelaySeconds: probe.initialDelaySeconds,
    periodSeconds: probe.periodSeconds,
    timeoutSeconds: probe.timeoutSeconds,
    failureThreshold: probe.failureThreshold,
    successThreshold: 1,
  };
}

/** Renders a scenario container as the API server would store it. */
export function toK8sContainer(spec: ContainerSpec): K8sContainer {
  const container: K8sContainer = {
    name: spec.name,
    image: spec.image,
    ports: spec.ports.map(p => ({
      ...(p.name ? { name: p.name } : {}),
      containerPort: p.containerPort,
      protocol: 'TCP',
    })),
    resources: JSON.parse(JSON.stringify(spec.resources ?? {})),
    terminationMessagePath: '/dev/termination-log',
    terminationMessagePolicy: 'File',
    imagePullPolicy: 'IfNotPresent',
  };
  const liveness = probeToK8s(spec.livenessProbe);
  const readiness = probeToK8s(spec.readinessProbe);
  if (liveness) {
    container.livenessProbe = liveness;
  }
  if (readiness) {
    container.readinessProbe = readiness;
  }
  return container;
}

function probeFromK8s(probe: any): ProbeSpec | undefined {
  if (!probe || typeof probe !== 'object') {
    return undefined;
  }
  return {
    httpGet: probe.httpGet
      ? { path: String(probe.httpGet.path ?? '/'), port: probe.httpGet.port }
      : undefined,
    tcpSocket: probe.tcpSocket ? { port: probe.tcpSocket.port } : undefined,
    initialDelaySeconds: Number(probe.initialDelaySeconds ?? 0),
    periodSeconds: Number(probe.periodSeconds ?? 10),
    timeoutSeconds: Number(probe.timeoutSeconds ?? 1),
    failureThreshold: Number(probe.failureThreshold ?? 3),
  };
}

/**
 * Reads back the parts of a (possibly patched) Kubernetes container that
 * the simulation cares about.
 */
export function fromK8sContainer(
  container: K8sContainer,
  behavior: ContainerSpec['behavior'],
): ContainerSpec {
  const resources = container.resources ?? {};
  return {
    name: String(container.name),
    image: String(container.image ?? ''),
    ports: (container.ports ?? []).map((p: any) => ({
      name: p.name,
      containerPort: Number(p.containerPort),
    })),
    resources: {
      requests: resources.requests,
      limits: resources.limits,
    },
    livenessProbe: probeFromK8s(container.livenessProbe),
    readinessProbe: probeFromK8s(container.readinessProbe),
    behavior,
  };
}
