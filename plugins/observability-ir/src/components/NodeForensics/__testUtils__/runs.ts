import {
  ForensicsReport,
  ForensicsRun,
} from '@observability-ir/plugin-observability-ir-common';
import { ENTITY_REF, MI } from '../../../__testUtils__/fixtures';

/**
 * Forensics runs of the lab: checkout-api-v1-abc on worker-1, OOM-killed
 * 46 times under its 512Mi limit before it ever listens on 8080.
 */

export const RUN_ID = '5b0c7f36-6a43-4d6b-9a55-0f3c3b1a2d10';

export const OOM_SENTENCE =
  "Nothing listens on 8080 in the pod's network namespace while the spec expects it; the cgroup recorded 46 OOM kills: the process dies before it is Ready, consistent with the memory limit";

/** What the script printed for the lab's pod (shortened). */
export const LAB_RAW_OUTPUT = [
  '=== node-forensics format=1 ===',
  '=== section: ip-addr ===',
  '$ nsenter -t 4242 -n -- ip addr',
  '1: lo: <LOOPBACK,UP,LOWER_UP> mtu 65536 qdisc noqueue state UNKNOWN',
  '    inet 127.0.0.1/8 scope host lo',
  '3: eth0@if12: <BROADCAST,MULTICAST,UP,LOWER_UP> mtu 1450 qdisc noqueue state UP',
  '    inet 10.244.1.17/24 brd 10.244.1.255 scope global eth0',
  '=== end: ip-addr exit=0 ===',
  '=== section: ss-ltnp ===',
  '$ nsenter -t 4242 -n -- ss -ltnp',
  'State  Recv-Q Send-Q Local Address:Port Peer Address:Port Process',
  'LISTEN 0      50         127.0.0.1:5005      0.0.0.0:*     users:(("java",pid=4242,fd=5))',
  '=== end: ss-ltnp exit=0 ===',
].join('\n');

/** The parsed report of the lab's run. */
export function labReport(): ForensicsReport {
  return {
    formatVersion: 1,
    complete: true,
    sections: [],
    findings: {
      formatVersion: 1,
      complete: true,
      node: 'worker-1',
      target: {
        containerId: 'containerd://3f9a6c1e2b7d',
        foundBy: 'crictl',
        pid: 4242,
        state: 'running',
      },
      interfaces: [
        {
          index: 1,
          name: 'lo',
          flags: ['LOOPBACK', 'UP', 'LOWER_UP'],
          state: 'UNKNOWN',
          mtu: 65536,
          loopback: true,
          up: true,
          addresses: [
            {
              family: 'inet',
              address: '127.0.0.1',
              prefixLength: 8,
              scope: 'host',
            },
          ],
        },
        {
          index: 3,
          name: 'eth0@if12',
          flags: ['BROADCAST', 'MULTICAST', 'UP', 'LOWER_UP'],
          state: 'UP',
          mtu: 1450,
          loopback: false,
          up: true,
          addresses: [
            {
              family: 'inet',
              address: '10.244.1.17',
              prefixLength: 24,
              scope: 'global',
            },
          ],
        },
      ],
      listening: [
        {
          address: '127.0.0.1',
          port: 5005,
          loopbackOnly: true,
          owners: [{ name: 'java', pid: 4242 }],
        },
      ],
      listeningFrom: 'ss',
      process: {
        name: 'java',
        state: 'S (sleeping)',
        pid: 4242,
        threads: 31,
        residentBytes: 505 * MI,
        peakResidentBytes: 511 * MI,
        fields: {},
      },
      cgroup: {
        version: 2,
        container: {
          path: '/kubepods.slice/kubepods-pod1.slice/cri-containerd-3f9a6c1e2b7d.scope',
          oomKills: 46,
          limitBytes: 512 * MI,
          usageBytes: 509 * MI,
        },
      },
      failedSections: [],
    },
    verdict: {
      kind: 'oom-before-ready',
      sentence: OOM_SENTENCE,
      expectedPorts: [8080],
      listeningPorts: [5005],
      oomKills: 46,
      memoryLimitBytes: 512 * MI,
    },
  };
}

/** A run of the lab's pod, pending unless told otherwise. */
export function labRun(overrides: Partial<ForensicsRun> = {}): ForensicsRun {
  return {
    id: RUN_ID,
    status: 'pending',
    entityRef: ENTITY_REF,
    cluster: 'sandbox',
    namespace: 'finance',
    pod: 'checkout-api-v1-abc',
    container: 'checkout-api',
    node: 'worker-1',
    requestedBy: 'user:default/guest',
    createdAt: new Date(Date.now() - 1000).toISOString(),
    ...overrides,
  };
}

/** The lab's run, finished with its verdict and output. */
export function succeededRun(
  overrides: Partial<ForensicsRun> = {},
): ForensicsRun {
  const createdAt = Date.now() - 8000;
  return labRun({
    status: 'succeeded',
    createdAt: new Date(createdAt).toISOString(),
    startedAt: new Date(createdAt + 2000).toISOString(),
    finishedAt: new Date(createdAt + 7000).toISOString(),
    report: labReport(),
    rawOutput: LAB_RAW_OUTPUT,
    rawOutputTruncated: true,
    ...overrides,
  });
}
