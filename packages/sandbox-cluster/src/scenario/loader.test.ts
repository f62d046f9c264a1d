import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import YAML from 'yaml';
import {
  listScenarioNames,
  loadScenario,
  parseScenario,
  ScenarioError,
  SCENARIOS_DIR,
} from './loader';

function checkoutDocument() {
  return YAML.parse(
    fs.readFileSync(path.join(SCENARIOS_DIR, 'checkout-oom.yaml'), 'utf8'),
  );
}

describe('scenario loading', () => {
  it('ships the documented scenarios and every one of them loads', () => {
    const names = listScenarioNames();
    expect(names).toEqual(
      expect.arrayContaining([
        'checkout-oom',
        'healthy',
        'network-fault',
        'cpu-throttling',
        'node-memory-pressure',
        'app-crash',
        'probe-misconfig',
        'multi-cluster',
        'scale',
      ]),
    );
    for (const name of names) {
      const scenario = loadScenario(name);
      expect(scenario.name).toBe(name);
      expect(scenario.clusters.length).toBeGreaterThan(0);
    }
  });

  it('loads a scenario from a path', () => {
    const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'scenario-'));
    const file = path.join(dir, 'mine.yaml');
    const doc = checkoutDocument();
    doc.name = 'mine';
    fs.writeFileSync(file, YAML.stringify(doc));
    expect(loadScenario(file).name).toBe('mine');
    fs.rmSync(dir, { recursive: true });
  });

  it('names the bad field path when a value is invalid', () => {
    const doc = checkoutDocument();
    doc.clusters[0].deployments[0].containers[0].resources.limits.memory =
      'lots';
    expect(() => parseScenario(doc, 'test.yaml')).toThrow(
      /clusters\[0\]\.deployments\[0\]\.containers\[0\]\.resources\.limits\.memory: must be a Kubernetes quantity/,
    );
  });

  it('names unknown fields and wrong behaviour types', () => {
    const doc = checkoutDocument();
    doc.clusters[0].deployments[0].containers[0].behavior.type = 'explode';
    doc.clusters[0].nodes[1].colour = 'blue';
    let error: unknown;
    try {
      parseScenario(doc, 'test.yaml');
    } catch (e) {
      error = e;
    }
    expect(error).toBeInstanceOf(ScenarioError);
    const message = (error as Error).message;
    expect(message).toMatch(
      /clusters\[0\]\.deployments\[0\]\.containers\[0\]\.behavior\.type/,
    );
    expect(message).toMatch(
      /clusters\[0\]\.nodes\[1\]: Unrecognized key\(s\) in object: 'colour'/,
    );
  });

  it('rejects references to nodes that do not exist', () => {
    const doc = checkoutDocument();
    doc.clusters[0].deployments[0].pods[1].node = 'worker-9';
    expect(() => parseScenario(doc, 'test.yaml')).toThrow(
      /clusters\[0\]\.deployments\[0\]\.pods\[1\]\.node: unknown node "worker-9"/,
    );
  });

  it('merges per-pod behaviour fields and names the path of bad ones', () => {
    const doc = checkoutDocument();
    const pods = doc.clusters[0].deployments[0].pods;
    pods[1].behavior = { 'checkout-api': { demandMemory: '900Mi' } };
    const ok = parseScenario(doc, 'test.yaml');
    expect(ok.clusters[0].deployments[0].pods[1].behavior).toEqual({
      'checkout-api': { demandMemory: '900Mi' },
    });

    pods[1].behavior = {
      'checkout-api': { demandMemory: 'lots', memory: '1Gi' },
      sidecar: { cpuCores: 1 },
    };
    pods[0].behavior = { 'checkout-api': { type: 'steady' } };
    let error: unknown;
    try {
      parseScenario(doc, 'test.yaml');
    } catch (e) {
      error = e;
    }
    expect(error).toBeInstanceOf(ScenarioError);
    const message = (error as Error).message;
    expect(message).toMatch(
      /clusters\[0\]\.deployments\[0\]\.pods\[1\]\.behavior\.checkout-api\.demandMemory: must be a Kubernetes quantity/,
    );
    expect(message).toMatch(
      /clusters\[0\]\.deployments\[0\]\.pods\[1\]\.behavior\.checkout-api: Unrecognized key\(s\) in object: 'memory'/,
    );
    expect(message).toMatch(
      /clusters\[0\]\.deployments\[0\]\.pods\[1\]\.behavior\.sidecar: no container "sidecar"/,
    );
    expect(message).toMatch(
      /clusters\[0\]\.deployments\[0\]\.pods\[0\]\.behavior\.checkout-api\.type: must be the container's behaviour type "memory-leak"/,
    );
  });

  it('checks StatefulSets, DaemonSets, HPAs and CronJobs', () => {
    const doc = checkoutDocument();
    const container = doc.clusters[0].deployments[0].containers[0];
    doc.clusters[0].statefulSets = [
      {
        name: 'orders-db',
        namespace: 'finance',
        pods: [
          { node: 'worker-1' },
          {
            node: 'worker-2',
            behavior: { 'checkout-api': { rampSeconds: -1 } },
          },
        ],
        containers: [container],
      },
    ];
    doc.clusters[0].daemonSets = [
      {
        name: 'agent',
        namespace: 'nowhere',
        pods: [{ node: 'worker-1' }, { node: 'worker-1' }],
        containers: [container],
      },
    ];
    doc.clusters[0].horizontalPodAutoscalers = [
      {
        name: 'checkout-api',
        namespace: 'finance',
        scaleTargetRef: { kind: 'StatefulSet', name: 'checkout-api' },
        maxReplicas: 4,
        metrics: [{ resource: 'memory', averageUtilization: 80 }],
      },
    ];
    doc.clusters[0].cronJobs = [
      {
        name: 'report',
        namespace: 'finance',
        schedule: 'daily',
        containers: [{ name: 'report', image: 'report:1' }],
      },
    ];
    const error = (() => {
      try {
        parseScenario(doc, 'test.yaml');
        return '';
      } catch (e) {
        return (e as Error).message;
      }
    })();
    expect(error).toMatch(
      /clusters\[0\]\.cronJobs\[0\]\.schedule: must be a cron schedule/,
    );
    doc.clusters[0].cronJobs[0].schedule = '0 2 * * *';
    const second = (() => {
      try {
        parseScenario(doc, 'test.yaml');
        return '';
      } catch (e) {
        return (e as Error).message;
      }
    })();
    expect(second).toMatch(
      /clusters\[0\]\.statefulSets\[0\]\.pods\[1\]\.behavior\.checkout-api\.rampSeconds: Number must be greater than 0/,
    );
    expect(second).toMatch(
      /clusters\[0\]\.daemonSets\[0\]\.namespace: unknown namespace "nowhere"/,
    );
    expect(second).toMatch(
      /clusters\[0\]\.daemonSets\[0\]\.pods\[1\]\.node: a DaemonSet runs one pod per node/,
    );
    expect(second).toMatch(
      /clusters\[0\]\.horizontalPodAutoscalers\[0\]\.scaleTargetRef: no StatefulSet "checkout-api" in namespace "finance"/,
    );
  });

  it('explains unknown scenario names', () => {
    expect(() => loadScenario('nope')).toThrow(
      /unknown scenario "nope"; shipped scenarios: .*checkout-oom/,
    );
  });

  it('generates the scale scenario from parameters', () => {
    const small = loadScenario('scale');
    const pods = small.clusters.flatMap(c =>
      c.deployments.flatMap(d => d.pods),
    );
    expect(pods.length).toBeGreaterThan(10);
    const big = loadScenario('scale', {
      clusters: 3,
      namespaces: 200,
      podsPerNamespace: 50,
      oomPercent: 3,
    });
    expect(big.clusters).toHaveLength(3);
    const bigPods = big.clusters[0].deployments.flatMap(d => d.pods);
    expect(bigPods.length).toBe(10_000);
    const oom = big.clusters[0].deployments
      .filter(d => d.containers[0].behavior.type === 'memory-leak')
      .flatMap(d => d.pods);
    expect(oom.length / bigPods.length).toBeGreaterThan(0.02);
    expect(oom.length / bigPods.length).toBeLessThan(0.08);
  });
});
