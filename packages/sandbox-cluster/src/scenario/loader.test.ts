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
