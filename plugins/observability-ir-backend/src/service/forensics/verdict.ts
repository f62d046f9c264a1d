import type {
  ForensicsVerdict,
  ForensicsVerdictKind,
} from '@observability-ir/plugin-observability-ir-common';
import {
  formatMemoryQuantity,
  listNames,
  plural,
} from '@observability-ir/plugin-observability-ir-common';
import type { ExpectedPort, PortUse } from './expectedPorts';
import type { ForensicsFindings } from './findings';

const NETWORK_PATH = 'look at the network path (Service, NetworkPolicy, CNI)';

function portList(ports: number[], separator = ' and '): string {
  return listNames(ports.map(String), 5, separator);
}

/** `the readiness probe uses`, `the container port and Service use`. */
function usedBy(expected: ExpectedPort[], ports: number[]): string {
  const uses = new Set<PortUse>();
  for (const e of expected) {
    if (ports.includes(e.port)) e.uses.forEach(u => uses.add(u));
  }
  return `the ${listNames([...uses], 5)} ${uses.size === 1 ? 'uses' : 'use'}`;
}

function oomKillsOf(findings: ForensicsFindings): number | undefined {
  const counts = [
    findings.cgroup.container?.oomKills,
    findings.cgroup.pod?.oomKills,
  ].filter((n): n is number => n !== undefined);
  return counts.length ? Math.max(...counts) : undefined;
}

function memoryLimitOf(findings: ForensicsFindings): number | undefined {
  const limit =
    findings.cgroup.container?.limitBytes ??
    findings.container?.memoryLimitBytes ??
    findings.cgroup.pod?.limitBytes;
  return typeof limit === 'number' ? limit : undefined;
}

function oomSentence(oomKills: number, limit: number | undefined): string {
  return `the cgroup recorded ${plural(
    oomKills,
    'OOM kill',
  )}: the process dies before it is Ready, consistent with the memory limit${
    limit !== undefined ? ` (${formatMemoryQuantity(limit)})` : ''
  }`;
}

/**
 * Weighs the facts from the node against what the pod spec expects: the
 * listening sockets inside the pod's network namespace against the
 * container and probe ports, the interface's state and addresses, and the
 * cgroup's OOM-kill count and memory limit.
 */
export function forensicsVerdict(
  findings: ForensicsFindings,
  expected: ExpectedPort[],
): ForensicsVerdict {
  const expectedPorts = expected.map(e => e.port);
  const sockets = findings.listening ?? [];
  const listeningPorts = [...new Set(sockets.map(s => s.port))].sort(
    (a, b) => a - b,
  );
  const oomKills = oomKillsOf(findings);
  const memoryLimitBytes = memoryLimitOf(findings);
  const verdict = (
    kind: ForensicsVerdictKind,
    sentence: string,
  ): ForensicsVerdict => ({
    kind,
    sentence,
    expectedPorts,
    listeningPorts,
    ...(oomKills !== undefined && { oomKills }),
    ...(memoryLimitBytes !== undefined && { memoryLimitBytes }),
  });
  const expectedText = expectedPorts.length
    ? portList(expectedPorts, ' or ')
    : undefined;

  const { target } = findings;
  if (!target.containerId) {
    return verdict(
      'container-not-found',
      'The container runtime on the node knows no such container (crictl, ctr and /proc searched): it may have been replaced or the pod moved to another node',
    );
  }
  if (!target.pid) {
    if (oomKills) {
      return verdict(
        'oom-before-ready',
        `The container is not running (no process on the node); ${oomSentence(
          oomKills,
          memoryLimitBytes,
        )}`,
      );
    }
    return verdict(
      'pid-not-found',
      `The container ${target.containerId.slice(0, 13)} is ${
        target.state && target.state !== 'unknown'
          ? target.state
          : 'not running'
      } and has no process on the node, and the cgroup recorded no OOM kill: read its last logs and exit code`,
    );
  }
  if (!findings.interfaces || !findings.listening) {
    const failed = findings.failedSections.find(s =>
      ['ip-addr', 'ss-ltnp', 'netstat-plnt', 'netstat-lnt'].includes(s.name),
    );
    return verdict(
      'inconclusive',
      `Could not look inside the network namespace of PID ${target.pid}${
        failed
          ? ` (${failed.name} exited with ${failed.exitStatus ?? 'no status'})`
          : ''
      }: the Job needs hostPID and the SYS_ADMIN and SYS_PTRACE capabilities`,
    );
  }

  const reachable = (port: number) =>
    sockets.some(s => s.port === port && !s.loopbackOnly);
  const missing = expectedPorts.filter(p => !reachable(p));
  const nothingExpectedListens =
    expectedPorts.length > 0 && missing.length === expectedPorts.length;

  if (nothingExpectedListens && oomKills) {
    return verdict(
      'oom-before-ready',
      `Nothing listens on ${expectedText} in the pod's network namespace while the spec expects it; ${oomSentence(
        oomKills,
        memoryLimitBytes,
      )}`,
    );
  }

  const podInterfaces = findings.interfaces.filter(i => !i.loopback);
  const withAddress = podInterfaces.filter(i =>
    i.addresses.some(a => a.scope !== 'link'),
  );
  const down = podInterfaces.filter(i => !i.up);
  if (down.length) {
    return verdict(
      'interface-down',
      `The interface ${listNames(
        down.map(i => i.name),
      )} is down in the pod's network namespace (${
        down[0].state ?? 'no carrier'
      }): traffic cannot reach the app whatever it listens on; look at the CNI on the node`,
    );
  }
  if (!withAddress.length) {
    return verdict(
      'no-address',
      `The pod's network namespace has no address besides loopback (${plural(
        podInterfaces.length,
        'other interface',
      )}): the CNI did not set up the pod's network`,
    );
  }
  const address = withAddress[0].addresses.find(
    a => a.scope !== 'link',
  )!.address;

  if (nothingExpectedListens) {
    const loopback = expectedPorts.filter(p => sockets.some(s => s.port === p));
    if (loopback.length) {
      const socket = sockets.find(s => s.port === loopback[0])!;
      return verdict(
        'loopback-only',
        `It listens on ${loopback[0]} only on ${socket.address}: the kubelet's probes and the Service reach the pod on ${address}, so the app must bind to all addresses (0.0.0.0)`,
      );
    }
    const others = listeningPorts.filter(p => !expectedPorts.includes(p));
    if (others.length) {
      return verdict(
        'wrong-port',
        `It listens on ${portList(
          others,
        )}, not on the ${expectedText} that ${usedBy(expected, expectedPorts)}`,
      );
    }
    return verdict(
      'not-listening',
      `Nothing listens on ${expectedText} in the pod's network namespace while the spec expects it, and the cgroup recorded ${
        oomKills === undefined ? 'no OOM-kill count' : 'no OOM kill'
      }: the process (PID ${
        target.pid
      }) runs but has not opened the port; read its logs and configuration`,
    );
  }
  if (missing.length) {
    const listening = expectedPorts.filter(reachable);
    return verdict(
      'missing-port',
      `It listens on ${portList(listening)} but not on ${portList(
        missing,
        ' or ',
      )}, which ${usedBy(expected, missing)}`,
    );
  }
  if (!expectedPorts.length) {
    return verdict(
      listeningPorts.length ? 'listening' : 'not-listening',
      listeningPorts.length
        ? `The spec declares no port; the app listens on ${portList(
            listeningPorts,
          )} and the interface is up: ${NETWORK_PATH}`
        : `Nothing listens in the pod's network namespace and the spec declares no port to expect`,
    );
  }
  return verdict(
    'listening',
    `The app listens on ${portList(
      expectedPorts,
    )} and the interface is up (${address}): ${NETWORK_PATH}`,
  );
}

// The types live in -common, where the Incident tab reads them too.
export type { ForensicsVerdict, ForensicsVerdictKind };
