import { z } from 'zod';

/*
 * Node forensics: one run of the node-forensics script in a Job pinned to a
 * pod's node, what it found and what that means. The backend parses the
 * script's output into these types; the Incident tab shows them.
 */

/**
 * One address of an interface, as `ip addr` prints it.
 *
 * @public
 */
export interface InterfaceAddress {
  family: 'inet' | 'inet6';
  address: string;
  prefixLength: number;
  scope?: string;
}

/**
 * One network interface of `ip addr` (iproute2 or busybox).
 *
 * @public
 */
export interface NetworkInterface {
  index: number;
  name: string;
  flags: string[];
  /** `operstate` when printed (iproute2): `UP`, `DOWN`, `UNKNOWN`, ... */
  state?: string;
  mtu?: number;
  loopback: boolean;
  /** Administratively up with a carrier (`UP` and `LOWER_UP`). */
  up: boolean;
  addresses: InterfaceAddress[];
}

/**
 * A process that owns a listening socket.
 *
 * @public
 */
export interface SocketOwner {
  name: string;
  pid: number;
}

/**
 * A listening TCP socket, from `ss -ltnp` or `netstat -plnt`.
 *
 * @public
 */
export interface ListeningSocket {
  /** The local address as printed: `*`, `0.0.0.0`, `::`, `127.0.0.1`, ... */
  address: string;
  port: number;
  /** Bound to a loopback address only: unreachable from outside the pod. */
  loopbackOnly: boolean;
  owners: SocketOwner[];
}

/**
 * The facts of `/proc/PID/status` that matter for a verdict.
 *
 * @public
 */
export interface ProcessStatus {
  name?: string;
  /** `S (sleeping)`, `R (running)`, `Z (zombie)`, ... */
  state?: string;
  pid?: number;
  parentPid?: number;
  threads?: number;
  /** Resident memory now (VmRSS) and at its peak (VmHWM), in bytes. */
  residentBytes?: number;
  peakResidentBytes?: number;
  virtualBytes?: number;
  swapBytes?: number;
  /** Every `Key: value` line, as printed. */
  fields: Record<string, string>;
}

/**
 * A container as `crictl inspect` describes it.
 *
 * @public
 */
export interface CrictlContainer {
  id: string;
  name?: string;
  /** `CONTAINER_RUNNING`, `CONTAINER_EXITED`, `CONTAINER_CREATED`, ... */
  state?: string;
  /** `info.pid`; 0 or absent when the container does not run. */
  pid?: number;
  exitCode?: number;
  /** `OOMKilled`, `Error`, `Completed`, ... */
  reason?: string;
  startedAt?: string;
  finishedAt?: string;
  restartCount?: number;
  memoryLimitBytes?: number;
  cgroupsPath?: string;
  podUid?: string;
}

/**
 * One section of the node-forensics script's output.
 *
 * @public
 */
export interface ForensicsSection {
  /** `ip-addr`, `ss-ltnp`, `cgroup/container/memory.events`, ... */
  name: string;
  /** The command line the script ran (the `$ ...` line), when it ran one. */
  command?: string;
  /** The section's text, the command line left out. */
  body: string;
  /** The exit status, or `undefined` when the section was cut off. */
  exitStatus?: number;
}

/**
 * What the memory cgroup of the container or of its pod recorded.
 *
 * @public
 */
export interface MemoryCgroupFacts {
  path: string;
  /** OOM kills (v1 `memory.oom_control` oom_kill, v2 `memory.events` oom_kill). */
  oomKills?: number;
  /** The limit in bytes; `null` when unlimited. */
  limitBytes?: number | null;
  usageBytes?: number;
  peakUsageBytes?: number;
}

/**
 * How the script found the container, and its PID.
 *
 * @public
 */
export interface ForensicsTarget {
  containerId?: string;
  foundBy?: 'crictl' | 'ctr' | 'proc';
  /** The PID of a live process of the container; absent when none runs. */
  pid?: number;
  /** `running`, `exited`, `created`, `stopped`, `unknown`. */
  state?: string;
  note?: string;
}

/**
 * The facts parsed from one run of the node-forensics script.
 *
 * @public
 */
export interface ForensicsFindings {
  formatVersion?: number;
  /** The script ran to its end. */
  complete: boolean;
  node?: string;
  target: ForensicsTarget;
  /** `crictl inspect`, when crictl answered. */
  container?: CrictlContainer;
  /** `ip addr` inside the pod's network namespace; absent when not run. */
  interfaces?: NetworkInterface[];
  /** Listening TCP sockets inside the namespace; absent when not run. */
  listening?: ListeningSocket[];
  listeningFrom?: 'ss' | 'netstat';
  process?: ProcessStatus;
  cgroup: {
    version?: 1 | 2;
    container?: MemoryCgroupFacts;
    pod?: MemoryCgroupFacts;
  };
  /** Sections whose command exited non-zero (or was cut off). */
  failedSections: Array<{
    name: string;
    exitStatus?: number;
    command?: string;
  }>;
}

/**
 * What the node says about the container, in one word.
 *
 * @public
 */
export type ForensicsVerdictKind =
  /** Nothing listens on the expected ports and the cgroup recorded OOM kills. */
  | 'oom-before-ready'
  /** Nothing listens at all, and no OOM kill explains it. */
  | 'not-listening'
  /** It listens, but on other ports than the expected ones. */
  | 'wrong-port'
  /** Some expected ports listen, others do not. */
  | 'missing-port'
  /** It listens on the expected port, on a loopback address only. */
  | 'loopback-only'
  /** The pod's interface is down. */
  | 'interface-down'
  /** The namespace has no address besides loopback. */
  | 'no-address'
  /** It listens where expected and the interface is up. */
  | 'listening'
  /** The container was found but no process of it runs. */
  | 'pid-not-found'
  /** The runtime knows no such container. */
  | 'container-not-found'
  /** The script could not look inside the namespace. */
  | 'inconclusive';

/**
 * The verdict: a kind and one sentence with the numbers.
 *
 * @public
 */
export interface ForensicsVerdict {
  kind: ForensicsVerdictKind;
  sentence: string;
  expectedPorts: number[];
  /** Ports with a socket listening inside the namespace (any address). */
  listeningPorts: number[];
  /** The larger of the container's and the pod's OOM-kill counts. */
  oomKills?: number;
  memoryLimitBytes?: number;
}

/**
 * Where the pod spec (or a Service) says a port is used.
 *
 * @public
 */
export type PortUse =
  | 'container port'
  | 'readiness probe'
  | 'liveness probe'
  | 'startup probe'
  | 'Service';

/**
 * A TCP port the app is expected to listen on, and who expects it.
 *
 * @public
 */
export interface ExpectedPort {
  port: number;
  uses: PortUse[];
}

/**
 * One run of the node-forensics script, parsed: what the Job's log said
 * (sections), what that means (findings) and the verdict. This is what a
 * run stores and what the diagnosis reads as evidence.
 *
 * @public
 */
export interface ForensicsReport {
  formatVersion?: number;
  /** The script ran to its end (its log was not cut off). */
  complete: boolean;
  sections: ForensicsSection[];
  findings: ForensicsFindings;
  verdict: ForensicsVerdict;
}

/**
 * The path of the forensics endpoints, relative to the plugin's base URL:
 * `POST` starts a run, `GET ?entityRef=` lists an entity's runs and
 * `GET /{id}` reads one.
 *
 * @public
 */
export const FORENSICS_PATH = '/v1/forensics';

/**
 * What the browser sends to start a run: the entity and one of its pods as
 * the server lists them. Never a node, a container id, an image or a command.
 *
 * @public
 */
export const forensicsRequestSchema = z
  .object({
    entityRef: z.string().min(1).max(512),
    cluster: z.string().min(1).max(253),
    namespace: z.string().min(1).max(63),
    pod: z.string().min(1).max(253),
    /** Defaults to the pod's first container. */
    container: z.string().min(1).max(63).optional(),
  })
  .strict();

/**
 * A parsed {@link forensicsRequestSchema}.
 *
 * @public
 */
export type ForensicsRequest = z.infer<typeof forensicsRequestSchema>;

/**
 * Where a run is: created (`pending`), its Job's pod started (`running`),
 * its output read and parsed (`succeeded`), or ended without a report
 * (`failed`, with the reason).
 *
 * @public
 */
export const FORENSICS_RUN_STATUSES = [
  'pending',
  'running',
  'succeeded',
  'failed',
] as const;

/**
 * One of {@link FORENSICS_RUN_STATUSES}.
 *
 * @public
 */
export type ForensicsRunStatus = (typeof FORENSICS_RUN_STATUSES)[number];

/**
 * The query of `GET /v1/forensics?entityRef=`: an entity's runs.
 *
 * @public
 */
export const forensicsListQuerySchema = z
  .object({ entityRef: z.string().min(1).max(512) })
  .strict();

/**
 * The query of `GET /v1/forensics/{id}`. With `waitForChangeAfter`, the
 * backend answers once the run's status is another one than that (or after
 * a while, unchanged), so a browser following a run needs no timed polling.
 *
 * @public
 */
export const forensicsReadQuerySchema = z
  .object({
    waitForChangeAfter: z.enum(FORENSICS_RUN_STATUSES).optional(),
  })
  .strict();

/**
 * A parsed {@link forensicsReadQuerySchema}.
 *
 * @public
 */
export type ForensicsReadQuery = z.infer<typeof forensicsReadQuerySchema>;

/**
 * One run of node forensics, as the endpoints answer it.
 *
 * @public
 */
export interface ForensicsRun {
  id: string;
  status: ForensicsRunStatus;
  entityRef: string;
  cluster: string;
  namespace: string;
  pod: string;
  container: string;
  /** The node the pod ran on, where the Job ran. */
  node?: string;
  /** Who asked for it, as a user entity ref. */
  requestedBy: string;
  /** RFC 3339. */
  createdAt: string;
  startedAt?: string;
  finishedAt?: string;
  /** Why a run failed, in one sentence. */
  reason?: string;
  /** The parsed output, once the run succeeded. */
  report?: ForensicsReport;
  /** The script's output, capped in size. */
  rawOutput?: string;
  /** The raw output was longer than what is kept. */
  rawOutputTruncated?: boolean;
}

/**
 * The answer of `GET /v1/forensics?entityRef=`: the entity's runs, newest
 * first.
 *
 * @public
 */
export interface ForensicsRunsResponse {
  entityRef: string;
  runs: ForensicsRun[];
  /**
   * Set when node forensics is off on this Backstage: why, in one sentence
   * for the user. `runs` is then empty and starting a run answers 503.
   */
  disabled?: string;
}
