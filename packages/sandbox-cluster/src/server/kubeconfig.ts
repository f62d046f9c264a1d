import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import YAML from 'yaml';

/**
 * Writes a kubeconfig with one context per cluster, each with a user of the
 * cluster's token; returns its path.
 */
export function writeKubeconfig(
  clusters: Array<{ name: string; kubernetesUrl: string }>,
  tokenOf: (cluster: string) => string,
  file?: string,
): string {
  const target =
    file ??
    path.join(
      fs.mkdtempSync(path.join(os.tmpdir(), 'sandbox-cluster-')),
      'kubeconfig',
    );
  const config = {
    apiVersion: 'v1',
    kind: 'Config',
    // Plain http: @kubernetes/client-node refuses http servers unless TLS
    // verification is marked as skipped; kubectl does not mind either way.
    clusters: clusters.map(c => ({
      name: c.name,
      cluster: { server: c.kubernetesUrl, 'insecure-skip-tls-verify': true },
    })),
    users: clusters.map(c => ({
      name: `sandbox-user-${c.name}`,
      user: { token: tokenOf(c.name) },
    })),
    contexts: clusters.map(c => ({
      name: c.name,
      context: { cluster: c.name, user: `sandbox-user-${c.name}` },
    })),
    'current-context': clusters[0].name,
    preferences: {},
  };
  fs.mkdirSync(path.dirname(target), { recursive: true });
  fs.writeFileSync(target, YAML.stringify(config), { mode: 0o600 });
  return target;
}
