import { loadScenario } from './scenario/loader';
import { parseScenario } from './scenario/loader';
import { ScaleParams, Scenario } from './scenario/schema';
import { startServer } from './server/server';
import { writeKubeconfig } from './server/kubeconfig';
import { FaultRegistry, FaultSpec, parseFault } from './faults';
import { RequestLog } from './server/requestLog';
import { World } from './world/world';
import { metricsStore } from './prometheus/storage';

/** Options for {@link startSandbox}. */
export interface SandboxOptions {
  /** Shipped scenario name, path to a scenario file, or a parsed scenario. Defaults to `checkout-oom`. */
  scenario?: string | Scenario | Record<string, unknown>;
  /** Port to listen on; 0 picks a free one. Defaults to 0. */
  port?: number;
  /** Interface to listen on. Defaults to `127.0.0.1`. */
  host?: string;
  /** Simulated seconds per wall-clock second; 0 freezes time. Defaults to 1. */
  speed?: number;
  /** Simulated time of scenario start (Date or ms since epoch). Defaults to now. */
  now?: Date | number;
  /** Require this bearer token on the Kubernetes API (any token is accepted when unset). */
  token?: string;
  /**
   * Per cluster name, the bearer token its Kubernetes API requires instead
   * of `token`: e.g. one cluster taking a service account token, another a
   * user's OIDC ID token.
   */
  tokens?: Record<string, string>;
  /** Where to write a kubeconfig; `false` skips it. Defaults to a temporary file. */
  kubeconfigPath?: string | false;
  /** Overrides of the `scale` scenario's generator parameters. */
  scale?: Partial<ScaleParams>;
  /**
   * The node-forensics script that forensics Jobs run on this machine.
   * Defaults to `forensics/node-forensics.sh` of the backend plugin package.
   */
  forensicsScript?: string;
  /**
   * Time from a Job pod's creation to its container starting (the image
   * pull of a real node); default 2 s.
   */
  jobStartDelayMs?: number;
  /**
   * Faults injected into the cluster APIs from the start, as objects or in
   * the `--fault` flag's form (`prometheus:latency=500ms`); changed later
   * through `sandbox.faults` or `/_sandbox/faults`.
   */
  faults?: Array<FaultSpec | string>;
}

/** Endpoints of one simulated cluster. */
export interface SandboxCluster {
  name: string;
  kubernetesUrl: string;
  prometheusUrl: string;
  lokiUrl: string;
  /** The cluster's Alertmanager (API v2 under it, as `/api/v2/alerts`). */
  alertmanagerUrl: string;
}

/** A running sandbox. */
export interface Sandbox {
  /** Base URL; the first cluster's APIs are also served at its root. */
  url: string;
  scenario: Scenario;
  clusters: SandboxCluster[];
  kubeconfigPath?: string;
  /** The bearer token written to the kubeconfig. */
  token: string;
  /** Current simulated time in ms since the epoch. */
  now(): number;
  /** Moves simulated time forward by the given milliseconds. */
  advance(ms: number): void;
  /** The simulation itself, for exporters and tests. */
  world: World;
  /** The faults injected into the cluster APIs (also at `/_sandbox/faults`). */
  faults: FaultRegistry;
  /**
   * Every request the clusters' Kubernetes API, Prometheus, Loki and
   * Alertmanager received, with each query's selectors parsed (also at
   * `GET /_sandbox/requests`).
   */
  requests: RequestLog;
  close(): Promise<void>;
}

function resolveScenario(options: SandboxOptions): Scenario {
  const s = options.scenario ?? 'checkout-oom';
  if (typeof s === 'string') {
    return loadScenario(s, options.scale);
  }
  if (
    'clusters' in s &&
    Array.isArray((s as Scenario).clusters) &&
    (s as Scenario).scrapeIntervalSeconds
  ) {
    return s as Scenario;
  }
  return parseScenario(s, '(inline)', options.scale);
}

/**
 * Starts a sandbox serving a Kubernetes API server, Prometheus and Loki for
 * every cluster of a scenario.
 *
 * Each cluster answers under `/clusters/<name>/k8s`, `/clusters/<name>/prometheus`
 * and `/clusters/<name>/loki`; the first cluster is also served at the root
 * (`/api`, `/apis`, `/api/v1/query`, `/loki/api/v1/...`) so plain kubectl works.
 */
export async function startSandbox(
  options: SandboxOptions = {},
): Promise<Sandbox> {
  const scenario = resolveScenario(options);
  const faults = new FaultRegistry(
    (options.faults ?? []).map(f =>
      typeof f === 'string' ? parseFault(f) : f,
    ),
  );
  const startMs =
    options.now === undefined ? undefined : new Date(options.now).getTime();
  const world = new World(scenario, {
    startMs,
    speed: options.speed ?? 1,
    forensicsScript: options.forensicsScript,
    jobStartDelayMs: options.jobStartDelayMs,
  });
  // Each Prometheus starts with its series index, not at its first query.
  for (const cluster of world.clusters) metricsStore(cluster).load();
  const running = await startServer(world, {
    host: options.host ?? '127.0.0.1',
    port: options.port ?? 0,
    token: options.token,
    tokens: options.tokens,
    faults,
  });
  const clusters = world.clusters.map(c => ({
    name: c.name,
    kubernetesUrl: `${running.url}/clusters/${c.name}/k8s`,
    prometheusUrl: `${running.url}/clusters/${c.name}/prometheus`,
    lokiUrl: `${running.url}/clusters/${c.name}/loki`,
    alertmanagerUrl: `${running.url}/clusters/${c.name}/alertmanager`,
  }));
  const token = options.token ?? 'sandbox-token';
  const kubeconfigPath =
    options.kubeconfigPath === false
      ? undefined
      : writeKubeconfig(
          clusters,
          name => options.tokens?.[name] ?? token,
          options.kubeconfigPath,
        );
  return {
    url: running.url,
    scenario,
    clusters,
    kubeconfigPath,
    token,
    now: () => world.clock.now(),
    advance: ms => world.clock.advance(ms),
    world,
    faults,
    requests: running.requestLog,
    close: () => {
      world.close();
      return running.close();
    },
  };
}
