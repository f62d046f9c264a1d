import { SimContainer, SimPod } from '../world/cluster';
import { containerId } from '../kubernetes/podStatus';
import { hashString } from '../util/random';

/** What the node sees of the target container at one moment. */
export interface TargetView {
  pod: SimPod;
  container: SimContainer;
  ms: number;
}

function state(view: TargetView) {
  const moment = view.container.timeline.at(view.ms);
  const running = Boolean(moment?.running);
  const listening =
    running &&
    moment !== undefined &&
    view.container.model.listensAfter(moment.run.index) !== undefined &&
    view.ms - moment.run.startMs >=
      view.container.model.listensAfter(moment.run.index)!;
  return { moment, running, listening };
}

/** The host PID of the container's main process, stable per run. */
export function hostPid(view: TargetView): number | undefined {
  const { moment, running } = state(view);
  return running && moment
    ? 20_000 + (hashString(`${view.pod.uid}/${moment.run.index}`) % 40_000)
    : undefined;
}

function ago(ms: number) {
  const s = Math.floor(ms / 1000);
  if (s < 60) return `${s} seconds ago`;
  if (s < 3600) return `${Math.floor(s / 60)} minutes ago`;
  return `${Math.floor(s / 3600)} hours ago`;
}

/** `crictl ps [--name x] [-q]` output. */
export function crictlPs(view: TargetView, quiet: boolean): string {
  const { moment, running } = state(view);
  if (!running || !moment) {
    return quiet
      ? ''
      : 'CONTAINER           IMAGE               CREATED             STATE               NAME                ATTEMPT             POD ID              POD                 NAMESPACE\n';
  }
  const id = containerId(view.pod, view.container.model.name, moment.run);
  if (quiet) {
    return `${id}\n`;
  }
  const podId =
    hashString(view.pod.uid).toString(16).padStart(8, '0') +
    hashString(`${view.pod.uid}/sandbox`).toString(16).padStart(8, '0');
  const image = hashString(view.container.model.image)
    .toString(16)
    .padStart(8, '0')
    .repeat(2)
    .slice(0, 13);
  const cols = [
    id.slice(0, 13),
    image,
    ago(view.ms - moment.run.startMs),
    'Running',
    view.container.model.name,
    String(moment.run.index),
    podId.slice(0, 13),
    view.pod.name,
    view.pod.namespace,
  ];
  const header = [
    'CONTAINER',
    'IMAGE',
    'CREATED',
    'STATE',
    'NAME',
    'ATTEMPT',
    'POD ID',
    'POD',
    'NAMESPACE',
  ];
  const pad = (values: string[]) =>
    values
      .map((v, i) =>
        i === values.length - 1 ? v : v.padEnd(Math.max(20, v.length + 3)),
      )
      .join('');
  return `${pad(header)}\n${pad(cols)}\n`;
}

/** `crictl inspect <id>` output (JSON), or the error crictl prints. */
export function crictlInspect(view: TargetView): { out: string; ok: boolean } {
  const { moment, running } = state(view);
  if (!running || !moment) {
    return {
      out: 'E1125 getting the status of the container: rpc error: code = NotFound desc = an error occurred when try to find container: not found\n',
      ok: false,
    };
  }
  const m = view.container.model;
  const id = containerId(view.pod, m.name, moment.run);
  const started = new Date(moment.run.startMs)
    .toISOString()
    .replace('Z', '123456789Z')
    .replace(/\.\d{3}/, '.');
  const doc = {
    status: {
      id,
      metadata: { attempt: moment.run.index, name: m.name },
      state: 'CONTAINER_RUNNING',
      createdAt: started,
      startedAt: started,
      finishedAt: '0001-01-01T00:00:00Z',
      exitCode: 0,
      image: {
        annotations: {},
        image: m.image,
        runtimeHandler: '',
        userSpecifiedImage: '',
      },
      imageRef: `${m.image.split(':')[0]}@sha256:${hashString(m.image)
        .toString(16)
        .padStart(8, '0')
        .repeat(8)}`,
      reason: '',
      message: '',
      labels: {
        'io.kubernetes.container.name': m.name,
        'io.kubernetes.pod.name': view.pod.name,
        'io.kubernetes.pod.namespace': view.pod.namespace,
        'io.kubernetes.pod.uid': view.pod.uid,
      },
      logPath: `/var/log/pods/${view.pod.namespace}_${view.pod.name}_${view.pod.uid}/${m.name}/${moment.run.index}.log`,
      resources: {
        linux: {
          cpuPeriod: '100000',
          cpuQuota:
            m.cpuLimit !== undefined
              ? String(Math.round(m.cpuLimit * 100000))
              : '0',
          cpuShares: String(
            Math.max(2, Math.round((m.cpuRequest ?? 0) * 1024)),
          ),
          memoryLimitInBytes: String(m.memoryLimit ?? 0),
          oomScoreAdj: '968',
        },
      },
    },
    info: {
      sandboxID: hashString(view.pod.uid)
        .toString(16)
        .padStart(8, '0')
        .repeat(8),
      pid: hostPid(view),
      removing: false,
      snapshotKey: id,
      snapshotter: 'overlayfs',
      runtimeType: 'io.containerd.runc.v2',
      runtimeOptions: { systemd_cgroup: true },
    },
  };
  return { out: `${JSON.stringify(doc, null, 2)}\n`, ok: true };
}

function mac(seed: string) {
  const h =
    hashString(seed).toString(16).padStart(8, '0') +
    hashString(`${seed}/2`).toString(16).padStart(8, '0');
  return [
    '3a',
    h.slice(0, 2),
    h.slice(2, 4),
    h.slice(4, 6),
    h.slice(6, 8),
    h.slice(8, 10),
  ].join(':');
}

/** `ip addr` inside the pod's network namespace. */
export function ipAddr(view: TargetView): string {
  const unreachable =
    view.container.model.behavior.type === 'steady' &&
    view.container.model.behavior.networkUnreachable;
  const ip = view.pod.podIP;
  const brd = ip.replace(/\.\d+$/, '.255');
  const flags = unreachable
    ? '<NO-CARRIER,BROADCAST,MULTICAST,UP>'
    : '<BROADCAST,MULTICAST,UP,LOWER_UP>';
  const linkState = unreachable ? 'LOWERLAYERDOWN' : 'UP';
  const ifIndex = 10 + (hashString(view.pod.uid) % 40);
  return [
    '1: lo: <LOOPBACK,UP,LOWER_UP> mtu 65536 qdisc noqueue state UNKNOWN group default qlen 1000',
    '    link/loopback 00:00:00:00:00:00 brd 00:00:00:00:00:00',
    '    inet 127.0.0.1/8 scope host lo',
    '       valid_lft forever preferred_lft forever',
    '    inet6 ::1/128 scope host',
    '       valid_lft forever preferred_lft forever',
    `2: eth0@if${ifIndex}: ${flags} mtu 1450 qdisc noqueue state ${linkState} group default qlen 1000`,
    `    link/ether ${mac(view.pod.uid)} brd ff:ff:ff:ff:ff:ff link-netnsid 0`,
    `    inet ${ip}/24 brd ${brd} scope global eth0`,
    '       valid_lft forever preferred_lft forever',
    '',
  ].join('\n');
}

function listeners(view: TargetView) {
  const { listening } = state(view);
  const pid = hostPid(view);
  return listening && pid
    ? view.container.model.listenPorts.map(port => ({ port, pid }))
    : [];
}

/** `netstat -plnt` inside the pod's network namespace. */
export function netstat(view: TargetView): string {
  const lines = [
    'Active Internet connections (only servers)',
    'Proto Recv-Q Send-Q Local Address           Foreign Address         State       PID/Program name    ',
  ];
  for (const l of listeners(view)) {
    lines.push(
      `tcp6       0      0 ${`:::${l.port}`.padEnd(24)}${':::*'.padEnd(
        24,
      )}LISTEN      ${`${l.pid}/java`.padEnd(20)}`,
    );
  }
  return `${lines.join('\n')}\n`;
}

/** `ss -ltnp` inside the pod's network namespace. */
export function ss(view: TargetView): string {
  const lines = [
    'State  Recv-Q Send-Q Local Address:Port  Peer Address:PortProcess',
  ];
  for (const l of listeners(view)) {
    lines.push(
      `LISTEN 0      100                 *:${l.port}             *:*    users:(("java",pid=${l.pid},fd=12))`,
    );
  }
  return `${lines.join('\n')}\n`;
}

/**
 * Runs a forensics shell script against the node's view of the target:
 * each recognised command prints what the real tool would.
 */
export function runScript(
  script: string,
  view: TargetView,
): { output: string; exitCode: number } {
  let output = '';
  const statements = script
    .split(/\n|;|&&/)
    .map(s => s.trim())
    .filter(Boolean);
  for (const statement of statements) {
    const echo = /^echo\s+(?:-e\s+)?(["']?)(.*)\1$/.exec(statement);
    if (echo) {
      output += `${echo[2].replace(/\\n/g, '\n').replace(/\\t/g, '\t')}\n`;
    } else if (/\bcrictl\s+(ps|ls)\b/.test(statement)) {
      output += crictlPs(view, /\s-q\b|--quiet/.test(statement));
    } else if (/\bcrictl\s+inspect\b/.test(statement)) {
      const result = crictlInspect(view);
      if (!result.ok) {
        return { output: output + result.out, exitCode: 1 };
      }
      output += /jq\s+(-r\s+)?['"]?\.info\.pid/.test(statement)
        ? `${hostPid(view)}\n`
        : result.out;
    } else if (/\bip\s+(-\w+\s+)*(addr|a|address)\b/.test(statement)) {
      output += ipAddr(view);
    } else if (/\bnetstat\b/.test(statement)) {
      output += netstat(view);
    } else if (/\bss\s+-\w*l/.test(statement)) {
      output += ss(view);
    }
  }
  return { output, exitCode: 0 };
}
