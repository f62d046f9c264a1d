import { execFile } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { promisify } from 'node:util';
import { startSandbox, Sandbox } from '../sandbox';
import { findBinary } from '../testing/binaries';
import { WORKLOADS_SCENARIO } from './workloadsScenario.fixture';

const run = promisify(execFile);
const kubectlBin = findBinary('kubectl');
const jqBin = findBinary('jq');
const maybe = kubectlBin && jqBin ? describe : describe.skip;

const LAB_JSONPATH =
  '{range .items[*]}{.metadata.name}{"\\t restarts: "}{.status.containerStatuses[0].restartCount}{"\\t reason: "}{.status.containerStatuses[0].lastState.terminated.reason}{"\\n"}{end}';

const FIXED_MANIFEST = `apiVersion: apps/v1
kind: Deployment
metadata:
  name: checkout-api
  namespace: finance
  labels:
    app: checkout
    tier: backend
    backstage.io/kubernetes-id: checkout-api
spec:
  replicas: 2
  selector:
    matchLabels:
      app: checkout
  template:
    metadata:
      labels:
        app: checkout
        tier: backend
        backstage.io/kubernetes-id: checkout-api
    spec:
      containers:
        - name: checkout-api
          image: registry.example.com/finance/checkout-api:1.8.2
          ports:
            - name: http
              containerPort: 8080
          resources:
            requests:
              cpu: 250m
              memory: 384Mi
            limits:
              cpu: "1"
              memory: 1Gi
          readinessProbe:
            httpGet: { path: /actuator/health/readiness, port: http }
            initialDelaySeconds: 20
            periodSeconds: 10
          livenessProbe:
            httpGet: { path: /actuator/health/liveness, port: http }
            initialDelaySeconds: 300
            periodSeconds: 20
`;

maybe('kubectl against the sandbox (checkout-oom lab)', () => {
  jest.setTimeout(60_000);
  let sandbox: Sandbox;
  let dir: string;

  const kubectl = async (...args: string[]) => {
    const { stdout } = await run(kubectlBin!, args, {
      env: { ...process.env, KUBECONFIG: sandbox.kubeconfigPath },
    });
    return stdout;
  };
  const shell = async (command: string) => {
    const { stdout } = await run('sh', ['-c', command], {
      env: { ...process.env, KUBECONFIG: sandbox.kubeconfigPath },
    });
    return stdout;
  };
  const restarts = async () => {
    const out = await kubectl(
      'get',
      'pods',
      '-n',
      'finance',
      '-l',
      'app=checkout',
      '-o',
      'json',
    );
    return JSON.parse(out).items.map(
      (p: any) => p.status.containerStatuses[0].restartCount as number,
    );
  };

  beforeAll(async () => {
    dir = fs.mkdtempSync(path.join(os.tmpdir(), 'kubectl-lab-'));
    // Frozen clock: the lab's numbers are exactly as at scenario start.
    sandbox = await startSandbox({
      scenario: 'checkout-oom',
      speed: 0,
      kubeconfigPath: path.join(dir, 'kubeconfig'),
    });
  });

  afterAll(async () => {
    await sandbox.close();
    fs.rmSync(dir, { recursive: true, force: true });
  });

  it('prints the lab restart/reason lines with the jsonpath command', async () => {
    const out = await kubectl(
      'get',
      'pods',
      '-n',
      'finance',
      '-o',
      `jsonpath=${LAB_JSONPATH}`,
    );
    expect(out).toBe(
      'checkout-api-v1-abc\t restarts: 45\t reason: OOMKilled\ncheckout-api-v1-xyz\t restarts: 42\t reason: OOMKilled\n',
    );
  });

  it('lists the OOMKilled pods with the silent-outage jq pipeline', async () => {
    const out = await shell(
      `${kubectlBin} get pods -A -o json | ${jqBin} -r '.items[] | select(.status.containerStatuses[].lastState.terminated.reason == "OOMKilled") | .metadata.name'`,
    );
    expect(out.trim().split('\n')).toEqual([
      'checkout-api-v1-abc',
      'checkout-api-v1-xyz',
    ]);
  });

  it('shows all pods Running and the node with -o wide', async () => {
    const wide = await kubectl(
      'get',
      'pod',
      'checkout-api-v1-abc',
      '-n',
      'finance',
      '-o',
      'wide',
    );
    const [header, row] = wide.trim().split('\n');
    expect(header).toMatch(
      /^NAME\s+READY\s+STATUS\s+RESTARTS\s+AGE\s+IP\s+NODE/,
    );
    expect(row).toMatch(
      /^checkout-api-v1-abc\s+0\/1\s+Running\s+45 \(\S+ ago\)\s+\S+\s+10\.244\.\d+\.\d+\s+worker-1\s/,
    );
    const all = await kubectl('get', 'pods', '-n', 'finance');
    expect(all).toMatch(/checkout-api-v1-xyz\s+0\/1\s+Running\s+42/);
  });

  it('answers API errors with Status objects kubectl understands', async () => {
    await expect(
      kubectl('get', 'pod', 'nope', '-n', 'finance'),
    ).rejects.toMatchObject({
      stderr: expect.stringContaining('pods "nope" not found'),
    });
    await expect(
      kubectl('get', 'pods', '-A', '-l', 'app in ('),
    ).rejects.toMatchObject({
      stderr: expect.stringMatching(
        /unable to parse requirement|couldn't parse/,
      ),
    });
  });

  it('keeps OOM-killing until the fix, and kubectl apply of a 1Gi limit stops the restarts', async () => {
    const before = await restarts();
    sandbox.advance(20 * 60_000);
    const later = await restarts();
    expect(later[0]).toBeGreaterThan(before[0] + 3);

    const manifest = path.join(dir, 'checkout-deploy.yaml');
    fs.writeFileSync(manifest, FIXED_MANIFEST);
    const applied = await kubectl('apply', '-f', manifest);
    expect(applied.trim()).toBe('deployment.apps/checkout-api configured');
    const deployment = JSON.parse(
      await kubectl(
        'get',
        'deployment',
        'checkout-api',
        '-n',
        'finance',
        '-o',
        'json',
      ),
    );
    expect(
      deployment.spec.template.spec.containers[0].resources.limits.memory,
    ).toBe('1Gi');

    // Let the rollout finish: new pods start, become Ready, old ones go.
    sandbox.advance(6 * 60_000);
    const pods = JSON.parse(
      await kubectl(
        'get',
        'pods',
        '-n',
        'finance',
        '-l',
        'app=checkout',
        '-o',
        'json',
      ),
    ).items;
    expect(pods).toHaveLength(2);
    for (const pod of pods) {
      expect(pod.metadata.name).not.toMatch(/^checkout-api-v1-/);
      expect(pod.metadata.name).toMatch(
        /^checkout-api-[a-z0-9]{10}-[a-z0-9]{5}$/,
      );
      expect(pod.spec.containers[0].resources.limits.memory).toBe('1Gi');
    }
    const afterRollout = await restarts();
    sandbox.advance(30 * 60_000);
    expect(await restarts()).toEqual(afterRollout);
    expect(afterRollout).toEqual([0, 0]);
    const table = await kubectl(
      'get',
      'pods',
      '-n',
      'finance',
      '-l',
      'app=checkout',
    );
    const rows = table.trim().split('\n').slice(1);
    expect(rows).toHaveLength(2);
    for (const row of rows) {
      expect(row).toMatch(/\s1\/1\s+Running\s+0\s/);
    }
    // Prometheus agrees: only the new pods report, memory settles below 1Gi.
    const prom = async (q: string) =>
      (
        await (
          await fetch(
            `${
              sandbox.clusters[0].prometheusUrl
            }/api/v1/query?query=${encodeURIComponent(q)}`,
          )
        ).json()
      ).data.result;
    const restartSeries = await prom(
      'kube_pod_container_status_restarts_total{namespace="finance"}',
    );
    expect(restartSeries.map((r: any) => r.metric.pod).sort()).toEqual(
      pods.map((p: any) => p.metadata.name).sort(),
    );
    const memory = await prom(
      'max_over_time(container_memory_working_set_bytes{namespace="finance"}[10m]) / on(pod) group_left max by (pod) (kube_pod_container_resource_limits{namespace="finance", resource="memory"})',
    );
    expect(memory).toHaveLength(2);
    for (const r of memory) {
      expect(Number(r.value[1])).toBeGreaterThan(0.5);
      expect(Number(r.value[1])).toBeLessThan(0.8);
    }
    const rs = await kubectl('get', 'rs', '-n', 'finance', '-o', 'name');
    expect(rs.trim().split('\n')).toHaveLength(2);
  });
});

maybe('kubectl against StatefulSets, DaemonSets, HPAs and CronJobs', () => {
  jest.setTimeout(60_000);
  let sandbox: Sandbox;
  let dir: string;

  const kubectl = async (...args: string[]) => {
    const { stdout } = await run(kubectlBin!, args, {
      env: { ...process.env, KUBECONFIG: sandbox.kubeconfigPath },
    });
    return stdout;
  };

  beforeAll(async () => {
    dir = fs.mkdtempSync(path.join(os.tmpdir(), 'kubectl-workloads-'));
    sandbox = await startSandbox({
      scenario: WORKLOADS_SCENARIO,
      speed: 0,
      kubeconfigPath: path.join(dir, 'kubeconfig'),
    });
  });

  afterAll(async () => {
    await sandbox.close();
    fs.rmSync(dir, { recursive: true, force: true });
  });

  it('prints them with kubectl get -A and the columns kubectl shows', async () => {
    const out = await kubectl(
      'get',
      'statefulsets,daemonsets,hpa,cronjobs',
      '-A',
    );
    const sections = out.trim().split(/\n\s*\n/);
    expect(sections).toHaveLength(4);
    const [sts, ds, hpa, cj] = sections.map(s => s.split('\n'));
    expect(sts[0]).toMatch(/^NAMESPACE\s+NAME\s+READY\s+AGE$/);
    expect(sts[1]).toMatch(
      /^shop\s+statefulset\.apps\/orders-db\s+2\/2\s+\S+$/,
    );
    expect(ds[0]).toMatch(
      /^NAMESPACE\s+NAME\s+DESIRED\s+CURRENT\s+READY\s+UP-TO-DATE\s+AVAILABLE\s+NODE SELECTOR\s+AGE$/,
    );
    expect(ds[1]).toMatch(
      /^monitoring\s+daemonset\.apps\/node-exporter\s+2\s+2\s+2\s+2\s+2\s+<none>\s+\S+$/,
    );
    expect(hpa[0]).toMatch(
      /^NAMESPACE\s+NAME\s+REFERENCE\s+TARGETS\s+MINPODS\s+MAXPODS\s+REPLICAS\s+AGE$/,
    );
    expect(hpa[1]).toMatch(
      /^shop\s+horizontalpodautoscaler\.autoscaling\/orders-db\s+StatefulSet\/orders-db\s+memory: \d+%\/50%\s+2\s+5\s+2\s+\S+$/,
    );
    expect(cj[0]).toMatch(
      /^NAMESPACE\s+NAME\s+SCHEDULE\s+TIMEZONE\s+SUSPEND\s+ACTIVE\s+LAST SCHEDULE\s+AGE$/,
    );
    expect(cj[1]).toMatch(
      /^shop\s+cronjob\.batch\/nightly-report\s+0 2 \* \* \*\s+<none>\s+False\s+0\s+<none>\s+\S+$/,
    );
  });

  it('patches a DaemonSet memory limit and rolls out new pods', async () => {
    const before = JSON.parse(
      await kubectl('get', 'pods', '-n', 'monitoring', '-o', 'json'),
    ).items.map((p: any) => p.metadata.name);
    const out = await kubectl(
      '-n',
      'monitoring',
      'patch',
      'daemonset',
      'node-exporter',
      '--type',
      'strategic',
      '-p',
      '{"spec":{"template":{"spec":{"containers":[{"name":"node-exporter","resources":{"limits":{"memory":"256Mi"}}}]}}}}',
    );
    expect(out.trim()).toBe('daemonset.apps/node-exporter patched');
    sandbox.advance(10 * 60_000);
    const pods = JSON.parse(
      await kubectl('get', 'pods', '-n', 'monitoring', '-o', 'json'),
    ).items;
    expect(pods).toHaveLength(2);
    for (const p of pods) {
      expect(before).not.toContain(p.metadata.name);
      expect(p.spec.containers[0].resources.limits.memory).toBe('256Mi');
      expect(p.status.containerStatuses[0].ready).toBe(true);
    }
    const wide = await kubectl('get', 'ds', '-n', 'monitoring', '-o', 'wide');
    expect(wide.trim().split('\n')[1]).toMatch(
      /^node-exporter\s+2\s+2\s+2\s+2\s+2\s+<none>\s+\S+\s+node-exporter\s+quay\.io\/prometheus\/node-exporter:v1\.8\.2\s+app=node-exporter$/,
    );
  });
});
