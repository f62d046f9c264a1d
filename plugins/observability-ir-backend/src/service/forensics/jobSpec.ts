import { createHash } from 'node:crypto';
import { InputError } from '@backstage/errors';
import type {
  V1Container,
  V1Job,
  V1SecurityContext,
  V1Volume,
  V1VolumeMount,
} from '@kubernetes/client-node';
import { ForensicsSettings } from '../../config/readForensicsConfig';
import { describeValue } from '../../queries/describe';
import { isDnsLabel, isDnsSubdomain } from '../../queries/kubernetesNames';
import type { ExpectedPort, PortUse } from './expectedPorts';

/** The container a forensics Job looks at, as the server read it. */
export interface ForensicsJobTarget {
  /** The cluster's name, as its locator gives it. */
  cluster: string;
  namespace: string;
  podName: string;
  /** The pod's `metadata.uid`. */
  podUid: string;
  /** The pod's `spec.nodeName`: the Job runs there. */
  nodeName: string;
  containerName: string;
  /**
   * `status.containerStatuses[].containerID`, e.g. `containerd://<hex>`;
   * absent before the container first started (the script then finds it by
   * name and pod UID).
   */
  containerId?: string;
  /** The ports the pod spec (and Services) expect, for the verdict. */
  expectedPorts: ExpectedPort[];
  /** The entity the pod belongs to, `kind:namespace/name`. */
  entityRef: string;
  /** Who asked, `user:namespace/name`. */
  requestedBy: string;
}

/** Where the image keeps the node-forensics script. */
export const FORENSICS_SCRIPT_IN_IMAGE =
  '/opt/observability-ir/node-forensics.sh';
/** Where the node's CRI socket appears inside the Job's container. */
export const CRI_SOCKET_IN_CONTAINER = '/run/observability-ir/cri.sock';
/** Where the node's cgroup tree appears inside the Job's container. */
export const CGROUP_ROOT_IN_CONTAINER = '/host/sys/fs/cgroup';
/** The Job's only container. */
export const FORENSICS_CONTAINER_NAME = 'node-forensics';
/** Every forensics Job's name starts with this. */
export const FORENSICS_JOB_NAME_PREFIX = 'obsir-forensics-';

/** Labels every forensics Job (and its pod) carries: the cleanup's selector. */
export const FORENSICS_JOB_LABELS = {
  'app.kubernetes.io/name': 'node-forensics',
  'app.kubernetes.io/managed-by': 'observability-ir-backend',
} as const;

/** Label and annotation keys naming what a Job inspects and for whom. */
export const FORENSICS_KEYS = {
  /** Label: the target pod's UID. */
  targetPodUid: 'observability-ir.io/target-pod-uid',
  /** `<namespace>/<pod>`. */
  targetPod: 'observability-ir.io/target-pod',
  targetContainer: 'observability-ir.io/target-container',
  targetContainerId: 'observability-ir.io/target-container-id',
  targetNode: 'observability-ir.io/target-node',
  cluster: 'observability-ir.io/cluster',
  entity: 'observability-ir.io/entity',
  requestedBy: 'observability-ir.io/requested-by',
  requestedAt: 'observability-ir.io/requested-at',
  /** When the time bucket of the Job's name began. */
  timeBucket: 'observability-ir.io/time-bucket',
  /** JSON: the {@link ExpectedPort}s. */
  expectedPorts: 'observability-ir.io/expected-ports',
} as const;

const POD_UID =
  /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/;
const CONTAINER_ID = /^(?:containerd|cri-o|docker):\/\/[0-9a-f]{12,64}$/;
/** What the catalog allows in a cluster Resource's name. */
const CLUSTER_NAME = /^[A-Za-z0-9](?:[A-Za-z0-9._-]{0,251}[A-Za-z0-9])?$/;
const ENTITY_REF =
  /^[A-Za-z][A-Za-z0-9-]{0,62}:[A-Za-z0-9](?:[A-Za-z0-9._-]{0,61}[A-Za-z0-9])?\/[A-Za-z0-9](?:[A-Za-z0-9._-]{0,61}[A-Za-z0-9])?$/;
const PORT_USES: ReadonlySet<PortUse> = new Set<PortUse>([
  'container port',
  'readiness probe',
  'liveness probe',
  'startup probe',
  'Service',
]);
/** More expected ports than any real pod declares. */
const MAX_EXPECTED_PORTS = 64;

function check(
  what: string,
  value: unknown,
  valid: (value: string) => boolean,
  expected: string,
): void {
  if (typeof value !== 'string' || !valid(value)) {
    throw new InputError(
      `Cannot run node forensics: the ${what} ${
        typeof value === 'string' ? describeValue(value) : String(value)
      } is not ${expected}`,
    );
  }
}

function checkExpectedPorts(ports: unknown): ExpectedPort[] {
  if (!Array.isArray(ports) || ports.length > MAX_EXPECTED_PORTS) {
    throw new InputError(
      `Cannot run node forensics: expected ports must be a list of at most ${MAX_EXPECTED_PORTS}`,
    );
  }
  return ports.map(p => {
    const port = p?.port;
    const uses = p?.uses;
    if (
      !Number.isInteger(port) ||
      port < 1 ||
      port > 65535 ||
      !Array.isArray(uses) ||
      !uses.every(use => PORT_USES.has(use))
    ) {
      throw new InputError(
        `Cannot run node forensics: ${describeValue(
          JSON.stringify(p) ?? String(p),
        )} is not an expected port (1 to 65535, with its uses)`,
      );
    }
    return { port, uses: [...uses] };
  });
}

/**
 * Refuses a target whose values could not have come from Kubernetes: every
 * one of them ends up in the Job's arguments, labels or annotations.
 *
 * @throws InputError naming the value.
 */
export function checkForensicsTarget(
  target: ForensicsJobTarget,
): ForensicsJobTarget {
  check(
    'cluster name',
    target.cluster,
    v => CLUSTER_NAME.test(v),
    "a cluster name (letters, digits, '.', '_' and '-')",
  );
  check('namespace', target.namespace, isDnsLabel, 'a DNS label');
  check('pod name', target.podName, isDnsSubdomain, 'a DNS subdomain');
  check('pod UID', target.podUid, v => POD_UID.test(v), 'a lowercase UUID');
  check('node name', target.nodeName, isDnsSubdomain, 'a DNS subdomain');
  check('container name', target.containerName, isDnsLabel, 'a DNS label');
  if (target.containerId !== undefined) {
    check(
      'container id',
      target.containerId,
      v => CONTAINER_ID.test(v),
      'a runtime prefix (containerd://, cri-o://, docker://) and 12 to 64 lowercase hex digits',
    );
  }
  check(
    'entity ref',
    target.entityRef,
    v => ENTITY_REF.test(v),
    'a full entity ref (kind:namespace/name)',
  );
  check(
    'requester',
    target.requestedBy,
    v => ENTITY_REF.test(v),
    'a full entity ref (kind:namespace/name)',
  );
  return {
    ...target,
    expectedPorts: checkExpectedPorts(target.expectedPorts),
  };
}

/**
 * The Job's name: the same for the same pod and container within one time
 * bucket, so a double click or two backend replicas create one Job (the
 * second create answers 409 and the first Job is reused). 36 characters, a
 * DNS label: the Job controller copies it into a label of its pod, which
 * allows 63.
 */
export function forensicsJobName(
  target: Pick<
    ForensicsJobTarget,
    'cluster' | 'namespace' | 'podName' | 'podUid' | 'containerName'
  >,
  timeBucketMs: number,
  now: Date,
): string {
  const bucket = Math.floor(now.getTime() / timeBucketMs);
  const hash = createHash('sha256')
    .update(
      JSON.stringify([
        target.cluster,
        target.namespace,
        target.podName,
        target.podUid,
        target.containerName,
        timeBucketMs,
        bucket,
      ]),
    )
    .digest('hex')
    .slice(0, 20);
  return `${FORENSICS_JOB_NAME_PREFIX}${hash}`;
}

/** Seconds each command of the script may take, so the report ends before the deadline. */
function commandTimeoutSeconds(activeDeadlineSeconds: number): number {
  return Math.min(20, Math.max(2, Math.floor(activeDeadlineSeconds / 8)));
}

function securityContext(privileged: boolean): V1SecurityContext {
  const common: V1SecurityContext = {
    readOnlyRootFilesystem: true,
    // nsenter opens /proc/PID/ns/net of a process owned by another user and
    // joins it; that takes CAP_SYS_PTRACE and CAP_SYS_ADMIN in the effective
    // set, which Kubernetes grants only to UID 0 (a non-root user loses
    // added capabilities when the shell starts). The host's /proc/PID files
    // and cgroup files are readable by root only, too.
    runAsUser: 0,
    seccompProfile: { type: 'RuntimeDefault' },
  };
  if (privileged) {
    // The API refuses allowPrivilegeEscalation: false with privileged, and
    // capabilities mean nothing there: a privileged container has them all.
    return { ...common, privileged: true };
  }
  return {
    ...common,
    privileged: false,
    allowPrivilegeEscalation: false,
    capabilities: { drop: ['ALL'], add: ['SYS_ADMIN', 'SYS_PTRACE'] },
  };
}

/**
 * The Job that runs the node-forensics script on the target pod's node:
 * pinned there by `nodeName`, in the host PID namespace (to see the
 * container's processes) but not its network, with the CRI socket and the
 * cgroup tree mounted read-only, no service account token, one attempt,
 * and a deadline. The script is a fixed file of the image; only validated
 * values reach it, as separate arguments.
 *
 * Pure: the same settings, target and time give the same Job.
 *
 * @throws InputError when a target value is not what Kubernetes reports.
 */
export function buildForensicsJob(
  settings: ForensicsSettings,
  rawTarget: ForensicsJobTarget,
  now: Date,
): V1Job {
  const target = checkForensicsTarget(rawTarget);
  const name = forensicsJobName(target, settings.timeBucketMs, now);
  const bucketStart = new Date(
    Math.floor(now.getTime() / settings.timeBucketMs) * settings.timeBucketMs,
  );
  const labels: Record<string, string> = {
    ...FORENSICS_JOB_LABELS,
    [FORENSICS_KEYS.targetPodUid]: target.podUid,
  };
  const targetAnnotations: Record<string, string> = {
    [FORENSICS_KEYS.targetPod]: `${target.namespace}/${target.podName}`,
    [FORENSICS_KEYS.targetContainer]: target.containerName,
    [FORENSICS_KEYS.targetNode]: target.nodeName,
  };
  const annotations: Record<string, string> = {
    ...targetAnnotations,
    ...(target.containerId
      ? { [FORENSICS_KEYS.targetContainerId]: target.containerId }
      : {}),
    [FORENSICS_KEYS.cluster]: target.cluster,
    [FORENSICS_KEYS.entity]: target.entityRef,
    [FORENSICS_KEYS.requestedBy]: target.requestedBy,
    [FORENSICS_KEYS.requestedAt]: now.toISOString(),
    [FORENSICS_KEYS.timeBucket]: bucketStart.toISOString(),
    [FORENSICS_KEYS.expectedPorts]: JSON.stringify(target.expectedPorts),
  };

  const args = [
    ...(target.containerId ? ['--container-id', target.containerId] : []),
    '--container-name',
    target.containerName,
    '--pod-uid',
    target.podUid,
    '--pod-name',
    target.podName,
    '--pod-namespace',
    target.namespace,
    '--node-name',
    target.nodeName,
    '--runtime-endpoint',
    `unix://${CRI_SOCKET_IN_CONTAINER}`,
    '--cgroup-root',
    CGROUP_ROOT_IN_CONTAINER,
    '--command-timeout',
    String(commandTimeoutSeconds(settings.activeDeadlineSeconds)),
  ];

  const volumes: V1Volume[] = [
    {
      name: 'cri-socket',
      hostPath: { path: settings.criSocketPath, type: 'Socket' },
    },
    {
      name: 'host-cgroup',
      hostPath: { path: settings.cgroupRoot, type: 'Directory' },
    },
    { name: 'tmp', emptyDir: { sizeLimit: '16Mi' } },
  ];
  const volumeMounts: V1VolumeMount[] = [
    {
      name: 'cri-socket',
      mountPath: CRI_SOCKET_IN_CONTAINER,
      readOnly: true,
    },
    {
      name: 'host-cgroup',
      mountPath: CGROUP_ROOT_IN_CONTAINER,
      readOnly: true,
      // cgroup v1 mounts each controller below the root; without this they
      // would stay writable inside the read-only bind mount.
      recursiveReadOnly: 'IfPossible',
    },
    { name: 'tmp', mountPath: '/tmp' },
  ];

  const container: V1Container = {
    name: FORENSICS_CONTAINER_NAME,
    image: settings.image,
    imagePullPolicy: 'IfNotPresent',
    command: ['/bin/sh', FORENSICS_SCRIPT_IN_IMAGE],
    args,
    resources: {
      requests: { ...settings.resources.requests },
      limits: { ...settings.resources.limits },
    },
    securityContext: securityContext(settings.privileged),
    volumeMounts,
    terminationMessagePolicy: 'FallbackToLogsOnError',
  };

  return {
    apiVersion: 'batch/v1',
    kind: 'Job',
    metadata: {
      name,
      namespace: settings.namespace,
      labels,
      annotations,
    },
    spec: {
      backoffLimit: 0,
      completions: 1,
      parallelism: 1,
      activeDeadlineSeconds: settings.activeDeadlineSeconds,
      ttlSecondsAfterFinished: settings.ttlSecondsAfterFinished,
      template: {
        metadata: { labels, annotations: targetAnnotations },
        spec: {
          nodeName: target.nodeName,
          hostPID: true,
          hostNetwork: false,
          hostIPC: false,
          automountServiceAccountToken: false,
          enableServiceLinks: false,
          ...(settings.serviceAccountName
            ? { serviceAccountName: settings.serviceAccountName }
            : {}),
          ...(settings.imagePullSecrets.length
            ? {
                imagePullSecrets: settings.imagePullSecrets.map(secret => ({
                  name: secret,
                })),
              }
            : {}),
          restartPolicy: 'Never',
          terminationGracePeriodSeconds: 5,
          tolerations: settings.tolerations.map(t => ({ ...t })),
          containers: [container],
          volumes,
        },
      },
    },
  };
}
