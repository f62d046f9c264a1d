import fs from 'node:fs';
import path from 'node:path';
import YAML from 'yaml';
import { ZodError } from 'zod';
import {
  ScaleParams,
  Scenario,
  scaleParamsSchema,
  scenarioSchema,
} from './schema';
import { generateScaleClusters } from './scaleGenerator';
import { mergeBehavior } from './behaviorOverrides';
import { BehaviorOverrides, ContainerSpec } from './schema';
import { parsePromQL } from '../prometheus/promql/parse';
import { parseTemplate } from '../alerting/template';

/**
 * Directory holding the scenarios shipped with the package, found through
 * the package manifest so it works from sources and from a build alike.
 */
export const SCENARIOS_DIR = path.join(
  path.dirname(
    require.resolve('@observability-ir/sandbox-cluster/package.json'),
  ),
  'scenarios',
);

/** Raised when a scenario cannot be found, parsed or validated. */
export class ScenarioError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'ScenarioError';
  }
}

/** Names of the scenarios shipped in `scenarios/`. */
export function listScenarioNames(): string[] {
  return fs
    .readdirSync(SCENARIOS_DIR)
    .filter(f => f.endsWith('.yaml'))
    .map(f => f.replace(/\.yaml$/, ''))
    .sort();
}

function formatPath(segments: Array<string | number>): string {
  return segments
    .map((s, i) => {
      if (typeof s === 'number') return `[${s}]`;
      return i ? `.${s}` : s;
    })
    .join('');
}

/** Turns zod issues into one readable message naming each bad field. */
export function describeValidationError(source: string, error: ZodError) {
  const lines = error.issues.map(issue => {
    const where = formatPath(issue.path) || '(root)';
    return `  ${where}: ${issue.message}`;
  });
  return `invalid scenario ${source}:\n${lines.join('\n')}`;
}

/**
 * Validates an already parsed scenario document and expands generated
 * clusters.
 */
export function parseScenario(
  document: unknown,
  source = '(inline)',
  scaleOverrides: Partial<ScaleParams> = {},
): Scenario {
  const result = scenarioSchema.safeParse(document);
  if (!result.success) {
    throw new ScenarioError(describeValidationError(source, result.error));
  }
  const file = result.data;
  let clusters = file.clusters;
  if (file.generate) {
    const params = scaleParamsSchema.safeParse({
      ...file.generate.params,
      ...scaleOverrides,
    });
    if (!params.success) {
      throw new ScenarioError(describeValidationError(source, params.error));
    }
    clusters = generateScaleClusters(params.data);
  }
  const scenario: Scenario = {
    name: file.name,
    description: file.description,
    seed: file.seed,
    historyHours: file.historyHours,
    scrapeIntervalSeconds: file.scrapeIntervalSeconds,
    clusters: clusters!,
    ...(file.alertRules ? { alertRules: file.alertRules } : {}),
  };
  checkReferences(scenario, source);
  return scenario;
}

/**
 * Per-pod behaviour fields: each names a container of the workload and,
 * merged over that container's behaviour, is a valid behaviour.
 */
function checkOverrides(
  at: string,
  containers: ContainerSpec[],
  overrides: BehaviorOverrides | undefined,
  problems: string[],
) {
  for (const [name, override] of Object.entries(overrides ?? {})) {
    const where = `${at}.behavior.${name}`;
    const container = containers.find(c => c.name === name);
    if (!container) {
      problems.push(
        `  ${where}: no container "${name}" (containers: ${containers
          .map(c => c.name)
          .join(', ')})`,
      );
      continue;
    }
    const merged = mergeBehavior(container.behavior, override);
    if (!merged.ok) {
      for (const issue of merged.issues) {
        const field = issue.path.length ? `.${formatPath(issue.path)}` : '';
        problems.push(`  ${where}${field}: ${issue.message}`);
      }
    }
  }
}

/** Cross-field checks zod cannot express on its own. */
function checkReferences(scenario: Scenario, source: string) {
  const problems: string[] = [];
  const clusterNames = new Set<string>();
  scenario.clusters.forEach((cluster, ci) => {
    if (clusterNames.has(cluster.name)) {
      problems.push(
        `  clusters[${ci}].name: duplicate cluster "${cluster.name}"`,
      );
    }
    clusterNames.add(cluster.name);
    const nodes = new Set(cluster.nodes.map(n => n.name));
    const namespaces = new Set(cluster.namespaces);
    const podNames = new Set<string>();
    cluster.deployments.forEach((d, di) => {
      const at = `clusters[${ci}].deployments[${di}]`;
      if (!namespaces.has(d.namespace)) {
        problems.push(`  ${at}.namespace: unknown namespace "${d.namespace}"`);
      }
      d.pods.forEach((p, pi) => {
        if (!nodes.has(p.node)) {
          problems.push(`  ${at}.pods[${pi}].node: unknown node "${p.node}"`);
        }
        const key = `${d.namespace}/${p.name}`;
        if (podNames.has(key)) {
          problems.push(`  ${at}.pods[${pi}].name: duplicate pod "${key}"`);
        }
        podNames.add(key);
        checkOverrides(`${at}.pods[${pi}]`, d.containers, p.behavior, problems);
      });
    });
    const workloads = [
      ...(cluster.statefulSets ?? []).map((w, i) => ({
        w,
        at: `clusters[${ci}].statefulSets[${i}]`,
        pods: w.pods,
      })),
      ...(cluster.daemonSets ?? []).map((w, i) => ({
        w,
        at: `clusters[${ci}].daemonSets[${i}]`,
        pods: w.pods ?? [],
      })),
    ];
    for (const { w, at, pods } of workloads) {
      if (!namespaces.has(w.namespace)) {
        problems.push(`  ${at}.namespace: unknown namespace "${w.namespace}"`);
      }
      const daemon = at.includes('.daemonSets[');
      const used = new Set<string>();
      pods.forEach((p, pi) => {
        if (!nodes.has(p.node)) {
          problems.push(`  ${at}.pods[${pi}].node: unknown node "${p.node}"`);
        } else if (daemon && used.has(p.node)) {
          problems.push(
            `  ${at}.pods[${pi}].node: a DaemonSet runs one pod per node; "${p.node}" is listed twice`,
          );
        }
        used.add(p.node);
        checkOverrides(`${at}.pods[${pi}]`, w.containers, p.behavior, problems);
      });
    }
    const scaleTargets = new Set([
      ...cluster.deployments.map(d => `Deployment/${d.namespace}/${d.name}`),
      ...(cluster.statefulSets ?? []).map(
        s => `StatefulSet/${s.namespace}/${s.name}`,
      ),
    ]);
    (cluster.horizontalPodAutoscalers ?? []).forEach((h, hi) => {
      const at = `clusters[${ci}].horizontalPodAutoscalers[${hi}]`;
      if (!namespaces.has(h.namespace)) {
        problems.push(`  ${at}.namespace: unknown namespace "${h.namespace}"`);
      }
      const ref = h.scaleTargetRef;
      if (!scaleTargets.has(`${ref.kind}/${h.namespace}/${ref.name}`)) {
        problems.push(
          `  ${at}.scaleTargetRef: no ${ref.kind} "${ref.name}" in namespace "${h.namespace}"`,
        );
      }
    });
    (cluster.cronJobs ?? []).forEach((c, i) => {
      if (!namespaces.has(c.namespace)) {
        problems.push(
          `  clusters[${ci}].cronJobs[${i}].namespace: unknown namespace "${c.namespace}"`,
        );
      }
    });
    cluster.services.forEach((s, si) => {
      if (!namespaces.has(s.namespace)) {
        problems.push(
          `  clusters[${ci}].services[${si}].namespace: unknown namespace "${s.namespace}"`,
        );
      }
    });
    cluster.serviceMonitors.forEach((s, si) => {
      if (!namespaces.has(s.namespace)) {
        problems.push(
          `  clusters[${ci}].serviceMonitors[${si}].namespace: unknown namespace "${s.namespace}"`,
        );
      }
    });
  });
  checkAlertRules(scenario, problems);
  if (problems.length) {
    throw new ScenarioError(
      `invalid scenario ${source}:\n${problems.join('\n')}`,
    );
  }
}

/**
 * Alert rules as Prometheus checks a rule file: unique group names, an
 * expression that parses, label and annotation templates that parse.
 */
function checkAlertRules(scenario: Scenario, problems: string[]) {
  const groupNames = new Set<string>();
  (scenario.alertRules ?? []).forEach((group, gi) => {
    const at = `alertRules[${gi}]`;
    if (groupNames.has(group.name)) {
      problems.push(`  ${at}.name: duplicate rule group "${group.name}"`);
    }
    groupNames.add(group.name);
    group.rules.forEach((rule, ri) => {
      const ruleAt = `${at}.rules[${ri}]`;
      try {
        parsePromQL(rule.expr);
      } catch (e) {
        problems.push(`  ${ruleAt}.expr: ${(e as Error).message}`);
      }
      for (const kind of ['labels', 'annotations'] as const) {
        for (const [name, text] of Object.entries(rule[kind])) {
          try {
            parseTemplate(text);
          } catch (e) {
            problems.push(
              `  ${ruleAt}.${kind}.${name}: template: ${(e as Error).message}`,
            );
          }
        }
      }
    });
  });
}

/**
 * Loads a scenario by shipped name (`checkout-oom`) or by path to a YAML
 * file.
 */
export function loadScenario(
  nameOrPath: string,
  scaleOverrides: Partial<ScaleParams> = {},
): Scenario {
  const looksLikePath =
    nameOrPath.includes('/') ||
    nameOrPath.includes(path.sep) ||
    /\.ya?ml$/.test(nameOrPath);
  const file = looksLikePath
    ? path.resolve(nameOrPath)
    : path.join(SCENARIOS_DIR, `${nameOrPath}.yaml`);
  if (!fs.existsSync(file)) {
    const known = listScenarioNames().join(', ');
    throw new ScenarioError(
      looksLikePath
        ? `scenario file ${file} does not exist`
        : `unknown scenario "${nameOrPath}"; shipped scenarios: ${known}`,
    );
  }
  let document: unknown;
  try {
    document = YAML.parse(fs.readFileSync(file, 'utf8'));
  } catch (e) {
    throw new ScenarioError(
      `scenario ${file} is not valid YAML: ${(e as Error).message}`,
    );
  }
  return parseScenario(document, file, scaleOverrides);
}
