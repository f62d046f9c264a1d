/** A cluster with per-pod overrides, probes on numeric and missing ports,
 * a StatefulSet, a DaemonSet, HPAs and a CronJob. */
export const WORKLOADS_SCENARIO = {
  name: 'workloads',
  seed: 11,
  historyHours: 1,
  clusters: [
    {
      name: 'sandbox',
      nodes: [
        { name: 'worker-1', internalIP: '10.0.1.11' },
        { name: 'worker-2', internalIP: '10.0.1.12' },
      ],
      namespaces: ['shop', 'monitoring'],
      deployments: [
        {
          name: 'checkout-api',
          namespace: 'shop',
          labels: { app: 'checkout' },
          replicaSet: 'checkout-api-v1',
          pods: [
            { name: 'checkout-api-v1-a', node: 'worker-1', createdAt: '-50m' },
            {
              name: 'checkout-api-v1-b',
              node: 'worker-2',
              restarts: 12,
              behavior: { 'checkout-api': { demandMemory: '900Mi' } },
            },
            { name: 'checkout-api-v1-c', node: 'worker-2', createdAt: '-50m' },
          ],
          containers: [
            {
              name: 'checkout-api',
              image: 'registry.example.com/shop/checkout-api:2.0.1',
              ports: [{ name: 'http', containerPort: 8080 }],
              resources: {
                requests: { cpu: '250m', memory: '256Mi' },
                limits: { cpu: '1', memory: '512Mi' },
              },
              behavior: {
                type: 'memory-leak',
                baselineMemory: '200Mi',
                demandMemory: '400Mi',
                rampSeconds: 120,
                startupSeconds: 15,
              },
            },
          ],
        },
        {
          name: 'probe-numeric',
          namespace: 'shop',
          labels: { app: 'probe-numeric' },
          replicaSet: 'probe-numeric-v1',
          pods: [{ name: 'probe-numeric-v1-a', node: 'worker-1', restarts: 5 }],
          containers: [
            {
              name: 'app',
              image: 'registry.example.com/shop/app:1.0.0',
              ports: [{ name: 'http', containerPort: 8080 }],
              readinessProbe: { httpGet: { path: '/ready', port: 9090 } },
              livenessProbe: {
                tcpSocket: { port: 9191 },
                initialDelaySeconds: 30,
                periodSeconds: 10,
                failureThreshold: 3,
              },
              behavior: { type: 'steady', memory: '100Mi', startupSeconds: 5 },
            },
          ],
        },
        {
          name: 'probe-named',
          namespace: 'shop',
          labels: { app: 'probe-named' },
          replicaSet: 'probe-named-v1',
          pods: [{ name: 'probe-named-v1-a', node: 'worker-2', restarts: 5 }],
          containers: [
            {
              name: 'app',
              image: 'registry.example.com/shop/app:1.0.0',
              ports: [{ name: 'http', containerPort: 8080 }],
              readinessProbe: { tcpSocket: { port: 'metrics' } },
              livenessProbe: {
                httpGet: { path: '/live', port: 'admin' },
                initialDelaySeconds: 30,
                periodSeconds: 10,
                failureThreshold: 3,
              },
              behavior: { type: 'steady', memory: '100Mi', startupSeconds: 5 },
            },
          ],
        },
      ],
      statefulSets: [
        {
          name: 'orders-db',
          namespace: 'shop',
          labels: { app: 'orders-db' },
          pods: [
            { node: 'worker-1', createdAt: '-50m' },
            {
              node: 'worker-2',
              createdAt: '-50m',
              behavior: { postgres: { memory: '700Mi' } },
            },
          ],
          containers: [
            {
              name: 'postgres',
              image: 'postgres:16.4',
              ports: [{ name: 'pg', containerPort: 5432 }],
              resources: {
                requests: { cpu: '500m', memory: '1Gi' },
                limits: { memory: '2Gi' },
              },
              readinessProbe: { tcpSocket: { port: 'pg' } },
              behavior: {
                type: 'steady',
                memory: '500Mi',
                cpuCores: 0.3,
                startupSeconds: 10,
                logs: {
                  intervalSeconds: 30,
                  lines: ['LOG:  checkpoint complete: wrote {n} buffers'],
                },
              },
            },
          ],
        },
      ],
      daemonSets: [
        {
          name: 'node-exporter',
          namespace: 'monitoring',
          labels: { app: 'node-exporter' },
          containers: [
            {
              name: 'node-exporter',
              image: 'quay.io/prometheus/node-exporter:v1.8.2',
              ports: [{ name: 'metrics', containerPort: 9100 }],
              resources: {
                requests: { cpu: '50m', memory: '64Mi' },
                limits: { memory: '128Mi' },
              },
              behavior: { type: 'steady', memory: '40Mi', cpuCores: 0.02 },
            },
          ],
        },
      ],
      horizontalPodAutoscalers: [
        {
          name: 'orders-db',
          namespace: 'shop',
          scaleTargetRef: { kind: 'StatefulSet', name: 'orders-db' },
          minReplicas: 2,
          maxReplicas: 5,
          metrics: [{ resource: 'memory', averageUtilization: 50 }],
        },
      ],
      cronJobs: [
        {
          name: 'nightly-report',
          namespace: 'shop',
          schedule: '0 2 * * *',
          containers: [
            {
              name: 'report',
              image: 'registry.example.com/shop/report:2.1.0',
              args: ['--since', '24h'],
            },
          ],
        },
      ],
    },
  ],
};
