import fs from 'node:fs';
import path from 'node:path';
import { FORENSICS_DEFAULTS } from './config/readForensicsConfig';

const DIR = path.join(__dirname, '..', 'deploy', 'forensics');

interface Manifest {
  file: string;
  apiVersion: string;
  kind: string;
  metadata: {
    name: string;
    namespace?: string;
    labels?: Record<string, string>;
  };
  rules?: Array<{
    apiGroups?: string[];
    resources?: string[];
    verbs: string[];
    resourceNames?: string[];
    nonResourceURLs?: string[];
  }>;
  roleRef?: { apiGroup: string; kind: string; name: string };
  subjects?: Array<{ kind: string; name: string; namespace?: string }>;
}

/**
 * Every document of every manifest, read with the Kubernetes client's own
 * YAML loader, which maps each document to its API type by apiVersion and
 * kind (and fails on a kind it does not know).
 */
async function loadManifests(): Promise<Manifest[]> {
  const { loadAllYaml } = await import('@kubernetes/client-node');
  return fs
    .readdirSync(DIR)
    .filter(file => /\.ya?ml$/.test(file))
    .sort()
    .flatMap(file =>
      loadAllYaml(fs.readFileSync(path.join(DIR, file), 'utf8')).map(
        (doc: any) => ({ ...doc, file }),
      ),
    );
}

function find(manifests: Manifest[], kind: string, name: string): Manifest {
  const found = manifests.filter(
    m => m.kind === kind && m.metadata.name === name,
  );
  expect(found).toHaveLength(1);
  return found[0];
}

/** Each rule as `apiGroup/resource: verbs`, for an exact comparison. */
function grants(manifest: Manifest): string[] {
  return (manifest.rules ?? []).flatMap(rule =>
    (rule.apiGroups ?? []).flatMap(group =>
      (rule.resources ?? []).map(
        resource => `${group || 'core'}/${resource}: ${rule.verbs.join(',')}`,
      ),
    ),
  );
}

describe('the operator manifests in deploy/forensics', () => {
  let manifests: Manifest[];
  const namespace = FORENSICS_DEFAULTS.namespace;

  beforeAll(async () => {
    manifests = await loadManifests();
  });

  it('hold the namespace, a Role, a ClusterRole and their bindings, nothing else', () => {
    expect(
      manifests.map(m => `${m.file}: ${m.kind} ${m.metadata.name}`),
    ).toEqual([
      '00-namespace.yaml: Namespace observability-ir-forensics',
      '10-forensics-jobs.yaml: Role observability-ir-forensics',
      '10-forensics-jobs.yaml: RoleBinding observability-ir-forensics',
      '20-evidence-reader.yaml: ClusterRole observability-ir-evidence-reader',
      '20-evidence-reader.yaml: ClusterRoleBinding observability-ir-evidence-reader',
    ]);
  });

  it('create the namespace the Jobs go to by default, with Pod Security labels', () => {
    const ns = find(manifests, 'Namespace', namespace);
    expect(ns.apiVersion).toBe('v1');
    expect(ns.metadata.labels).toEqual({
      'app.kubernetes.io/part-of': 'observability-ir',
      // hostPID, hostPath and SYS_ADMIN/SYS_PTRACE exceed baseline.
      'pod-security.kubernetes.io/enforce': 'privileged',
      'pod-security.kubernetes.io/enforce-version': 'latest',
      'pod-security.kubernetes.io/audit': 'baseline',
      'pod-security.kubernetes.io/audit-version': 'latest',
      'pod-security.kubernetes.io/warn': 'baseline',
      'pod-security.kubernetes.io/warn-version': 'latest',
    });
  });

  it('let the backend run Jobs and read their pods and logs in that namespace only', () => {
    const role = find(manifests, 'Role', 'observability-ir-forensics');
    expect(role.apiVersion).toBe('rbac.authorization.k8s.io/v1');
    expect(role.metadata.namespace).toBe(namespace);
    expect(grants(role)).toEqual([
      'batch/jobs: create,get,list,watch,delete',
      'core/pods: get,list,watch',
      'core/pods/log: get',
    ]);
  });

  it('let the backend read pods, their events and nodes cluster-wide, nothing more', () => {
    const clusterRole = find(
      manifests,
      'ClusterRole',
      'observability-ir-evidence-reader',
    );
    expect(grants(clusterRole)).toEqual([
      'core/pods: get,list',
      'core/events: list',
      'core/nodes: get',
    ]);
  });

  it('grant nothing by wildcard, name or URL', () => {
    for (const m of manifests) {
      for (const rule of m.rules ?? []) {
        expect([
          ...(rule.apiGroups ?? []),
          ...(rule.resources ?? []),
          ...rule.verbs,
        ]).not.toContainEqual(expect.stringContaining('*'));
        expect(rule.resourceNames).toBeUndefined();
        expect(rule.nonResourceURLs).toBeUndefined();
        expect(rule.verbs).not.toEqual(
          expect.arrayContaining([
            expect.stringMatching(/^(escalate|bind|impersonate|update|patch)$/),
          ]),
        );
      }
    }
  });

  it('bind each role to one service account, in the right scope', () => {
    const binding = find(
      manifests,
      'RoleBinding',
      'observability-ir-forensics',
    );
    expect(binding.metadata.namespace).toBe(namespace);
    expect(binding.roleRef).toEqual({
      apiGroup: 'rbac.authorization.k8s.io',
      kind: 'Role',
      name: 'observability-ir-forensics',
    });
    const clusterBinding = find(
      manifests,
      'ClusterRoleBinding',
      'observability-ir-evidence-reader',
    );
    expect(clusterBinding.roleRef).toEqual({
      apiGroup: 'rbac.authorization.k8s.io',
      kind: 'ClusterRole',
      name: 'observability-ir-evidence-reader',
    });
    for (const b of [binding, clusterBinding]) {
      expect(b.subjects).toEqual([
        { kind: 'ServiceAccount', name: 'backstage', namespace: 'backstage' },
      ]);
    }
  });
});
