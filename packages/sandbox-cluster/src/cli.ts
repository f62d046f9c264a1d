import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { parseArgs } from 'node:util';
import { startSandbox } from './sandbox';
import { listScenarioNames } from './scenario/loader';

const USAGE = `Usage: sandbox-cluster [options]

Starts a simulated Kubernetes API server, Prometheus and Loki replaying an
incident scenario.

Options:
  --scenario <name|path>   shipped scenario name or path to a YAML file (default: checkout-oom)
  --port <n>               port to listen on, 0 picks a free one (default: 7008)
  --host <addr>            interface to listen on (default: 127.0.0.1)
  --speed <factor>         simulated seconds per real second, 0 freezes time (default: 1)
  --token <token>          require this bearer token on the Kubernetes API (default: accept any)
  --kubeconfig <path>      where to write the kubeconfig (default: <tmp>/sandbox-cluster/kubeconfig)
  --scale-clusters <n>     scale scenario: number of clusters
  --scale-namespaces <n>   scale scenario: namespaces per cluster
  --scale-pods <n>         scale scenario: pods per namespace
  --scale-oom-percent <n>  scale scenario: percentage of OOM-looping workloads
  --fault <spec>           inject a fault, repeatable: <upstream>[@<cluster>]:<kind>[=<value>][,status=<5xx>][,times=<n>]
                           upstream: kubernetes, prometheus, loki, alertmanager or * (all)
                           kind: latency=<500ms>, error=<rate 0-1>, rate-limit=<retry-after>, reset,
                           unreachable, truncate=<share kept>, oversize=<64MiB>, stall-watch
                           (changed at run time with PUT/POST/DELETE /_sandbox/faults)
  --list                   list the shipped scenarios and exit
  --help                   show this help
`;

function number(value: string | undefined, flag: string): number | undefined {
  if (value === undefined) return undefined;
  const n = Number(value);
  if (!Number.isFinite(n) || n < 0) {
    throw new Error(`${flag} must be a non-negative number, got "${value}"`);
  }
  return n;
}

/** Runs the command line interface; resolves once the server is listening. */
export async function main(argv: string[]): Promise<void> {
  const { values } = parseArgs({
    args: argv,
    options: {
      scenario: { type: 'string', default: 'checkout-oom' },
      port: { type: 'string', default: '7008' },
      host: { type: 'string', default: '127.0.0.1' },
      speed: { type: 'string', default: '1' },
      token: { type: 'string' },
      kubeconfig: { type: 'string' },
      'scale-clusters': { type: 'string' },
      'scale-namespaces': { type: 'string' },
      'scale-pods': { type: 'string' },
      'scale-oom-percent': { type: 'string' },
      fault: { type: 'string', multiple: true },
      list: { type: 'boolean', default: false },
      help: { type: 'boolean', default: false },
    },
  });
  if (values.help) {
    process.stdout.write(USAGE);
    return;
  }
  if (values.list) {
    process.stdout.write(`${listScenarioNames().join('\n')}\n`);
    return;
  }
  const scale = Object.fromEntries(
    Object.entries({
      clusters: number(values['scale-clusters'], '--scale-clusters'),
      namespaces: number(values['scale-namespaces'], '--scale-namespaces'),
      podsPerNamespace: number(values['scale-pods'], '--scale-pods'),
      oomPercent: number(values['scale-oom-percent'], '--scale-oom-percent'),
    }).filter(([, v]) => v !== undefined),
  );
  const kubeconfigPath =
    values.kubeconfig ??
    path.join(os.tmpdir(), 'sandbox-cluster', 'kubeconfig');
  fs.mkdirSync(path.dirname(kubeconfigPath), { recursive: true });
  const sandbox = await startSandbox({
    scenario: values.scenario,
    port: number(values.port, '--port'),
    host: values.host,
    speed: number(values.speed, '--speed'),
    token: values.token,
    kubeconfigPath,
    scale,
    faults: values.fault,
  });
  const lines = [
    `sandbox-cluster: scenario "${sandbox.scenario.name}" - ${sandbox.scenario.description}`,
    `  listening on ${sandbox.url} (default cluster also served at the root)`,
    ...sandbox.clusters.flatMap(c => [
      `  cluster ${c.name}:`,
      `    kubernetes    ${c.kubernetesUrl}`,
      `    prometheus    ${c.prometheusUrl}`,
      `    loki          ${c.lokiUrl}`,
      `    alertmanager  ${c.alertmanagerUrl}`,
    ]),
    `  kubeconfig: ${sandbox.kubeconfigPath}`,
    `    export KUBECONFIG=${sandbox.kubeconfigPath}`,
    ...sandbox.faults.list().map(f => `  fault: ${JSON.stringify(f)}`),
  ];
  process.stdout.write(`${lines.join('\n')}\n`);
  const stop = () => {
    sandbox.close().then(() => process.exit(0));
  };
  process.once('SIGINT', stop);
  process.once('SIGTERM', stop);
}
