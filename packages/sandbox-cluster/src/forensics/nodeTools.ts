import { SimContainer, SimPod } from '../world/cluster';
import { ContainerRun } from '../world/timeline';
import { containerId } from '../kubernetes/podStatus';
import { hashString } from '../util/random';

/**
 * What the node's container runtime knows of one container instance (one
 * run of a pod's container) at one moment.
 */
export interface TargetView {
  pod: SimPod;
  container: SimContainer;
  run: ContainerRun;
  running: boolean;
  /** The moment the node is looked at. */
  ms: number;
}

/**
 * The container instances the runtime keeps for a pod's container: the
 * current one (running, or exited while the kubelet backs off) and, next to
 * a running one, the last exited one (the kubelet keeps one dead container
 * per container for `kubectl logs --previous`).
 */
export function runtimeContainers(
  pod: SimPod,
  container: SimContainer,
  ms: number,
): TargetView[] {
  if (pod.evictedMs !== undefined && ms >= pod.evictedMs) return [];
  const moment = container.timeline.at(ms);
  if (!moment) return [];
  const views: TargetView[] = [
    { pod, container, run: moment.run, running: moment.running, ms },
  ];
  if (moment.running && moment.previous) {
    views.push({ pod, container, run: moment.previous, running: false, ms });
  }
  return views;
}

/** The runtime's id of the container instance. */
export function runtimeId(view: TargetView): string {
  return containerId(view.pod, view.container.model.name, view.run);
}

/** The host PID of the container's main process, stable per run. */
export function hostPid(view: TargetView): number | undefined {
  return view.running
    ? 20_000 + (hashString(`${view.pod.uid}/${view.run.index}`) % 40_000)
    : undefined;
}

/** Whether the process has opened its ports yet. */
export function listening(view: TargetView): boolean {
  const after = view.container.model.listensAfter(view.run.index);
  return (
    view.running && after !== undefined && view.ms - view.run.startMs >= after
  );
}

/**
 * The main process's name (its `comm`, at most 15 characters): the last
 * part of the image's repository.
 */
export function processName(view: TargetView): string {
  const repository = view.container.model.image
    .replace(/@.*$/, '')
    .replace(/:[^/]*$/, '');
  return repository.split('/').pop()!.slice(0, 15);
}

function ago(ms: number) {
  const s = Math.floor(ms / 1000);
  if (s < 60) return `${s} seconds ago`;
  if (s < 3600) return `${Math.floor(s / 60)} minutes ago`;
  return `${Math.floor(s / 3600)} hours ago`;
}

/** RFC 3339 with nanoseconds, as containerd prints times. */
function nanoTime(ms: number): string {
  return new Date(ms).toISOString().replace(/\.(\d{3})Z$/, '.$1000000Z');
}

function hex(seed: string, length: number): string {
  let text = '';
  for (let i = 0; text.length < length; i++) {
    text += hashString(`${seed}/${i}`).toString(16).padStart(8, '0');
  }
  return text.slice(0, length);
}

/** The pod's sandbox (pause container) id. */
export function sandboxId(pod: SimPod): string {
  return hex(`${pod.uid}/sandbox`, 64);
}

/**
 * One row of `crictl ps` without `-q` (cri-tools 1.30: CONTAINER, IMAGE,
 * CREATED, STATE, NAME, ATTEMPT, POD ID, POD, NAMESPACE).
 */
export function crictlPsRow(view: TargetView): string[] {
  return [
    runtimeId(view).slice(0, 13),
    hex(view.container.model.image, 13),
    ago(view.ms - view.run.startMs),
    view.running ? 'Running' : 'Exited',
    view.container.model.name,
    String(view.run.index),
    sandboxId(view.pod).slice(0, 13),
    view.pod.name,
    view.pod.namespace,
  ];
}

/** The cgroup the runtime put the container in, as the runtime names it. */
export interface CgroupPlacement {
  /** `runtimeSpec.linux.cgroupsPath`. */
  cgroupsPath: string;
  /** The kubelet's cgroup driver. */
  systemd: boolean;
}

/**
 * `crictl inspect <id>` against containerd's CRI plugin: the CRI
 * ContainerStatus under `status` (int64 resources as strings) and the
 * verbose `info` map, whose `pid` is the host PID (0 once exited).
 */
export function crictlInspect(
  view: TargetView,
  placement: CgroupPlacement,
): string {
  const m = view.container.model;
  const id = runtimeId(view);
  const { run } = view;
  const exited = !view.running && run.endMs !== undefined;
  const memoryLimit = m.memoryLimit ?? 0;
  const cpuQuota =
    m.cpuLimit !== undefined ? Math.round(m.cpuLimit * 100_000) : 0;
  const cpuShares = Math.max(2, Math.round((m.cpuRequest ?? 0) * 1024));
  const labels = {
    'io.kubernetes.container.name': m.name,
    'io.kubernetes.pod.name': view.pod.name,
    'io.kubernetes.pod.namespace': view.pod.namespace,
    'io.kubernetes.pod.uid': view.pod.uid,
  };
  const doc = {
    status: {
      id,
      metadata: { attempt: run.index, name: m.name },
      state: view.running ? 'CONTAINER_RUNNING' : 'CONTAINER_EXITED',
      createdAt: nanoTime(run.startMs - 150),
      startedAt: nanoTime(run.startMs),
      finishedAt: exited ? nanoTime(run.endMs!) : '0001-01-01T00:00:00Z',
      exitCode: exited ? run.outcome.exitCode : 0,
      image: {
        annotations: {},
        image: m.image,
        runtimeHandler: '',
        userSpecifiedImage: '',
      },
      imageRef: `${m.image.split(':')[0]}@sha256:${hex(m.image, 64)}`,
      reason: exited ? run.outcome.reason : '',
      message: '',
      labels,
      annotations: {
        'io.kubernetes.container.ports': JSON.stringify(
          m.listenPorts.map(containerPort => ({
            containerPort,
            protocol: 'TCP',
          })),
        ),
        'io.kubernetes.container.restartCount': String(run.index),
        'io.kubernetes.container.terminationMessagePath':
          '/dev/termination-log',
        'io.kubernetes.container.terminationMessagePolicy': 'File',
        'io.kubernetes.pod.terminationGracePeriod': '30',
      },
      mounts: [],
      logPath: `/var/log/pods/${view.pod.namespace}_${view.pod.name}_${view.pod.uid}/${m.name}/${run.index}.log`,
      resources: {
        linux: {
          cpuPeriod: '100000',
          cpuQuota: String(cpuQuota),
          cpuShares: String(cpuShares),
          cpusetCpus: '',
          cpusetMems: '',
          hugepageLimits: [],
          memoryLimitInBytes: String(memoryLimit),
          memorySwapLimitInBytes: String(memoryLimit),
          oomScoreAdj: '968',
          unified: {},
        },
      },
    },
    info: {
      sandboxID: sandboxId(view.pod),
      pid: hostPid(view) ?? 0,
      removing: false,
      snapshotKey: id,
      snapshotter: 'overlayfs',
      runtimeType: 'io.containerd.runc.v2',
      runtimeOptions: { systemd_cgroup: placement.systemd },
      runtimeSpec: {
        ociVersion: '1.1.0',
        hostname: view.pod.name,
        linux: {
          resources: {
            ...(memoryLimit
              ? { memory: { limit: memoryLimit, swap: memoryLimit } }
              : {}),
            cpu: {
              shares: cpuShares,
              ...(cpuQuota ? { quota: cpuQuota } : {}),
              period: 100000,
            },
          },
          cgroupsPath: placement.cgroupsPath,
        },
      },
    },
  };
  return `${JSON.stringify(doc, null, 2)}\n`;
}

function mac(seed: string) {
  const h = hex(seed, 10);
  return ['3a', ...h.match(/../g)!].join(':');
}

/** The IPv6 link-local address the kernel derives from a MAC (EUI-64). */
function linkLocal(macAddress: string): string {
  const b = macAddress.split(':').map(x => parseInt(x, 16));
  const eui = [b[0] ^ 0x02, b[1], b[2], 0xff, 0xfe, b[3], b[4], b[5]];
  const groups = [0, 2, 4, 6].map(i =>
    ((eui[i] << 8) | eui[i + 1]).toString(16),
  );
  return `fe80::${groups.join(':')}`;
}

/** The pod's network namespace, as seen from its containers. */
export interface PodNetwork {
  pod: SimPod;
  /** The link is down (a broken CNI). */
  down: boolean;
}

/**
 * `ip addr` (iproute2 6.1) inside the pod's network namespace: loopback
 * and the veth end `eth0` with the pod's address from the CNI bridge.
 */
export function ipAddr(net: PodNetwork): string {
  const { pod, down } = net;
  const ip = pod.podIP;
  const brd = ip.replace(/\.\d+$/, '.255');
  const ifIndex = 10 + (hashString(pod.uid) % 40);
  const ether = mac(pod.uid);
  const lines = [
    '1: lo: <LOOPBACK,UP,LOWER_UP> mtu 65536 qdisc noqueue state UNKNOWN group default qlen 1000',
    '    link/loopback 00:00:00:00:00:00 brd 00:00:00:00:00:00',
    '    inet 127.0.0.1/8 scope host lo',
    '       valid_lft forever preferred_lft forever',
    '    inet6 ::1/128 scope host ',
    '       valid_lft forever preferred_lft forever',
    down
      ? `2: eth0@if${ifIndex}: <NO-CARRIER,BROADCAST,MULTICAST,UP> mtu 1450 qdisc noqueue state LOWERLAYERDOWN group default qlen 1000`
      : `2: eth0@if${ifIndex}: <BROADCAST,MULTICAST,UP,LOWER_UP> mtu 1450 qdisc noqueue state UP group default qlen 1000`,
    `    link/ether ${ether} brd ff:ff:ff:ff:ff:ff link-netnsid 0`,
    `    inet ${ip}/24 brd ${brd} scope global eth0`,
    '       valid_lft forever preferred_lft forever',
    ...(down
      ? []
      : [
          `    inet6 ${linkLocal(ether)}/64 scope link `,
          '       valid_lft forever preferred_lft forever',
        ]),
  ];
  return `${lines.join('\n')}\n`;
}

/** A listening TCP socket in a pod's network namespace. */
export interface Listener {
  /** `*` for a dual-stack wildcard (`[::]` without IPV6_V6ONLY). */
  address: string;
  port: number;
  backlog: number;
  process: { name: string; pid: number; fd: number };
}

/** The listening sockets of every running container of a pod. */
export function podListeners(views: TargetView[]): Listener[] {
  return views
    .filter(listening)
    .flatMap(view =>
      view.container.model.listenPorts.map((port, i) => ({
        address: '*',
        port,
        backlog: 100,
        process: { name: processName(view), pid: hostPid(view)!, fd: 12 + i },
      })),
    )
    .sort((a, b) => a.port - b.port);
}

/** The peer of a listening socket: any address of its family. */
function peerAddress(local: string): string {
  if (local === '*') return '*';
  return local.startsWith('[') ? '[::]' : '0.0.0.0';
}

/**
 * `ss -ltn[p]` (iproute2 6.1) with its output piped: the "compact" layout
 * of misc/ss.c, each column as wide as its widest cell (header included)
 * plus its one-space left delimiter; addresses right-aligned, ports and
 * the rest left-aligned.
 */
export function ss(listeners: Listener[], withProcesses: boolean): string {
  type Row = [string, string, string, string, string, string, string, string];
  const header: Row = [
    'State',
    'Recv-Q',
    'Send-Q',
    'Local Address:',
    'Port',
    'Peer Address:',
    'Port',
    'Process',
  ];
  const rows: Row[] = listeners.map(l => [
    'LISTEN',
    '0'.padEnd(6),
    String(l.backlog).padEnd(6),
    `${l.address}:`,
    String(l.port),
    `${peerAddress(l.address)}:`,
    '*',
    withProcesses
      ? ` users:(("${l.process.name}",pid=${l.process.pid},fd=${l.process.fd}))`
      : '',
  ]);
  // Left delimiters: none for the first column and after an address.
  const delimiter = [0, 1, 1, 1, 0, 1, 0, 0];
  const rightAligned = [false, false, false, true, false, true, false, false];
  const all = [header, ...rows];
  // ss never measures the last cell of its last line (misc/ss.c flushes a
  // field into the widths only when the next one starts).
  const measured = (i: number) =>
    i === header.length - 1 ? all.slice(0, -1).concat([header]) : all;
  const widths = header.map(
    (_, i) => Math.max(...measured(i).map(r => r[i].length)) + delimiter[i],
  );
  return all
    .map(row =>
      row
        .map((cell, i) => {
          const room = widths[i] - delimiter[i];
          return (
            ' '.repeat(delimiter[i]) +
            (rightAligned[i] ? cell.padStart(room) : cell.padEnd(room))
          );
        })
        .join(''),
    )
    .join('\n')
    .concat('\n');
}

/**
 * `netstat -lnt` / `netstat -plnt` (net-tools 2.10) inside the pod's
 * network namespace.
 */
export function netstat(listeners: Listener[], withPrograms: boolean): string {
  const lines = [
    'Active Internet connections (only servers)',
    `Proto Recv-Q Send-Q Local Address           Foreign Address         State      ${
      withPrograms ? ' PID/Program name    ' : ''
    }`,
  ];
  for (const l of listeners) {
    const local = l.address === '*' ? `:::${l.port}` : `${l.address}:${l.port}`;
    const foreign = l.address === '*' ? ':::*' : '0.0.0.0:*';
    lines.push(
      `${l.address === '*' ? 'tcp6' : 'tcp '}       0      0 ${local.padEnd(
        23,
      )} ${foreign.padEnd(23)} LISTEN     ${
        withPrograms
          ? ` ${`${l.process.pid}/${l.process.name}`.padEnd(20)}`
          : ''
      }`,
    );
  }
  return `${lines.join('\n')}\n`;
}
