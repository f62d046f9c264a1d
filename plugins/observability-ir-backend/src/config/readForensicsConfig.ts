import { Config, readDurationFromConfig } from '@backstage/config';
import { durationToMilliseconds } from '@backstage/types';
import { parseQuantity } from '@observability-ir/plugin-observability-ir-common';
import type { V1Toleration } from '@kubernetes/client-node';
import { describeValue } from '../queries/describe';
import { isDnsSubdomain } from '../queries/kubernetesNames';
import { isNamespaceName } from '../queries/scope';

const KEY = 'observabilityIr.forensics';

/** CPU and memory of the forensics container, as Kubernetes quantities. */
export interface ForensicsResources {
  requests: { cpu: string; memory: string };
  limits: { cpu: string; memory: string };
}

/** How many runs may happen at once per node, and how often per user. */
export interface ForensicsLimits {
  /** Runs in flight at once on one node (per cluster). */
  runsPerNode: number;
  /** Runs one user may start per hour, on average. */
  userRunsPerHour: number;
  /** Runs one user may start at once before the hourly rate applies. */
  userBurst: number;
}

/**
 * Everything a forensics Job is built from, and the limits around it, with
 * every default applied; read once at start-up by
 * {@link readForensicsConfig}.
 */
export interface ForensicsSettings {
  /** The namespace the Jobs are created in. */
  namespace: string;
  /** The image, pinned by digest (`name@sha256:<64 hex>`). */
  image: string;
  imagePullSecrets: string[];
  /** The CRI socket on the node, mounted read-only into the Job. */
  criSocketPath: string;
  /** The node's cgroup mount, mounted read-only into the Job. */
  cgroupRoot: string;
  /** Run the container fully privileged instead of with two capabilities. */
  privileged: boolean;
  activeDeadlineSeconds: number;
  ttlSecondsAfterFinished: number;
  tolerations: V1Toleration[];
  /** A run for the same pod and container within this time is reused. */
  dedupeWindowMs: number;
  /** The time bucket of deterministic Job names. */
  timeBucketMs: number;
  resources: ForensicsResources;
  limits: ForensicsLimits;
  /** The Job's service account; its token is never mounted. */
  serviceAccountName?: string;
}

/** `observabilityIr.forensics`: off, or on with its settings. */
export type ForensicsConfig =
  | { enabled: false }
  | ({ enabled: true } & ForensicsSettings);

/** The defaults of {@link ForensicsSettings}; `image` has none. */
export const FORENSICS_DEFAULTS: Omit<ForensicsSettings, 'image'> = {
  namespace: 'observability-ir-forensics',
  imagePullSecrets: [],
  criSocketPath: '/run/containerd/containerd.sock',
  cgroupRoot: '/sys/fs/cgroup',
  privileged: false,
  activeDeadlineSeconds: 120,
  ttlSecondsAfterFinished: 600,
  // The Job is pinned to the target's node with nodeName, which bypasses
  // the scheduler; what still stops it is a NoExecute taint (the kubelet
  // refuses the pod, the taint manager evicts it), and a sick node is where
  // forensics matters most.
  tolerations: [{ operator: 'Exists' }],
  dedupeWindowMs: 10 * 60_000,
  timeBucketMs: 10 * 60_000,
  resources: {
    requests: { cpu: '10m', memory: '32Mi' },
    limits: { cpu: '250m', memory: '128Mi' },
  },
  limits: { runsPerNode: 1, userRunsPerHour: 10, userBurst: 3 },
};

/** A registry host (with port), then lowercase path components. */
const IMAGE_NAME =
  /^(?:(?:[a-zA-Z0-9](?:[a-zA-Z0-9-]*[a-zA-Z0-9])?)(?:\.[a-zA-Z0-9](?:[a-zA-Z0-9-]*[a-zA-Z0-9])?)*(?::[0-9]+)?\/)?[a-z0-9]+(?:(?:[._]|__|-+)[a-z0-9]+)*(?:\/[a-z0-9]+(?:(?:[._]|__|-+)[a-z0-9]+)*)*$/;
const IMAGE_TAG = /^[A-Za-z0-9_][A-Za-z0-9_.-]{0,127}$/;
const IMAGE_DIGEST = /^sha256:[a-f0-9]{64}$/;

/** An absolute path the script accepts: no `..`, no shell-special characters. */
const SAFE_PATH = /^\/[A-Za-z0-9/._-]*$/;

class ForensicsConfigError extends Error {
  readonly name = 'ForensicsConfigError';
  constructor(key: string, message: string) {
    super(`${KEY}.${key} ${message}`);
  }
}

/**
 * Checks that an image reference is pinned by digest, `name@sha256:<64
 * hex>` (optionally `name:tag@sha256:…`, where the digest decides). A tag
 * alone is refused: whoever can push the tag would choose what runs as root
 * in the host PID namespace of the nodes.
 */
function checkImage(image: string): string {
  const at = image.lastIndexOf('@');
  if (at < 0) {
    throw new ForensicsConfigError(
      'image',
      `must be pinned by digest (name@sha256:<64 hex digits>), got ${describeValue(
        image,
      )}: a tag can be moved to another image, and this one runs as root with SYS_ADMIN in the host PID namespace of your nodes`,
    );
  }
  const reference = image.slice(0, at);
  const digest = image.slice(at + 1);
  if (!IMAGE_DIGEST.test(digest)) {
    throw new ForensicsConfigError(
      'image',
      `must end in @sha256: and 64 lowercase hex digits, got ${describeValue(
        image,
      )}`,
    );
  }
  const lastSlash = reference.lastIndexOf('/');
  const colon = reference.indexOf(':', lastSlash + 1);
  const name = colon < 0 ? reference : reference.slice(0, colon);
  const tag = colon < 0 ? undefined : reference.slice(colon + 1);
  if (
    name.length > 255 ||
    !IMAGE_NAME.test(name) ||
    (tag !== undefined && !IMAGE_TAG.test(tag))
  ) {
    throw new ForensicsConfigError(
      'image',
      `is not a valid image reference: ${describeValue(image)}`,
    );
  }
  return image;
}

function checkPath(key: string, value: string): string {
  if (!SAFE_PATH.test(value) || value.includes('..') || value === '/') {
    throw new ForensicsConfigError(
      key,
      `must be an absolute path of letters, digits, '/', '.', '_' and '-', without '..', got ${describeValue(
        value,
      )}`,
    );
  }
  return value.replace(/\/+$/, '');
}

function readWhole(
  config: Config,
  key: string,
  fallback: number,
  min: number,
  max: number,
  why = '',
): number {
  const value = config.getOptionalNumber(key);
  if (value === undefined) {
    return fallback;
  }
  if (!Number.isInteger(value) || value < min || value > max) {
    throw new ForensicsConfigError(
      key,
      `must be a whole number from ${min} to ${max}${why}, got ${value}`,
    );
  }
  return value;
}

function readDuration(config: Config, key: string, fallbackMs: number): number {
  if (!config.has(key)) {
    return fallbackMs;
  }
  const ms = durationToMilliseconds(readDurationFromConfig(config, { key }));
  if (!(ms >= 1000 && ms <= 24 * 3_600_000)) {
    throw new ForensicsConfigError(
      key,
      `must be from 1 second to 24 hours, got ${ms} ms`,
    );
  }
  return ms;
}

function readName(
  config: Config,
  key: string,
  test: (name: string) => boolean,
  what: string,
): string | undefined {
  const value = config.getOptionalString(key);
  if (value !== undefined && !test(value)) {
    throw new ForensicsConfigError(
      key,
      `must be ${what}, got ${describeValue(value)}`,
    );
  }
  return value;
}

const TOLERATION_OPERATORS = ['Exists', 'Equal'];
const TAINT_EFFECTS = ['NoSchedule', 'PreferNoSchedule', 'NoExecute'];

function readTolerations(config: Config): V1Toleration[] {
  if (!config.has('tolerations')) {
    return FORENSICS_DEFAULTS.tolerations;
  }
  return config.getConfigArray('tolerations').map((entry, i) => {
    const at = `tolerations[${i}]`;
    const unknown = entry
      .keys()
      .filter(
        k =>
          !['key', 'operator', 'value', 'effect', 'tolerationSeconds'].includes(
            k,
          ),
      );
    if (unknown.length) {
      throw new ForensicsConfigError(
        at,
        `has unknown keys ${unknown.join(
          ', ',
        )} (key, operator, value, effect, tolerationSeconds)`,
      );
    }
    const key = entry.getOptionalString('key');
    const operator = entry.getOptionalString('operator') ?? 'Equal';
    const value = entry.getOptionalString('value');
    const effect = entry.getOptionalString('effect');
    const tolerationSeconds = entry.getOptionalNumber('tolerationSeconds');
    if (!TOLERATION_OPERATORS.includes(operator)) {
      throw new ForensicsConfigError(
        `${at}.operator`,
        `must be Exists or Equal, got ${describeValue(operator)}`,
      );
    }
    if (effect !== undefined && !TAINT_EFFECTS.includes(effect)) {
      throw new ForensicsConfigError(
        `${at}.effect`,
        `must be one of ${TAINT_EFFECTS.join(', ')}, got ${describeValue(
          effect,
        )}`,
      );
    }
    if (operator === 'Exists' && value) {
      throw new ForensicsConfigError(
        `${at}.value`,
        'must be empty when the operator is Exists',
      );
    }
    if (!key && operator !== 'Exists') {
      throw new ForensicsConfigError(
        at,
        'without a key must have the operator Exists (it then tolerates every taint)',
      );
    }
    if (
      tolerationSeconds !== undefined &&
      (effect !== 'NoExecute' || !Number.isInteger(tolerationSeconds))
    ) {
      throw new ForensicsConfigError(
        `${at}.tolerationSeconds`,
        'must be a whole number, and only with the effect NoExecute',
      );
    }
    return {
      ...(key ? { key } : {}),
      operator,
      ...(value ? { value } : {}),
      ...(effect ? { effect } : {}),
      ...(tolerationSeconds !== undefined ? { tolerationSeconds } : {}),
    };
  });
}

function readQuantity(
  config: Config,
  key: string,
  fallback: string,
): { text: string; value: number } {
  const raw = config.getOptional(key);
  if (raw === undefined) {
    return { text: fallback, value: parseQuantity(fallback) };
  }
  const text = typeof raw === 'number' ? String(raw) : raw;
  let value: number;
  try {
    if (typeof text !== 'string') throw new Error('not a string');
    value = parseQuantity(text);
  } catch {
    value = NaN;
  }
  if (typeof text !== 'string' || !(value > 0)) {
    throw new ForensicsConfigError(
      key,
      `must be a positive Kubernetes quantity (e.g. 100m, 64Mi), got ${JSON.stringify(
        raw,
      )}`,
    );
  }
  return { text, value };
}

function readResources(config: Config): ForensicsResources {
  const d = FORENSICS_DEFAULTS.resources;
  const result: ForensicsResources = {
    requests: { cpu: '', memory: '' },
    limits: { cpu: '', memory: '' },
  };
  for (const resource of ['cpu', 'memory'] as const) {
    const request = readQuantity(
      config,
      `resources.requests.${resource}`,
      d.requests[resource],
    );
    const limit = readQuantity(
      config,
      `resources.limits.${resource}`,
      d.limits[resource],
    );
    if (request.value > limit.value) {
      throw new ForensicsConfigError(
        `resources.requests.${resource}`,
        `(${request.text}) must not exceed resources.limits.${resource} (${limit.text})`,
      );
    }
    result.requests[resource] = request.text;
    result.limits[resource] = limit.text;
  }
  return result;
}

/**
 * Reads `observabilityIr.forensics`, applying the defaults and refusing
 * values that would make an unsafe or invalid Job, each with a message
 * naming the key. When `enabled` is not true the rest is still checked
 * (a mistake shows before it is switched on), but `image` is not required.
 */
export function readForensicsConfig(rootConfig: Config): ForensicsConfig {
  const config = rootConfig.getOptionalConfig(KEY);
  if (!config) {
    return { enabled: false };
  }
  const enabled = config.getOptionalBoolean('enabled') ?? false;
  const d = FORENSICS_DEFAULTS;

  const rawImage = config.getOptionalString('image');
  if (enabled && !rawImage) {
    throw new ForensicsConfigError(
      'image',
      'is required when node forensics is enabled: the image with the node-forensics script, pinned by digest (name@sha256:<64 hex digits>)',
    );
  }
  const image = rawImage === undefined ? undefined : checkImage(rawImage);

  const namespace =
    readName(config, 'namespace', isNamespaceName, 'a DNS label') ??
    d.namespace;
  const imagePullSecrets = (
    config.getOptionalStringArray('imagePullSecrets') ?? []
  ).map((name, i) => {
    if (!isDnsSubdomain(name)) {
      throw new ForensicsConfigError(
        `imagePullSecrets[${i}]`,
        `must be a Secret name (a DNS subdomain), got ${describeValue(name)}`,
      );
    }
    return name;
  });
  const criSocketPath = checkPath(
    'criSocketPath',
    config.getOptionalString('criSocketPath') ?? d.criSocketPath,
  );
  const cgroupRoot = checkPath(
    'cgroupRoot',
    config.getOptionalString('cgroupRoot') ?? d.cgroupRoot,
  );
  const privileged = config.getOptionalBoolean('privileged') ?? d.privileged;
  const activeDeadlineSeconds = readWhole(
    config,
    'activeDeadlineSeconds',
    d.activeDeadlineSeconds,
    10,
    3600,
  );
  const ttlSecondsAfterFinished = readWhole(
    config,
    'ttlSecondsAfterFinished',
    d.ttlSecondsAfterFinished,
    60,
    7 * 24 * 3600,
    ' (the backend reads the log before Kubernetes removes the Job)',
  );
  const dedupeWindowMs = readDuration(config, 'dedupeWindow', d.dedupeWindowMs);
  const timeBucketMs = readDuration(config, 'timeBucket', dedupeWindowMs);
  const serviceAccountName = readName(
    config,
    'serviceAccountName',
    isDnsSubdomain,
    'a ServiceAccount name (a DNS subdomain)',
  );
  const limits: ForensicsLimits = {
    runsPerNode: readWhole(
      config,
      'limits.runsPerNode',
      d.limits.runsPerNode,
      1,
      10,
    ),
    userRunsPerHour: readWhole(
      config,
      'limits.userRunsPerHour',
      d.limits.userRunsPerHour,
      1,
      3600,
    ),
    userBurst: readWhole(
      config,
      'limits.userBurst',
      d.limits.userBurst,
      1,
      100,
    ),
  };
  const settings: Omit<ForensicsSettings, 'image'> = {
    namespace,
    imagePullSecrets,
    criSocketPath,
    cgroupRoot,
    privileged,
    activeDeadlineSeconds,
    ttlSecondsAfterFinished,
    tolerations: readTolerations(config),
    dedupeWindowMs,
    timeBucketMs,
    resources: readResources(config),
    limits,
    ...(serviceAccountName ? { serviceAccountName } : {}),
  };
  if (!enabled) {
    return { enabled: false };
  }
  return { enabled: true, image: image!, ...settings };
}
