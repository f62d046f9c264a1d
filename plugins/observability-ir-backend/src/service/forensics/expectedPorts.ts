import type {
  ExpectedPort,
  PortUse,
} from '@observability-ir/plugin-observability-ir-common';
import type { V1Container, V1Pod, V1Probe } from '@kubernetes/client-node';

function probePort(
  probe: V1Probe | undefined,
  container: V1Container,
): number | undefined {
  const port =
    probe?.httpGet?.port ?? probe?.tcpSocket?.port ?? probe?.grpc?.port;
  if (typeof port === 'number') return port;
  if (typeof port === 'string') {
    if (/^\d+$/.test(port)) return Number(port);
    return container.ports?.find(p => p.name === port)?.containerPort;
  }
  return undefined;
}

/**
 * The TCP ports a container is expected to listen on: its declared
 * container ports and the ports of its probes (named ports resolved), plus
 * Service target ports when the caller knows them.
 */
export function expectedPortsFromContainer(
  container: V1Container,
  serviceTargetPorts: number[] = [],
): ExpectedPort[] {
  const byPort = new Map<number, Set<PortUse>>();
  const add = (port: number | undefined, use: PortUse) => {
    if (port === undefined || !Number.isInteger(port) || port <= 0) return;
    if (!byPort.has(port)) byPort.set(port, new Set());
    byPort.get(port)!.add(use);
  };
  for (const port of container.ports ?? []) {
    if ((port.protocol ?? 'TCP') === 'TCP')
      add(port.containerPort, 'container port');
  }
  add(probePort(container.readinessProbe, container), 'readiness probe');
  add(probePort(container.livenessProbe, container), 'liveness probe');
  add(probePort(container.startupProbe, container), 'startup probe');
  for (const port of serviceTargetPorts) add(port, 'Service');
  return [...byPort.entries()]
    .sort(([a], [b]) => a - b)
    .map(([port, uses]) => ({ port, uses: [...uses] }));
}

/**
 * The expected ports of one container of a pod: the named one, else the
 * first (the main container of most pods).
 */
export function expectedPortsFromPod(
  pod: V1Pod,
  options: { containerName?: string; serviceTargetPorts?: number[] } = {},
): ExpectedPort[] {
  const containers = pod.spec?.containers ?? [];
  const container = options.containerName
    ? containers.find(c => c.name === options.containerName)
    : containers[0];
  return container
    ? expectedPortsFromContainer(container, options.serviceTargetPorts)
    : [];
}

// The types live in -common, where the Incident tab reads them too.
export type { ExpectedPort, PortUse };
