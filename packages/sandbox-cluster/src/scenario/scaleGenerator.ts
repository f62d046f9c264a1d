import { ClusterSpec, ScaleParams } from './schema';

/**
 * Builds the clusters of the `scale` scenario: many namespaces of small
 * deployments, a few percent of whose pods are OOMKilled in a loop.
 */
export function generateScaleClusters(params: ScaleParams): ClusterSpec[] {
  const clusters: ClusterSpec[] = [];
  for (let c = 0; c < params.clusters; c++) {
    const nodes = Array.from({ length: params.nodesPerCluster }, (_, n) => ({
      name: `worker-${n + 1}`,
      internalIP: `10.${c}.${Math.floor(n / 250)}.${(n % 250) + 1}`,
      capacity: { cpu: '16', memory: '64Gi' },
    }));
    const namespaces = Array.from(
      { length: params.namespaces },
      (_, i) => `team-${String(i + 1).padStart(3, '0')}`,
    );
    const deployments: ClusterSpec['deployments'] = [];
    let podIndex = 0;
    let deploymentIndex = 0;
    const oomEvery =
      params.oomPercent > 0
        ? Math.max(1, Math.round(100 / params.oomPercent))
        : 0;
    for (const namespace of namespaces) {
      // Pods come in deployments of two so every workload has replicas.
      for (let p = 0; p < params.podsPerNamespace; p += 2) {
        const replicas = Math.min(2, params.podsPerNamespace - p);
        const app = `svc-${p / 2 + 1}`;
        const oom = oomEvery > 0 && deploymentIndex % oomEvery === oomEvery - 1;
        deploymentIndex++;
        const rs = `${app}-7d9f${(p / 2) % 10}c`;
        const firstNode = podIndex;
        deployments.push({
          name: app,
          namespace,
          labels: { app, tier: 'backend' },
          replicaSet: rs,
          pods: Array.from({ length: replicas }, (_, r) => ({
            name: `${rs}-${String.fromCharCode(97 + r)}x${p}`,
            node: nodes[(firstNode + r) % nodes.length].name,
            restarts: oom ? 12 : 0,
            createdAt: oom ? undefined : '-5h',
          })),
          containers: [
            {
              name: app,
              image: `registry.example.com/${namespace}/${app}:1.0.0`,
              ports: [{ name: 'http', containerPort: 8080 }],
              resources: {
                requests: { cpu: '100m', memory: '192Mi' },
                limits: { cpu: '500m', memory: '256Mi' },
              },
              behavior: oom
                ? {
                    type: 'memory-leak' as const,
                    cpuCores: 0.05,
                    startupSeconds: 240,
                    logs: { intervalSeconds: 60 },
                    baselineMemory: '96Mi',
                    demandMemory: '400Mi',
                    rampSeconds: 200,
                    restartDelaySeconds: 20,
                  }
                : {
                    type: 'steady' as const,
                    cpuCores: 0.05,
                    startupSeconds: 20,
                    logs: { intervalSeconds: 300 },
                    memory: '128Mi',
                    networkUnreachable: false,
                  },
            },
          ],
        });
        podIndex += replicas;
      }
    }
    clusters.push({
      name: c === 0 ? 'sandbox' : `sandbox-${c + 1}`,
      nodes,
      namespaces,
      deployments,
      services: [],
      serviceMonitors: [],
    });
  }
  return clusters;
}
