/*
 * What a node-forensics run does, in the words the confirmation dialog and
 * the README use. Each privilege names the field of the Job spec it stands
 * for, as the backend plugin's README documents it ("Node forensics").
 */

/**
 * One privilege (or its absence) of the forensics Job, in plain words.
 */
export interface ForensicsPrivilege {
  /** What it means, in one sentence. */
  sentence: string;
  /** The field of the Job spec, as written in the backend's README. */
  field: string;
}

/** The Job's privileges, in the order the dialog lists them. */
export const FORENSICS_PRIVILEGES: readonly ForensicsPrivilege[] = [
  {
    sentence:
      "Runs on the pod's node and shares the node's process ID namespace, so it sees the container's processes.",
    field: 'hostPID: true',
  },
  {
    sentence:
      'Holds only the SYS_ADMIN and SYS_PTRACE capabilities (every other one dropped), to enter the network namespace and read the process status.',
    field: 'capabilities: drop [ALL], add [SYS_ADMIN, SYS_PTRACE]',
  },
  {
    sentence:
      "Mounts the container runtime's socket and the node's cgroup tree read-only.",
    field: 'CRI socket, read-only',
  },
  {
    sentence: "Does not use the node's network: no host network, no host IPC.",
    field: 'hostNetwork: false',
  },
  {
    sentence:
      'Gets no service account token: the Job never calls the Kubernetes API.',
    field: 'automountServiceAccountToken: false',
  },
  {
    sentence:
      'Cannot gain more privileges, runs from a read-only image with the runtime default seccomp filter, once, and is stopped at its deadline (2 minutes by default).',
    field: 'activeDeadlineSeconds',
  },
];

/** The privileges when the operator opted in to a privileged Job instead. */
export const FORENSICS_PRIVILEGED_NOTE =
  'Where the operator set observabilityIr.forensics.privileged, the container is privileged instead of holding the two capabilities.';

/**
 * One command or read of the script, for the pod and container it looks at.
 */
export interface ForensicsStep {
  /** The command line or the files read. */
  command: string;
  /** Why, in a few words. */
  purpose: string;
}

/**
 * What the fixed script runs, in order; `PID` is the container's process
 * as the runtime reports it.
 */
export function forensicsSteps(target: { container: string }): ForensicsStep[] {
  return [
    {
      command: `crictl ps --name '^${target.container}$' --label io.kubernetes.pod.uid=<pod UID> -q`,
      purpose:
        'finds the container (falling back to ctr -n k8s.io, then /proc/*/cgroup)',
    },
    {
      command: 'crictl inspect <container id>',
      purpose: "reads the container's PID (info.pid)",
    },
    {
      command: 'nsenter -t PID -n -- ip addr',
      purpose: "lists the interfaces of the pod's network namespace",
    },
    {
      command: 'nsenter -t PID -n -- ss -ltnp',
      purpose: 'lists the listening TCP sockets there (or netstat -plnt)',
    },
    {
      command: 'cat /proc/PID/status /proc/PID/cgroup',
      purpose: "reads the process's state and memory",
    },
    {
      command:
        'memory.events, memory.max, memory.current (cgroup v2) or memory.oom_control, memory.limit_in_bytes (v1)',
      purpose: "reads the memory cgroup's OOM kills and limit",
    },
  ];
}
