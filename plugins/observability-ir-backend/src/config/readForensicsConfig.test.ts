import { ConfigReader } from '@backstage/config';
import { JsonObject } from '@backstage/types';
import { readForensicsConfig } from './readForensicsConfig';

const IMAGE = `registry.example.com/tools/node-forensics@sha256:${'a'.repeat(
  64,
)}`;

function read(forensics: JsonObject | undefined) {
  return readForensicsConfig(
    new ConfigReader(
      forensics === undefined ? {} : { observabilityIr: { forensics } },
    ),
  );
}

describe('readForensicsConfig', () => {
  it('is off without the block, and off unless enabled is true', () => {
    expect(read(undefined)).toEqual({ enabled: false });
    expect(read({ image: IMAGE })).toEqual({ enabled: false });
    expect(read({ enabled: false })).toEqual({ enabled: false });
  });

  it('applies every default when enabled with only an image', () => {
    expect(read({ enabled: true, image: IMAGE })).toEqual({
      enabled: true,
      image: IMAGE,
      namespace: 'observability-ir-forensics',
      imagePullSecrets: [],
      criSocketPath: '/run/containerd/containerd.sock',
      cgroupRoot: '/sys/fs/cgroup',
      privileged: false,
      activeDeadlineSeconds: 120,
      ttlSecondsAfterFinished: 600,
      tolerations: [{ operator: 'Exists' }],
      dedupeWindowMs: 600_000,
      timeBucketMs: 600_000,
      resources: {
        requests: { cpu: '10m', memory: '32Mi' },
        limits: { cpu: '250m', memory: '128Mi' },
      },
      limits: { runsPerNode: 1, userRunsPerHour: 10, userBurst: 3 },
    });
  });

  it('reads every setting', () => {
    const config = read({
      enabled: true,
      image: `node-forensics:1.2@sha256:${'0'.repeat(64)}`,
      namespace: 'forensics',
      imagePullSecrets: ['registry-creds'],
      criSocketPath: '/var/run/crio/crio.sock',
      cgroupRoot: '/sys/fs/cgroup/',
      privileged: true,
      activeDeadlineSeconds: 60,
      ttlSecondsAfterFinished: 120,
      tolerations: [
        {
          key: 'dedicated',
          operator: 'Equal',
          value: 'db',
          effect: 'NoSchedule',
        },
        {
          key: 'node.kubernetes.io/unreachable',
          operator: 'Exists',
          effect: 'NoExecute',
          tolerationSeconds: 30,
        },
      ],
      dedupeWindow: { minutes: 5 },
      timeBucket: '1m',
      resources: {
        requests: { cpu: 0.05, memory: '16Mi' },
        limits: { cpu: '100m', memory: '64Mi' },
      },
      limits: { runsPerNode: 2, userRunsPerHour: 4, userBurst: 2 },
      serviceAccountName: 'node-forensics',
    });
    expect(config).toEqual({
      enabled: true,
      image: `node-forensics:1.2@sha256:${'0'.repeat(64)}`,
      namespace: 'forensics',
      imagePullSecrets: ['registry-creds'],
      criSocketPath: '/var/run/crio/crio.sock',
      cgroupRoot: '/sys/fs/cgroup',
      privileged: true,
      activeDeadlineSeconds: 60,
      ttlSecondsAfterFinished: 120,
      tolerations: [
        {
          key: 'dedicated',
          operator: 'Equal',
          value: 'db',
          effect: 'NoSchedule',
        },
        {
          key: 'node.kubernetes.io/unreachable',
          operator: 'Exists',
          effect: 'NoExecute',
          tolerationSeconds: 30,
        },
      ],
      dedupeWindowMs: 300_000,
      timeBucketMs: 60_000,
      resources: {
        requests: { cpu: '0.05', memory: '16Mi' },
        limits: { cpu: '100m', memory: '64Mi' },
      },
      limits: { runsPerNode: 2, userRunsPerHour: 4, userBurst: 2 },
      serviceAccountName: 'node-forensics',
    });
  });

  it('names the Jobs by the dedupe window unless timeBucket is set', () => {
    const config = read({
      enabled: true,
      image: IMAGE,
      dedupeWindow: { minutes: 3 },
    });
    expect(config).toMatchObject({
      dedupeWindowMs: 180_000,
      timeBucketMs: 180_000,
    });
  });

  it('takes an empty tolerations list as "respect every taint"', () => {
    expect(read({ enabled: true, image: IMAGE, tolerations: [] })).toEqual(
      expect.objectContaining({ tolerations: [] }),
    );
  });

  it('requires an image when enabled', () => {
    expect(() => read({ enabled: true })).toThrow(
      /observabilityIr\.forensics\.image is required when node forensics is enabled/,
    );
  });

  it.each([
    ['a tag', 'registry.example.com/tools/node-forensics:1.0'],
    ['no tag at all', 'node-forensics'],
    ['latest', 'busybox:latest'],
  ])('refuses an image not pinned by digest (%s)', (_, image) => {
    expect(() => read({ enabled: true, image })).toThrow(
      /observabilityIr\.forensics\.image must be pinned by digest \(name@sha256:<64 hex digits>\), got ".*": a tag can be moved/,
    );
  });

  it.each([
    ['a short digest', `node-forensics@sha256:${'a'.repeat(63)}`],
    ['an uppercase digest', `node-forensics@sha256:${'A'.repeat(64)}`],
    ['another algorithm', `node-forensics@md5:${'a'.repeat(32)}`],
  ])('refuses a malformed digest (%s)', (_, image) => {
    expect(() => read({ enabled: true, image })).toThrow(
      /image must end in @sha256: and 64 lowercase hex digits/,
    );
  });

  it.each([
    ['uppercase path', `Tools/Node@sha256:${'a'.repeat(64)}`],
    ['a space', `tools/node forensics@sha256:${'a'.repeat(64)}`],
    ['a shell character', `tools/node;rm@sha256:${'a'.repeat(64)}`],
  ])('refuses an invalid image reference (%s)', (_, image) => {
    expect(() => read({ enabled: true, image })).toThrow(
      /image is not a valid image reference/,
    );
  });

  it('checks the other settings even while disabled', () => {
    expect(() => read({ enabled: false, namespace: 'Not A Label' })).toThrow(
      'observabilityIr.forensics.namespace must be a DNS label, got "Not A Label"',
    );
    expect(() => read({ image: 'busybox:latest' })).toThrow(
      /must be pinned by digest/,
    );
  });

  it.each<[string, JsonObject, RegExp | string]>([
    [
      'a namespace that is no DNS label',
      { namespace: 'a_b' },
      /namespace must be a DNS label/,
    ],
    [
      'a relative socket path',
      { criSocketPath: 'run/containerd.sock' },
      /criSocketPath must be an absolute path/,
    ],
    [
      'a socket path with ..',
      { criSocketPath: '/run/../etc/shadow' },
      /criSocketPath must be an absolute path .* without '\.\.'/,
    ],
    [
      'a cgroup root with a space',
      { cgroupRoot: '/sys/fs/cgroup x' },
      /cgroupRoot must be an absolute path/,
    ],
    [
      'the root directory',
      { cgroupRoot: '/' },
      /cgroupRoot must be an absolute path/,
    ],
    [
      'a deadline of 0',
      { activeDeadlineSeconds: 0 },
      'observabilityIr.forensics.activeDeadlineSeconds must be a whole number from 10 to 3600, got 0',
    ],
    [
      'a fractional deadline',
      { activeDeadlineSeconds: 30.5 },
      /activeDeadlineSeconds must be a whole number/,
    ],
    [
      'a TTL too short to read the log',
      { ttlSecondsAfterFinished: 5 },
      /ttlSecondsAfterFinished must be a whole number from 60 to 604800 \(the backend reads the log before Kubernetes removes the Job\), got 5/,
    ],
    [
      'an unknown toleration operator',
      { tolerations: [{ key: 'a', operator: 'In' }] },
      /tolerations\[0\]\.operator must be Exists or Equal, got "In"/,
    ],
    [
      'an unknown taint effect',
      { tolerations: [{ operator: 'Exists', effect: 'NoRun' }] },
      /tolerations\[0\]\.effect must be one of NoSchedule, PreferNoSchedule, NoExecute/,
    ],
    [
      'a value with Exists',
      { tolerations: [{ key: 'a', operator: 'Exists', value: 'b' }] },
      /tolerations\[0\]\.value must be empty when the operator is Exists/,
    ],
    [
      'Equal without a key',
      { tolerations: [{ operator: 'Equal', value: 'b' }] },
      /tolerations\[0\] without a key must have the operator Exists/,
    ],
    [
      'tolerationSeconds without NoExecute',
      { tolerations: [{ operator: 'Exists', tolerationSeconds: 5 }] },
      /tolerations\[0\]\.tolerationSeconds must be a whole number, and only with the effect NoExecute/,
    ],
    [
      'an unknown toleration key',
      { tolerations: [{ operator: 'Exists', effects: 'NoExecute' }] },
      /tolerations\[0\] has unknown keys effects/,
    ],
    [
      'a dedupe window of 0',
      { dedupeWindow: { seconds: 0 } },
      /dedupeWindow must be from 1 second to 24 hours, got 0 ms/,
    ],
    [
      'a two-day time bucket',
      { timeBucket: { days: 2 } },
      /timeBucket must be from 1 second to 24 hours/,
    ],
    [
      'a malformed duration',
      { dedupeWindow: 'soon' },
      /Invalid duration 'soon'/,
    ],
    [
      'a request above its limit',
      { resources: { requests: { memory: '1Gi' } } },
      'observabilityIr.forensics.resources.requests.memory (1Gi) must not exceed resources.limits.memory (128Mi)',
    ],
    [
      'a quantity that is not one',
      { resources: { limits: { cpu: 'lots' } } },
      /resources\.limits\.cpu must be a positive Kubernetes quantity \(e\.g\. 100m, 64Mi\), got "lots"/,
    ],
    [
      'a zero quantity',
      { resources: { requests: { cpu: '0' } } },
      /resources\.requests\.cpu must be a positive Kubernetes quantity/,
    ],
    [
      'no node cap',
      { limits: { runsPerNode: 0 } },
      /limits\.runsPerNode must be a whole number from 1 to 10, got 0/,
    ],
    [
      'no user rate',
      { limits: { userRunsPerHour: 0 } },
      /limits\.userRunsPerHour must be a whole number from 1 to 3600/,
    ],
    [
      'an invalid pull secret name',
      { imagePullSecrets: ['Bad Name'] },
      /imagePullSecrets\[0\] must be a Secret name \(a DNS subdomain\), got "Bad Name"/,
    ],
    [
      'an invalid service account',
      { serviceAccountName: 'system:admin' },
      /serviceAccountName must be a ServiceAccount name \(a DNS subdomain\), got "system:admin"/,
    ],
  ])('refuses %s', (_, values, message) => {
    expect(() => read({ enabled: true, image: IMAGE, ...values })).toThrow(
      message,
    );
  });
});
