import fs from 'node:fs';
import path from 'node:path';
import { ClusterWorld, SimNode } from '../world/cluster';
import {
  cgroupVersion,
  containerCgroup,
  memoryCgroupFiles,
  procCgroup,
  procStatus,
} from './nodeFiles';
import {
  crictlInspect,
  crictlPsRow,
  hostPid,
  ipAddr,
  netstat,
  podListeners,
  runtimeContainers,
  runtimeId,
  ss,
  TargetView,
} from './nodeTools';

/** Where the node's CRI socket is, below the node's root. */
export const CRI_SOCKET_ON_NODE = '/run/containerd/containerd.sock';

/** One container instance as the stand-in `crictl` and `ctr` know it. */
export interface RuntimeEntry {
  id: string;
  name: string;
  labels: Record<string, string>;
  createdAt: string;
  state: 'CONTAINER_RUNNING' | 'CONTAINER_EXITED';
  /** The host PID; 0 when it does not run. */
  pid: number;
  image: string;
  /** The row of `crictl ps`. */
  psRow: string[];
  /** `crictl inspect`'s JSON. */
  inspect: string;
}

/** What the stand-in tools read: `node.json` of an attempt's folder. */
export interface NodeSnapshot {
  node: string;
  /** The CRI socket's path in the node's root folder. */
  criSocket: string;
  containers: RuntimeEntry[];
}

function write(file: string, content: string) {
  fs.mkdirSync(path.dirname(file), { recursive: true });
  fs.writeFileSync(file, content);
}

/**
 * Writes what a node shows at one moment into `dir`: its root filesystem
 * under `host/` (`/proc/PID/status` and `/proc/PID/cgroup` of every
 * running container, the memory cgroup tree, the CRI socket), the network
 * namespace of every running container under `netns/PID/` (the outputs of
 * `ip addr`, `ss` and `netstat` there) and the runtime's containers in
 * `node.json`.
 */
export function writeNodeSnapshot(
  dir: string,
  cluster: ClusterWorld,
  node: SimNode,
  ms: number,
): NodeSnapshot {
  const host = path.join(dir, 'host');
  const version = cgroupVersion(node);
  const pods = cluster
    .podsAt(ms)
    .filter(p => p.nodeName === node.spec.name)
    .map(pod => ({
      pod,
      views: pod.containers.flatMap(c => runtimeContainers(pod, c, ms)),
    }));

  const containers: RuntimeEntry[] = [];
  for (const { pod, views } of pods) {
    const running = views.filter(v => v.running);
    const down = pod.containers.some(
      c =>
        c.model.behavior.type === 'steady' &&
        c.model.behavior.networkUnreachable,
    );
    const listeners = podListeners(running);
    for (const view of views) {
      containers.push(runtimeEntry(view, version));
      const pid = hostPid(view);
      if (pid === undefined) continue;
      write(path.join(host, 'proc', String(pid), 'status'), procStatus(view));
      write(
        path.join(host, 'proc', String(pid), 'cgroup'),
        procCgroup(view, version),
      );
      const netns = path.join(dir, 'netns', String(pid));
      write(path.join(netns, 'ip-addr'), ipAddr({ pod, down }));
      write(path.join(netns, 'ss-ltnp'), ss(listeners, true));
      write(path.join(netns, 'ss-ltn'), ss(listeners, false));
      write(path.join(netns, 'netstat-plnt'), netstat(listeners, true));
      write(path.join(netns, 'netstat-lnt'), netstat(listeners, false));
    }
  }
  const cgroupMount = path.join(host, 'sys', 'fs', 'cgroup');
  for (const [file, content] of Object.entries(
    memoryCgroupFiles(pods, version, ms),
  )) {
    write(cgroupMount + file, content);
  }
  const criSocket = path.join(host, CRI_SOCKET_ON_NODE);
  write(criSocket, '');
  const snapshot: NodeSnapshot = {
    node: node.spec.name,
    criSocket,
    containers: containers.sort((a, b) =>
      b.createdAt.localeCompare(a.createdAt),
    ),
  };
  write(path.join(dir, 'node.json'), JSON.stringify(snapshot));
  return snapshot;
}

function runtimeEntry(view: TargetView, version: 1 | 2): RuntimeEntry {
  const m = view.container.model;
  const inspect = crictlInspect(view, containerCgroup(view, version).placement);
  return {
    id: runtimeId(view),
    name: m.name,
    labels: {
      'io.kubernetes.container.name': m.name,
      'io.kubernetes.pod.name': view.pod.name,
      'io.kubernetes.pod.namespace': view.pod.namespace,
      'io.kubernetes.pod.uid': view.pod.uid,
    },
    createdAt: JSON.parse(inspect).status.createdAt,
    state: view.running ? 'CONTAINER_RUNNING' : 'CONTAINER_EXITED',
    pid: hostPid(view) ?? 0,
    image: m.image,
    psRow: crictlPsRow(view),
    inspect,
  };
}
