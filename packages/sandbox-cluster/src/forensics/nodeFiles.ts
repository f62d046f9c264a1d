import { SimNode, SimPod } from '../world/cluster';
import { podStatus } from '../kubernetes/podStatus';
import { hashString } from '../util/random';
import {
  CgroupPlacement,
  hostPid,
  processName,
  runtimeId,
  TargetView,
} from './nodeTools';

/** The kernel's "no limit" on 4 KiB pages (cgroup v1). */
const V1_UNLIMITED = '9223372036854771712';
const PAGE = 4096;
/** What a pod's sandbox (pause) process adds to the pod's cgroup. */
const PAUSE_BYTES = 385_024;

/**
 * The cgroup version of a node: the sandbox runs even-indexed nodes on
 * cgroup v1 with the cgroupfs driver and odd-indexed ones on cgroup v2
 * with the systemd driver, so both layouts are exercised.
 */
export function cgroupVersion(node: SimNode): 1 | 2 {
  return node.index % 2 === 1 ? 2 : 1;
}

function qos(
  pod: SimPod,
  ms: number,
): 'guaranteed' | 'burstable' | 'besteffort' {
  return String(podStatus(pod, ms).qosClass).toLowerCase() as
    | 'guaranteed'
    | 'burstable'
    | 'besteffort';
}

/** The pod's cgroup below the hierarchy's root, as the kubelet names it. */
export function podCgroup(pod: SimPod, version: 1 | 2, ms: number): string {
  const q = qos(pod, ms);
  if (version === 2) {
    const uid = pod.uid.replace(/-/g, '_');
    return q === 'guaranteed'
      ? `/kubepods.slice/kubepods-pod${uid}.slice`
      : `/kubepods.slice/kubepods-${q}.slice/kubepods-${q}-pod${uid}.slice`;
  }
  return q === 'guaranteed'
    ? `/kubepods/pod${pod.uid}`
    : `/kubepods/${q}/pod${pod.uid}`;
}

/** Where the runtime puts a container, and how its spec names that. */
export function containerCgroup(
  view: TargetView,
  version: 1 | 2,
): { path: string; placement: CgroupPlacement } {
  const pod = podCgroup(view.pod, version, view.ms);
  const id = runtimeId(view);
  if (version === 2) {
    return {
      path: `${pod}/cri-containerd-${id}.scope`,
      placement: {
        cgroupsPath: `${pod.split('/').pop()}:cri-containerd:${id}`,
        systemd: true,
      },
    };
  }
  return {
    path: `${pod}/${id}`,
    placement: { cgroupsPath: `${pod}/${id}`, systemd: false },
  };
}

function pageAligned(bytes: number): number {
  return Math.floor(bytes / PAGE) * PAGE;
}

function usage(view: TargetView): number {
  return view.container.model.memoryAt(
    view.run.index,
    view.ms - view.run.startMs,
  );
}

/** The highest working set of the run so far. */
function peak(view: TargetView): number {
  const since = view.ms - view.run.startMs;
  let high = 0;
  for (let i = 0; i <= 24; i++) {
    high = Math.max(
      high,
      view.container.model.memoryAt(view.run.index, (since * i) / 24),
    );
  }
  return high;
}

/** OOM kills of a container's runs that ended before the moment. */
export function oomKills(view: Pick<TargetView, 'pod' | 'container' | 'ms'>) {
  return view.container.timeline
    .runsBetween(view.pod.createdMs, view.ms)
    .filter(
      r =>
        r.outcome.reason === 'OOMKilled' &&
        r.endMs !== undefined &&
        r.endMs <= view.ms,
    ).length;
}

/** `/proc/PID/status` of a container's main process. */
export function procStatus(view: TargetView): string {
  const pid = hostPid(view)!;
  const kb = (bytes: number) =>
    `${String(Math.round(bytes / 1024)).padStart(8)} kB`;
  const rss = usage(view);
  const hwm = peak(view);
  const fields: Array<[string, string]> = [
    ['Name', processName(view)],
    ['Umask', '0022'],
    ['State', 'S (sleeping)'],
    ['Tgid', String(pid)],
    ['Ngid', '0'],
    ['Pid', String(pid)],
    ['PPid', String(pid - 21)],
    ['TracerPid', '0'],
    ['Uid', '10001\t10001\t10001\t10001'],
    ['Gid', '0\t0\t0\t0'],
    ['FDSize', '256'],
    ['Groups', ' '],
    ['NStgid', `${pid}\t1`],
    ['NSpid', `${pid}\t1`],
    ['NSpgid', `${pid}\t1`],
    ['NSsid', `${pid}\t1`],
    ['Kthread', '0'],
    ['VmPeak', kb(hwm * 1.6)],
    ['VmSize', kb(rss * 1.6)],
    ['VmLck', kb(0)],
    ['VmPin', kb(0)],
    ['VmHWM', kb(hwm)],
    ['VmRSS', kb(rss)],
    ['RssAnon', kb(rss * 0.93)],
    ['RssFile', kb(rss * 0.07)],
    ['RssShmem', kb(0)],
    ['VmSwap', kb(0)],
    ['Threads', String(8 + (hashString(view.pod.uid) % 40))],
    ['NoNewPrivs', '0'],
    ['Seccomp', '2'],
    ['Seccomp_filters', '1'],
    ['voluntary_ctxt_switches', String(hashString(`${pid}`) % 5000)],
    ['nonvoluntary_ctxt_switches', String(hashString(`${pid}/n`) % 500)],
  ];
  return `${fields.map(([k, v]) => `${k}:\t${v}`).join('\n')}\n`;
}

/** `/proc/PID/cgroup`: one `0::` line on v2, a line per hierarchy on v1. */
export function procCgroup(view: TargetView, version: 1 | 2): string {
  const { path } = containerCgroup(view, version);
  if (version === 2) return `0::${path}\n`;
  const hierarchies = [
    'misc',
    'rdma',
    'pids',
    'hugetlb',
    'net_cls,net_prio',
    'perf_event',
    'devices',
    'blkio',
    'memory',
    'freezer',
    'cpu,cpuacct',
    'cpuset',
  ];
  const lines = hierarchies.map(
    (controllers, i) =>
      `${hierarchies.length - i}:${controllers}:${
        controllers === 'misc' ? '/' : path
      }`,
  );
  return `${[...lines, `0::/system.slice/containerd.service`].join('\n')}\n`;
}

function v1Limit(bytes: number | undefined): string {
  return bytes === undefined ? V1_UNLIMITED : String(pageAligned(bytes));
}

function v2Limit(bytes: number | undefined): string {
  return bytes === undefined ? 'max' : String(pageAligned(bytes));
}

/**
 * The memory cgroup files of a node's pods and running containers, keyed
 * by their path below the cgroup mount. A container's cgroup exists while
 * it runs (the runtime removes it when the container exits; the next run
 * gets a fresh one); the pod's lives as long as the pod. On v2 the pod's
 * `memory.events` counts the OOM kills of every run of its containers (the
 * counters are hierarchical); on v1 `oom_kill` counts only the cgroup's own
 * kills, so a new container starts at 0.
 */
export function memoryCgroupFiles(
  pods: Array<{ pod: SimPod; views: TargetView[] }>,
  version: 1 | 2,
  ms: number,
): Record<string, string> {
  const files: Record<string, string> = {};
  const root = version === 2 ? '' : '/memory';
  if (version === 2) {
    files['/cgroup.controllers'] =
      'cpuset cpu io memory hugetlb pids rdma misc\n';
  } else {
    files['/memory/memory.use_hierarchy'] = '1\n';
  }
  for (const { pod, views } of pods) {
    const running = views.filter(v => v.running);
    const podDir = root + podCgroup(pod, version, ms);
    const limits = pod.containers.map(c => c.model.memoryLimit);
    const podLimit = limits.every(l => l !== undefined)
      ? limits.reduce((sum: number, l) => sum + l!, 0)
      : undefined;
    const kills = pod.containers.reduce(
      (sum, container) => sum + oomKills({ pod, container, ms }),
      0,
    );
    const podUsage =
      PAUSE_BYTES + running.reduce((sum, v) => sum + usage(v), 0);
    const podPeak = Math.max(
      podUsage,
      kills && podLimit !== undefined ? pageAligned(podLimit) : 0,
      PAUSE_BYTES + running.reduce((sum, v) => sum + peak(v), 0),
    );
    const write = (
      dir: string,
      facts: {
        limit?: number;
        usage: number;
        peak: number;
        kills: number;
        maxHits: number;
      },
    ) => {
      if (version === 2) {
        files[`${dir}/memory.events`] = [
          'low 0',
          'high 0',
          `max ${facts.maxHits}`,
          `oom ${facts.kills}`,
          `oom_kill ${facts.kills}`,
          'oom_group_kill 0',
        ]
          .join('\n')
          .concat('\n');
        files[`${dir}/memory.max`] = `${v2Limit(facts.limit)}\n`;
        files[`${dir}/memory.current`] = `${facts.usage}\n`;
        files[`${dir}/memory.peak`] = `${facts.peak}\n`;
      } else {
        files[`${dir}/memory.oom_control`] = [
          'oom_kill_disable 0',
          'under_oom 0',
          `oom_kill ${facts.kills}`,
        ]
          .join('\n')
          .concat('\n');
        files[`${dir}/memory.limit_in_bytes`] = `${v1Limit(facts.limit)}\n`;
        files[`${dir}/memory.usage_in_bytes`] = `${facts.usage}\n`;
        files[`${dir}/memory.max_usage_in_bytes`] = `${facts.peak}\n`;
        files[`${dir}/memory.failcnt`] = `${facts.maxHits}\n`;
      }
    };
    write(podDir, {
      limit: podLimit,
      usage: podUsage,
      peak: podPeak,
      // v1 counters are not hierarchical: the kills happen in the
      // containers' own cgroups.
      kills: version === 2 ? kills : 0,
      maxHits: version === 2 ? kills * 37 : 0,
    });
    for (const view of running) {
      const limit = view.container.model.memoryLimit;
      const current = usage(view);
      const high = peak(view);
      write(root + containerCgroup(view, version).path, {
        limit,
        usage: current,
        peak: high,
        kills: 0,
        maxHits:
          limit !== undefined && high >= limit * 0.97
            ? Math.round((view.ms - view.run.startMs) / 400)
            : 0,
      });
    }
  }
  return files;
}
