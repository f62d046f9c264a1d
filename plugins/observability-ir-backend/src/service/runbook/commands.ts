import { InputError } from '@backstage/errors';
import {
  parseMemoryQuantity,
  parseQuantity,
  RunbookCommand,
} from '@observability-ir/plugin-observability-ir-common';
import {
  escapeRegexValue,
  fieldEquals,
  isNamespaceName,
  joinShell,
  kubectlReplicaCommand,
  sh,
  ShellText,
} from '../../queries';
import { isDnsLabel } from '../../queries/kubernetesNames';

/*
 * The commands a runbook offers to run by hand. Every value goes through
 * `sh`, which single-quotes it for a POSIX shell; the fixed text around
 * the values is written here and nowhere else.
 */

/** Where a kubectl command runs: a kubeconfig context and a namespace. */
export interface KubeLocation {
  /** The cluster name, used as the kubectl context. */
  cluster: string;
  namespace: string;
}

/** A workload whose pod template a fix changes. */
export interface WorkloadLocation extends KubeLocation {
  kind: 'Deployment' | 'StatefulSet' | 'DaemonSet';
  name: string;
  container: string;
}

function shell(label: string, text: ShellText): RunbookCommand {
  return { label, language: 'shell', text: text.text };
}

/** A PromQL query, as the backend built it, for Prometheus' own UI. */
export function promqlCommand(label: string, query: string): RunbookCommand {
  return { label, language: 'promql', text: query };
}

/** A LogQL query, as the backend built it, for Grafana Explore. */
export function logqlCommand(label: string, query: string): RunbookCommand {
  return { label, language: 'logql', text: query };
}

function kubectl(at: KubeLocation): ShellText {
  if (!isNamespaceName(at.namespace)) {
    throw new InputError(
      `Invalid namespace ${JSON.stringify(
        at.namespace,
      )}: it must be a Kubernetes namespace name`,
    );
  }
  return sh`kubectl --context ${at.cluster} -n ${at.namespace}`;
}

const KIND_WORDS: Record<WorkloadLocation['kind'], ShellText> = {
  Deployment: sh`deployment`,
  StatefulSet: sh`statefulset`,
  DaemonSet: sh`daemonset`,
};

/** `deployment 'name'`: the kind and name as two arguments. */
function kindAndName(w: WorkloadLocation): ShellText {
  return sh`${KIND_WORDS[w.kind]} ${w.name}`;
}

/** `'deployment/name'` as one argument. */
function workloadRef(w: WorkloadLocation): ShellText {
  return sh`${`${KIND_WORDS[w.kind].text}/${w.name}`}`;
}

// --- Triage -----------------------------------------------------------------

/** `kubectl top pod` of the entity's pods, per container. */
export function topPods(at: KubeLocation, selector: string): RunbookCommand {
  return shell(
    `CPU and memory of each container now (${at.cluster})`,
    sh`${kubectl(at)} top pod -l ${selector} --containers`,
  );
}

/** `kubectl top node` of the nodes that run the pods. */
export function topNodes(cluster: string, nodes: string[]): RunbookCommand {
  return shell(
    `CPU and memory of the nodes (${cluster})`,
    sh`kubectl --context ${cluster} top node ${joinShell(
      nodes.map(node => sh`${node}`),
    )}`,
  );
}

// --- Replicas ---------------------------------------------------------------

/** The replica table's own command: restarts and last termination reasons. */
export function restartCounts(
  at: KubeLocation,
  selector: string,
): RunbookCommand {
  return {
    label: `Restarts and last termination reason of each pod (${at.cluster})`,
    language: 'shell',
    text: kubectlReplicaCommand({ ...at, labelSelector: selector }),
  };
}

/** Pods with their node and IP. */
export function podsWide(at: KubeLocation, selector: string): RunbookCommand {
  return shell(
    `The pods, their nodes and IPs (${at.cluster})`,
    sh`${kubectl(at)} get pods -l ${selector} -o wide`,
  );
}

/** `kubectl describe pod`: states, last termination, probes, events. */
export function describePod(at: KubeLocation, pod: string): RunbookCommand {
  return shell(
    `State, last termination and probes of ${pod}`,
    sh`${kubectl(at)} describe pod ${pod}`,
  );
}

/** The events about one pod: back-offs, probe failures, kills, evictions. */
export function podEvents(at: KubeLocation, pod: string): RunbookCommand {
  return shell(
    `Events about ${pod}`,
    sh`${kubectl(at)} get events --field-selector ${fieldEquals(
      'involvedObject.name',
      pod,
    )}`,
  );
}

/** The logs of the container's previous run (the one that ended). */
export function previousLogs(
  at: KubeLocation,
  pod: string,
  container: string,
): RunbookCommand {
  return shell(
    `Logs of the previous ${container} container of ${pod} (before its restart)`,
    sh`${kubectl(at)} logs ${pod} -c ${container} --previous --tail=200`,
  );
}

/** The error lines of the container's current run. */
export function recentErrorLines(
  at: KubeLocation,
  pod: string,
  container: string,
): RunbookCommand {
  return shell(
    `Error lines of ${pod} in the last hour`,
    sh`${kubectl(
      at,
    )} logs ${pod} -c ${container} --since=1h | grep -i -E 'error|exception|fatal|panic|oom'`,
  );
}

/** Watch the pods change as a fix rolls out. */
export function watchPods(at: KubeLocation, selector: string): RunbookCommand {
  return shell(
    `Watch the pods (${at.cluster}); Ctrl-C to stop`,
    sh`${kubectl(at)} get pods -l ${selector} -w`,
  );
}

// --- Kernel (on the node) ---------------------------------------------------

/** A root shell on a node, for the commands that follow. */
export function nodeShell(cluster: string, node: string): RunbookCommand {
  return shell(
    `A root shell on node ${node} (or ssh to it); the next commands run there`,
    sh`kubectl --context ${cluster} debug ${`node/${node}`} -it --profile=sysadmin --image=busybox:1.36 -- chroot /host sh`,
  );
}

/** Sets `CID` to the running container's id, through the CRI. */
export function findContainerId(
  namespace: string,
  pod: string,
  container: string,
): RunbookCommand {
  // crictl's --name is a regular expression: anchor it on the exact name.
  return shell(
    `The id of container ${container} of ${pod}, into CID`,
    sh`CID=$(crictl ps --name ${`^${escapeRegexValue(
      container,
    )}$`} --label ${`io.kubernetes.pod.namespace=${namespace}`} --label ${`io.kubernetes.pod.name=${pod}`} -q | head -n 1) && echo "$CID"`,
  );
}

const PID_OF_CONTAINER = new ShellText(
  `PID=$(crictl inspect --output go-template --template '{{.info.pid}}' "$CID") && echo "$PID"`,
);

/** Sets `PID` to the container's main process on the node. */
export function containerPid(): RunbookCommand {
  return shell('Its main process on the node, into PID', PID_OF_CONTAINER);
}

/** Listening TCP sockets inside the pod's network namespace. */
export function listeningSockets(): RunbookCommand {
  return shell(
    "What listens inside the pod's network namespace",
    new ShellText('nsenter -t "$PID" -n ss -ltnp'),
  );
}

/** Interfaces and addresses inside the pod's network namespace. */
export function podInterfaces(): RunbookCommand {
  return shell(
    "The pod's interfaces and addresses (is eth0 UP, with an address?)",
    new ShellText('nsenter -t "$PID" -n ip addr'),
  );
}

/** The memory cgroup of the process under cgroup v2. */
export function cgroupV2Memory(): RunbookCommand {
  return shell(
    'Memory cgroup, v2: the limit, the peak and the OOM kills (oom_kill in memory.events)',
    new ShellText(
      `CG=/sys/fs/cgroup$(awk -F: '$1 == "0" {print $3}' /proc/"$PID"/cgroup) && cat "$CG/memory.max" "$CG/memory.peak" "$CG/memory.events"`,
    ),
  );
}

/** The memory cgroup of the process under cgroup v1. */
export function cgroupV1Memory(): RunbookCommand {
  return shell(
    'Memory cgroup, v1: the limit, the peak usage and how often it hit the limit',
    new ShellText(
      `CG=/sys/fs/cgroup/memory$(awk -F: '$2 ~ /(^|,)memory(,|$)/ {print $3}' /proc/"$PID"/cgroup) && cat "$CG/memory.limit_in_bytes" "$CG/memory.max_usage_in_bytes" "$CG/memory.failcnt"`,
    ),
  );
}

/** The kernel's own record of OOM kills on the node. */
export function kernelOomLog(): RunbookCommand {
  return shell(
    "The kernel's OOM-killer messages on the node",
    new ShellText(`dmesg -T | grep -i -e oom -e 'killed process'`),
  );
}

// --- Fixes ------------------------------------------------------------------

function containerPatch(
  container: string,
  fields: Record<string, unknown>,
): string {
  return JSON.stringify({
    spec: {
      template: { spec: { containers: [{ name: container, ...fields }] } },
    },
  });
}

function assertMemoryQuantity(quantity: string): void {
  try {
    parseMemoryQuantity(quantity);
  } catch {
    throw new InputError(`Invalid memory quantity ${JSON.stringify(quantity)}`);
  }
}

/** The container's resources as the workload's spec holds them. */
export function workloadResources(w: WorkloadLocation): RunbookCommand {
  return shell(
    `Requests and limits in the ${w.kind} spec`,
    sh`${kubectl(w)} get ${kindAndName(
      w,
    )} -o jsonpath=${'{range .spec.template.spec.containers[*]}{.name}{": "}{.resources}{"\\n"}{end}'}`,
  );
}

/**
 * The command line and environment of one container in the workload's
 * spec: where a runtime's own memory cap is set (`JAVA_TOOL_OPTIONS=-Xmx…`,
 * `NODE_OPTIONS=--max-old-space-size=…`, `DOTNET_GCHeapHardLimit`, the
 * entrypoint's `ulimit -v`).
 *
 * @throws InputError when the container name is not a DNS label: it is
 * written into the JSONPath filter, in double quotes.
 */
export function containerCommandAndEnv(w: WorkloadLocation): RunbookCommand {
  if (!isDnsLabel(w.container)) {
    throw new InputError(
      `Invalid container name ${JSON.stringify(
        w.container,
      )}: it must be a Kubernetes container name`,
    );
  }
  return shell(
    `Command, args and env of ${w.container} in the ${w.kind} spec: where its runtime's memory cap is set`,
    sh`${kubectl(w)} get ${kindAndName(
      w,
    )} -o jsonpath=${`{range .spec.template.spec.containers[?(@.name=="${w.container}")]}{"command: "}{.command}{"\\nargs: "}{.args}{"\\nenv: "}{.env}{"\\n"}{end}`}`,
  );
}

/** Sets the container's memory limit with a strategic-merge patch. */
export function patchMemoryLimit(
  w: WorkloadLocation,
  limit: string,
): RunbookCommand {
  assertMemoryQuantity(limit);
  return shell(
    `Set limits.memory of ${w.container} to ${limit} (strategic-merge patch; rolls out new pods)`,
    sh`${kubectl(w)} patch ${kindAndName(
      w,
    )} --type strategic -p ${containerPatch(w.container, {
      resources: { limits: { memory: limit } },
    })}`,
  );
}

/** The same change with `kubectl set resources`. */
export function setMemoryLimit(
  w: WorkloadLocation,
  limit: string,
): RunbookCommand {
  assertMemoryQuantity(limit);
  return shell(
    `Or the same with kubectl set resources`,
    sh`${kubectl(w)} set resources ${workloadRef(w)} -c ${
      w.container
    } --limits=memory=${limit}`,
  );
}

/** Waits until the new pods of a change are rolled out. */
export function rolloutStatus(w: WorkloadLocation): RunbookCommand {
  return shell(
    `Wait for the rollout of ${w.name}`,
    sh`${kubectl(w)} rollout status ${workloadRef(w)} --timeout=10m`,
  );
}

/** The revisions of the workload, to pick one to roll back to. */
export function rolloutHistory(w: WorkloadLocation): RunbookCommand {
  return shell(
    `The revisions of ${w.name}`,
    sh`${kubectl(w)} rollout history ${workloadRef(w)}`,
  );
}

/** Rolls the workload back to its previous revision. */
export function rolloutUndo(w: WorkloadLocation): RunbookCommand {
  return shell(
    `Roll ${w.name} back to its previous revision`,
    sh`${kubectl(w)} rollout undo ${workloadRef(w)}`,
  );
}

/** Sets the container's CPU limit. */
export function setCpuLimit(
  w: WorkloadLocation,
  cores: number,
): RunbookCommand {
  const millicores = Math.ceil(cores * 1000);
  const quantity = `${millicores}m`;
  parseQuantity(quantity);
  return shell(
    `Raise limits.cpu of ${w.container} to ${quantity}`,
    sh`${kubectl(w)} set resources ${workloadRef(w)} -c ${
      w.container
    } --limits=cpu=${quantity}`,
  );
}

/** Removes the container's CPU limit (a strategic-merge `null` deletes it). */
export function removeCpuLimit(w: WorkloadLocation): RunbookCommand {
  return shell(
    `Or remove limits.cpu of ${w.container} (keep requests.cpu)`,
    sh`${kubectl(w)} patch ${kindAndName(
      w,
    )} --type strategic -p ${containerPatch(w.container, {
      resources: { limits: { cpu: null } },
    })}`,
  );
}

/** Sets requests.memory to the limit: the pods become Guaranteed. */
export function setMemoryRequestToLimit(
  w: WorkloadLocation,
  limit: string,
): RunbookCommand {
  assertMemoryQuantity(limit);
  return shell(
    `Set requests.memory of ${w.container} to its limit ${limit}, so its pods are evicted last`,
    sh`${kubectl(w)} set resources ${workloadRef(w)} -c ${
      w.container
    } --requests=memory=${limit}`,
  );
}

/** The probes and ports of every container of the workload. */
export function probeConfig(w: WorkloadLocation): RunbookCommand {
  return shell(
    `Probes and ports in the ${w.kind} spec`,
    sh`${kubectl(w)} get ${kindAndName(
      w,
    )} -o jsonpath=${'{range .spec.template.spec.containers[*]}{.name}{"\\n  ports: "}{.ports}{"\\n  liveness: "}{.livenessProbe}{"\\n  readiness: "}{.readinessProbe}{"\\n  startup: "}{.startupProbe}{"\\n"}{end}'}`,
  );
}

/** Points one probe at another port, keeping its path and timings. */
export function patchProbePort(
  w: WorkloadLocation,
  probe: 'liveness' | 'readiness' | 'startup',
  handler: 'httpGet' | 'tcpSocket',
  port: number,
): RunbookCommand {
  if (!Number.isInteger(port) || port < 1 || port > 65535) {
    throw new InputError(`Invalid port ${port}`);
  }
  return shell(
    `Point the ${probe} probe of ${w.container} at port ${port}`,
    sh`${kubectl(w)} patch ${kindAndName(
      w,
    )} --type strategic -p ${containerPatch(w.container, {
      [`${probe}Probe`]: { [handler]: { port } },
    })}`,
  );
}

// --- Memory leak: what the process holds ------------------------------------

/** Resident memory of the container's main process, any runtime. */
export function processMemory(
  at: KubeLocation,
  pod: string,
  container: string,
): RunbookCommand {
  return shell(
    `Resident memory of the main process of ${pod} now and at its peak (any runtime)`,
    sh`${kubectl(
      at,
    )} exec ${pod} -c ${container} -- grep -E '^(VmRSS|VmHWM|RssAnon|RssFile)' /proc/1/status`,
  );
}

/** Where the main process' memory is: heap, stacks, mapped files. */
export function processMemoryMaps(
  at: KubeLocation,
  pod: string,
  container: string,
): RunbookCommand {
  return shell(
    `Memory of the main process by kind of mapping (any runtime)`,
    sh`${kubectl(at)} exec ${pod} -c ${container} -- cat /proc/1/smaps_rollup`,
  );
}

/** A heap dump of a JVM, copied out of the pod. */
export function jvmHeapDump(
  at: KubeLocation,
  pod: string,
  container: string,
): RunbookCommand[] {
  return [
    shell(
      `JVM: a heap dump of ${pod}`,
      sh`${kubectl(
        at,
      )} exec ${pod} -c ${container} -- jcmd 1 GC.heap_dump /tmp/heap.hprof`,
    ),
    shell(
      'JVM: copy the heap dump out, to open in Eclipse MAT or VisualVM',
      sh`${kubectl(
        at,
      )} cp ${`${pod}:/tmp/heap.hprof`} ./heap.hprof -c ${container}`,
    ),
  ];
}

/** A heap snapshot of Node.js started with `--heapsnapshot-signal`. */
export function nodeJsHeapSnapshot(
  at: KubeLocation,
  pod: string,
  container: string,
): RunbookCommand {
  return shell(
    'Node.js started with --heapsnapshot-signal=SIGUSR2: write a .heapsnapshot in its working directory',
    sh`${kubectl(at)} exec ${pod} -c ${container} -- kill -USR2 1`,
  );
}

/** A heap profile of a Go program that serves net/http/pprof on 6060. */
export function goHeapProfile(at: KubeLocation, pod: string): RunbookCommand[] {
  return [
    shell(
      'Go with net/http/pprof on port 6060: forward the port',
      sh`${kubectl(at)} port-forward ${`pod/${pod}`} 6060:6060`,
    ),
    shell(
      'Go: the allocations that are still held, largest first',
      new ShellText(
        'go tool pprof -top http://localhost:6060/debug/pprof/heap',
      ),
    ),
  ];
}

// --- Network ----------------------------------------------------------------

/** The Services of the namespace and their selectors. */
export function services(at: KubeLocation): RunbookCommand {
  return shell(
    `Services of ${at.namespace} and the pods they select`,
    sh`${kubectl(at)} get services -o wide`,
  );
}

/** Which pod addresses each Service sends traffic to. */
export function endpoints(at: KubeLocation): RunbookCommand {
  return shell(
    'Endpoints: the ready pod addresses behind each Service',
    sh`${kubectl(at)} get endpoints -o wide`,
  );
}

/** The NetworkPolicies of the namespace. */
export function networkPolicies(at: KubeLocation): RunbookCommand[] {
  return [
    shell(
      `NetworkPolicies in ${at.namespace}`,
      sh`${kubectl(at)} get networkpolicy`,
    ),
    shell(
      'What each NetworkPolicy allows, and which pods it selects',
      sh`${kubectl(at)} describe networkpolicy`,
    ),
  ];
}

/** The pods on a node outside the namespace: the CNI's among them. */
export function podsOnNode(cluster: string, node: string): RunbookCommand {
  return shell(
    `Every pod on ${node}: the CNI's and what fills the node`,
    sh`kubectl --context ${cluster} get pods -A -o wide --field-selector ${fieldEquals(
      'spec.nodeName',
      node,
    )}`,
  );
}

// --- Nodes ------------------------------------------------------------------

/** A node's conditions, capacity and the pods on it. */
export function describeNode(cluster: string, node: string): RunbookCommand {
  return shell(
    `Conditions, allocatable memory and pods of ${node}`,
    sh`kubectl --context ${cluster} describe node ${node}`,
  );
}

/** Stops new pods from being scheduled on a node. */
export function cordonNode(cluster: string, node: string): RunbookCommand {
  return shell(
    `Stop scheduling new pods on ${node}`,
    sh`kubectl --context ${cluster} cordon ${node}`,
  );
}

/** Moves the pods off a node. */
export function drainNode(cluster: string, node: string): RunbookCommand {
  return shell(
    `Move the pods off ${node} (they are recreated elsewhere)`,
    sh`kubectl --context ${cluster} drain ${node} --ignore-daemonsets --delete-emptydir-data`,
  );
}

/** The kind and name of the controller that owns a pod. */
export function podOwner(at: KubeLocation, pod: string): RunbookCommand {
  return shell(
    `The workload that owns ${pod}`,
    sh`${kubectl(
      at,
    )} get pod ${pod} -o jsonpath=${'{.metadata.ownerReferences[0].kind}/{.metadata.ownerReferences[0].name}{"\\n"}'}`,
  );
}
