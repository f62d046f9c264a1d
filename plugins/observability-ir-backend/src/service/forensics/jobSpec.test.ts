import { ConfigReader } from '@backstage/config';
import { InputError } from '@backstage/errors';
import { JsonObject } from '@backstage/types';
import {
  ForensicsSettings,
  readForensicsConfig,
} from '../../config/readForensicsConfig';
import { HOSTILE_INPUTS } from '../../__testUtils__/queries/hostileInputs';
import {
  buildForensicsJob,
  CGROUP_ROOT_IN_CONTAINER,
  CRI_SOCKET_IN_CONTAINER,
  FORENSICS_SCRIPT_IN_IMAGE,
  ForensicsJobTarget,
} from './jobSpec';

const IMAGE = `registry.example.com/tools/node-forensics@sha256:${'c'.repeat(
  64,
)}`;

function settings(extra: JsonObject = {}): ForensicsSettings {
  const config = readForensicsConfig(
    new ConfigReader({
      observabilityIr: {
        forensics: { enabled: true, image: IMAGE, ...extra },
      },
    }),
  );
  if (!config.enabled) throw new Error('expected forensics to be enabled');
  return config;
}

const TARGET: ForensicsJobTarget = {
  cluster: 'sandbox',
  namespace: 'finance',
  podName: 'checkout-api-v1-abc',
  podUid: '6f1c2a4e-3b5d-4c7e-9f80-1a2b3c4d5e6f',
  nodeName: 'worker-2',
  containerName: 'checkout-api',
  containerId: `containerd://${'ab12'.repeat(16)}`,
  expectedPorts: [{ port: 8080, uses: ['container port', 'readiness probe'] }],
  entityRef: 'component:default/checkout-api',
  requestedBy: 'user:default/jane',
};

const NOW = new Date('2025-03-01T10:04:00Z');

function job(extraSettings: JsonObject = {}, target = TARGET) {
  return buildForensicsJob(settings(extraSettings), target, NOW);
}

function podSpec(j = job()) {
  return j.spec!.template.spec!;
}

function container(j = job()) {
  const containers = podSpec(j).containers;
  expect(containers).toHaveLength(1);
  return containers[0];
}

describe('buildForensicsJob', () => {
  describe('the pod', () => {
    it('runs on the target pod’s node', () => {
      expect(podSpec().nodeName).toBe('worker-2');
    });

    it('shares the host PID namespace, to see the container’s processes', () => {
      expect(podSpec().hostPID).toBe(true);
    });

    it('keeps its own network and IPC namespaces', () => {
      expect(podSpec().hostNetwork).toBe(false);
      expect(podSpec().hostIPC).toBe(false);
    });

    it('mounts no service account token', () => {
      expect(podSpec().automountServiceAccountToken).toBe(false);
      expect(podSpec().serviceAccountName).toBeUndefined();
    });

    it('uses the configured service account, still without its token', () => {
      const spec = podSpec(job({ serviceAccountName: 'node-forensics' }));
      expect(spec.serviceAccountName).toBe('node-forensics');
      expect(spec.automountServiceAccountToken).toBe(false);
    });

    it('is never restarted', () => {
      expect(podSpec().restartPolicy).toBe('Never');
    });

    it('tolerates every taint by default, none when configured so', () => {
      expect(podSpec().tolerations).toEqual([{ operator: 'Exists' }]);
      expect(podSpec(job({ tolerations: [] })).tolerations).toEqual([]);
      expect(
        podSpec(
          job({
            tolerations: [{ key: 'dedicated', operator: 'Equal', value: 'db' }],
          }),
        ).tolerations,
      ).toEqual([{ key: 'dedicated', operator: 'Equal', value: 'db' }]);
    });

    it('pulls with the configured secrets, if any', () => {
      expect(podSpec().imagePullSecrets).toBeUndefined();
      expect(
        podSpec(job({ imagePullSecrets: ['registry-creds'] })).imagePullSecrets,
      ).toEqual([{ name: 'registry-creds' }]);
    });
  });

  describe('the Job', () => {
    it('lives in the configured namespace', () => {
      expect(job().metadata!.namespace).toBe('observability-ir-forensics');
      expect(job({ namespace: 'forensics' }).metadata!.namespace).toBe(
        'forensics',
      );
    });

    it('makes one attempt', () => {
      expect(job().spec!.backoffLimit).toBe(0);
    });

    it('has a deadline and is removed after a while, from config', () => {
      expect(job().spec).toMatchObject({
        activeDeadlineSeconds: 120,
        ttlSecondsAfterFinished: 600,
      });
      expect(
        job({ activeDeadlineSeconds: 45, ttlSecondsAfterFinished: 90 }).spec,
      ).toMatchObject({
        activeDeadlineSeconds: 45,
        ttlSecondsAfterFinished: 90,
      });
    });

    it('names its target, entity and requester', () => {
      const { labels, annotations } = job().metadata!;
      expect(labels).toEqual({
        'app.kubernetes.io/name': 'node-forensics',
        'app.kubernetes.io/managed-by': 'observability-ir-backend',
        'observability-ir.io/target-pod-uid':
          '6f1c2a4e-3b5d-4c7e-9f80-1a2b3c4d5e6f',
      });
      expect(annotations).toEqual({
        'observability-ir.io/target-pod': 'finance/checkout-api-v1-abc',
        'observability-ir.io/target-container': 'checkout-api',
        'observability-ir.io/target-container-id': TARGET.containerId,
        'observability-ir.io/target-node': 'worker-2',
        'observability-ir.io/cluster': 'sandbox',
        'observability-ir.io/entity': 'component:default/checkout-api',
        'observability-ir.io/requested-by': 'user:default/jane',
        'observability-ir.io/requested-at': '2025-03-01T10:04:00.000Z',
        'observability-ir.io/time-bucket': '2025-03-01T10:00:00.000Z',
        'observability-ir.io/expected-ports':
          '[{"port":8080,"uses":["container port","readiness probe"]}]',
      });
      const template = job().spec!.template.metadata!;
      expect(template.labels).toEqual(labels);
      expect(template.annotations).toMatchObject({
        'observability-ir.io/target-pod': 'finance/checkout-api-v1-abc',
        'observability-ir.io/target-container': 'checkout-api',
      });
    });
  });

  describe('the container', () => {
    it('runs the image from config', () => {
      expect(container().image).toBe(IMAGE);
    });

    it('has a read-only root filesystem', () => {
      expect(container().securityContext!.readOnlyRootFilesystem).toBe(true);
    });

    it('cannot gain privileges', () => {
      expect(container().securityContext!.allowPrivilegeEscalation).toBe(false);
      expect(container().securityContext!.privileged).toBe(false);
    });

    it('runs as root, which nsenter needs to keep its capabilities', () => {
      expect(container().securityContext!.runAsUser).toBe(0);
    });

    it('drops every capability but SYS_ADMIN and SYS_PTRACE', () => {
      expect(container().securityContext!.capabilities).toEqual({
        drop: ['ALL'],
        add: ['SYS_ADMIN', 'SYS_PTRACE'],
      });
    });

    it('keeps the runtime’s default seccomp profile', () => {
      expect(container().securityContext!.seccompProfile).toEqual({
        type: 'RuntimeDefault',
      });
    });

    it('is fully privileged only when the operator opts in', () => {
      const securityContext = container(job({ privileged: true }))
        .securityContext!;
      expect(securityContext.privileged).toBe(true);
      // Kubernetes refuses privileged with allowPrivilegeEscalation: false.
      expect(securityContext.allowPrivilegeEscalation).toBeUndefined();
      expect(securityContext.capabilities).toBeUndefined();
      expect(securityContext).toMatchObject({
        readOnlyRootFilesystem: true,
        runAsUser: 0,
        seccompProfile: { type: 'RuntimeDefault' },
      });
    });

    it('mounts the CRI socket read-only at a fixed path', () => {
      const j = job({ criSocketPath: '/var/run/crio/crio.sock' });
      expect(podSpec(j).volumes).toContainEqual({
        name: 'cri-socket',
        hostPath: { path: '/var/run/crio/crio.sock', type: 'Socket' },
      });
      expect(container(j).volumeMounts).toContainEqual({
        name: 'cri-socket',
        mountPath: CRI_SOCKET_IN_CONTAINER,
        readOnly: true,
      });
    });

    it('mounts the host’s cgroup tree read-only, recursively where it can', () => {
      expect(podSpec().volumes).toContainEqual({
        name: 'host-cgroup',
        hostPath: { path: '/sys/fs/cgroup', type: 'Directory' },
      });
      expect(container().volumeMounts).toContainEqual({
        name: 'host-cgroup',
        mountPath: CGROUP_ROOT_IN_CONTAINER,
        readOnly: true,
        recursiveReadOnly: 'IfPossible',
      });
    });

    it('writes only to a small /tmp of its own', () => {
      expect(podSpec().volumes).toContainEqual({
        name: 'tmp',
        emptyDir: { sizeLimit: '16Mi' },
      });
      const writable = container().volumeMounts!.filter(m => !m.readOnly);
      expect(writable).toEqual([{ name: 'tmp', mountPath: '/tmp' }]);
      expect(
        podSpec()
          .volumes!.map(v => v.name)
          .sort(),
      ).toEqual(['cri-socket', 'host-cgroup', 'tmp']);
    });

    it('runs the fixed script with an argument vector of validated values', () => {
      const c = container();
      expect(c.command).toEqual(['/bin/sh', FORENSICS_SCRIPT_IN_IMAGE]);
      expect(c.args).toEqual([
        '--container-id',
        TARGET.containerId,
        '--container-name',
        'checkout-api',
        '--pod-uid',
        '6f1c2a4e-3b5d-4c7e-9f80-1a2b3c4d5e6f',
        '--pod-name',
        'checkout-api-v1-abc',
        '--pod-namespace',
        'finance',
        '--node-name',
        TARGET.nodeName,
        '--runtime-endpoint',
        `unix://${CRI_SOCKET_IN_CONTAINER}`,
        '--cgroup-root',
        CGROUP_ROOT_IN_CONTAINER,
        '--command-timeout',
        '15',
      ]);
      expect(c.env).toBeUndefined();
    });

    it('finds a container that never started by name and pod UID', () => {
      const args = container(job({}, { ...TARGET, containerId: undefined }))
        .args!;
      expect(args).not.toContain('--container-id');
      expect(args.slice(0, 4)).toEqual([
        '--container-name',
        'checkout-api',
        '--pod-uid',
        TARGET.podUid,
      ]);
    });

    it('keeps each command well inside a short deadline', () => {
      const args = container(job({ activeDeadlineSeconds: 20 })).args!;
      expect(args[args.indexOf('--command-timeout') + 1]).toBe('2');
    });

    it('asks for small resources, from config', () => {
      expect(container().resources).toEqual({
        requests: { cpu: '10m', memory: '32Mi' },
        limits: { cpu: '250m', memory: '128Mi' },
      });
      expect(
        container(
          job({
            resources: {
              requests: { memory: '64Mi' },
              limits: { memory: '256Mi' },
            },
          }),
        ).resources,
      ).toEqual({
        requests: { cpu: '10m', memory: '64Mi' },
        limits: { cpu: '250m', memory: '256Mi' },
      });
    });
  });

  describe('the name', () => {
    const DNS_LABEL = /^[a-z0-9](?:[-a-z0-9]{0,61}[a-z0-9])?$/;
    const nameAt = (
      now: Date,
      target: ForensicsJobTarget = TARGET,
      extra: JsonObject = {},
    ) => buildForensicsJob(settings(extra), target, now).metadata!.name!;

    it('is a DNS label of at most 63 characters', () => {
      const longest = {
        ...TARGET,
        cluster: 'c'.repeat(253),
        podName: `${'p'.repeat(62)}.${'q'.repeat(62)}.${'r'.repeat(
          62,
        )}.${'s'.repeat(61)}`,
        containerName: 'k'.repeat(63),
      };
      for (const target of [TARGET, longest]) {
        const name = nameAt(NOW, target);
        expect(name).toMatch(DNS_LABEL);
        expect(name.length).toBeLessThanOrEqual(63);
        expect(name).toMatch(/^obsir-forensics-[0-9a-f]{20}$/);
      }
    });

    it('is the same for the same pod and container within one time bucket', () => {
      expect(nameAt(new Date('2025-03-01T10:00:00Z'))).toBe(
        nameAt(new Date('2025-03-01T10:09:59.999Z')),
      );
    });

    it('changes with the next time bucket', () => {
      expect(nameAt(new Date('2025-03-01T10:09:59.999Z'))).not.toBe(
        nameAt(new Date('2025-03-01T10:10:00Z')),
      );
    });

    it('follows the configured bucket', () => {
      const at = (iso: string) =>
        nameAt(new Date(iso), TARGET, { timeBucket: { minutes: 1 } });
      expect(at('2025-03-01T10:04:00Z')).toBe(at('2025-03-01T10:04:59Z'));
      expect(at('2025-03-01T10:04:59Z')).not.toBe(at('2025-03-01T10:05:00Z'));
    });

    it('differs for another container, pod, namespace or cluster', () => {
      const names = [
        TARGET,
        { ...TARGET, containerName: 'sidecar' },
        { ...TARGET, podName: 'checkout-api-v1-def' },
        { ...TARGET, podUid: '6f1c2a4e-3b5d-4c7e-9f80-1a2b3c4d5e70' },
        { ...TARGET, namespace: 'storefront' },
        { ...TARGET, cluster: 'production-eu' },
      ].map(target => nameAt(NOW, target));
      expect(new Set(names).size).toBe(names.length);
    });

    it('does not depend on who asked or on the entity', () => {
      expect(
        nameAt(NOW, {
          ...TARGET,
          requestedBy: 'user:default/john',
          entityRef: 'component:default/other',
        }),
      ).toBe(nameAt(NOW));
    });
  });

  describe('refuses what Kubernetes could not have reported', () => {
    const FIELDS: Array<keyof ForensicsJobTarget> = [
      'cluster',
      'namespace',
      'podName',
      'podUid',
      'nodeName',
      'containerName',
      'containerId',
      'entityRef',
      'requestedBy',
    ];
    // Values some field legitimately accepts; checked field by field below.
    const VALID_SOMEWHERE = new Set([
      'dns-like valid',
      'keyword or',
      'keyword and',
      'keyword unless',
      'keyword offset',
    ]);

    it.each(
      FIELDS.flatMap(field =>
        HOSTILE_INPUTS.filter(([label]) => !VALID_SOMEWHERE.has(label)).map(
          ([label, value]) => [field, label, value] as const,
        ),
      ),
    )('%s: %s', (field, _label, value) => {
      expect(() => job({}, { ...TARGET, [field]: value })).toThrow(InputError);
    });

    it.each(
      (['podUid', 'containerId', 'entityRef', 'requestedBy'] as const).flatMap(
        field =>
          HOSTILE_INPUTS.filter(([label]) => VALID_SOMEWHERE.has(label)).map(
            ([label, value]) => [field, label, value] as const,
          ),
      ),
    )('%s: %s (a name, but not this kind)', (field, _label, value) => {
      expect(() => job({}, { ...TARGET, [field]: value })).toThrow(InputError);
    });

    it.each([
      ['a container id without its runtime', 'ab12'.repeat(16)],
      ['an unknown runtime', `rkt://${'ab12'.repeat(16)}`],
      ['uppercase hex', `containerd://${'AB12'.repeat(16)}`],
      ['too short', 'containerd://abc123'],
      ['too long', `containerd://${'a'.repeat(65)}`],
      ['an argument', '--help'],
    ])('%s', (_, containerId) => {
      expect(() => job({}, { ...TARGET, containerId })).toThrow(
        /the container id .* is not a runtime prefix \(containerd:\/\/, cri-o:\/\/, docker:\/\/\) and 12 to 64 lowercase hex digits/,
      );
    });

    it.each([
      ['uppercase', 'Checkout'],
      ['a leading dash, read as a flag', '-x'],
      ['64 characters', 'a'.repeat(64)],
    ])('a container name with %s', (_, containerName) => {
      expect(() => job({}, { ...TARGET, containerName })).toThrow(
        /the container name .* is not a DNS label/,
      );
    });

    it.each([
      [[{ port: 0, uses: ['container port'] }]],
      [[{ port: 70000, uses: ['container port'] }]],
      [[{ port: 80.5, uses: ['container port'] }]],
      [[{ port: 80, uses: ['$(reboot)'] }]],
      [[{ port: '80', uses: [] }]],
      [Array.from({ length: 65 }, (_, i) => ({ port: i + 1, uses: [] }))],
    ])('expected ports %j', expectedPorts => {
      expect(() =>
        job({}, { ...TARGET, expectedPorts: expectedPorts as any }),
      ).toThrow(/expected port/);
    });

    it('accepts the real names of a CRI-O pod on a long node name', () => {
      const j = job(
        {},
        {
          ...TARGET,
          nodeName: 'ip-10-0-12-34.eu-west-1.compute.internal',
          containerId: `cri-o://${'0123456789abcdef'.repeat(4)}`,
        },
      );
      expect(podSpec(j).nodeName).toBe(
        'ip-10-0-12-34.eu-west-1.compute.internal',
      );
    });
  });

  it('is pure: the same input gives the same Job', () => {
    expect(job()).toEqual(job());
  });
});
