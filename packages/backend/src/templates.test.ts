import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { pathToFileURL } from 'node:url';
import { parse, parseAllDocuments } from 'yaml';
import { ConfigReader } from '@backstage/config';
import { ScmIntegrations } from '@backstage/integration';
import {
  createMockDirectory,
  mockServices,
} from '@backstage/backend-test-utils';
import { ScaffolderEntitiesProcessor } from '@backstage/plugin-catalog-backend-module-scaffolder-entity-model';
import { createFetchPlainAction } from '@backstage/plugin-scaffolder-backend';
import { Sandbox, startSandbox } from '@observability-ir/sandbox-cluster';
import { BackendProcess, startBackendProcess } from './testing/backendProcess';

/*
 * The raise-memory-limit template of the demo catalog, as the portal reads
 * and runs it: registered by app-config.yaml, valid for the scaffolder, its
 * fetch:plain step finding the demo manifests next to it, every action it
 * runs registered in this backend, and the Incident tab's form data enough
 * to run it, against the sandbox cluster as in the demo.
 */

const repoRoot = path.resolve(__dirname, '../../..');
const backendDir = path.resolve(__dirname, '..');
const templateRef = 'template:default/raise-memory-limit';

/** The form data the Incident tab opens the template with. */
const incidentTabFormData = {
  entity: 'component:default/checkout-api',
  container: 'checkout-api',
  limit: '1Gi',
  cluster: 'sandbox',
  namespace: 'finance',
  workloadKind: 'Deployment',
  workloadName: 'checkout-api',
};

type Json = Record<string, any>;

function readYaml(file: string): Json[] {
  return parseAllDocuments(fs.readFileSync(file, 'utf8')).map(d => d.toJS());
}

/** The template file, found through the catalog locations of app-config.yaml. */
function findTemplateFile(): string {
  const config = readYaml(path.join(repoRoot, 'app-config.yaml'))[0];
  const files: string[] = config.catalog.locations
    .filter((l: Json) => l.type === 'file')
    // The backend runs in packages/backend; its paths are relative to it.
    .map((l: Json) => path.resolve(backendDir, l.target));
  const found = files.filter(file =>
    readYaml(file).some(
      e => e?.kind === 'Template' && e.metadata?.name === 'raise-memory-limit',
    ),
  );
  if (found.length !== 1) {
    throw new Error(
      `app-config.yaml should register raise-memory-limit once, found ${found.length}`,
    );
  }
  return found[0];
}

const templateFile = findTemplateFile();
const template = readYaml(templateFile)[0];

function step(id: string): Json {
  const found = template.spec.steps.find((s: Json) => s.id === id);
  expect(found).toBeDefined();
  return found;
}

/** What the form fills in before the user types: each field's default. */
function parameterDefaults(): Json {
  return Object.fromEntries(
    template.spec.parameters.flatMap((page: Json) =>
      Object.entries(page.properties ?? {})
        .filter(([, p]) => (p as Json).default !== undefined)
        .map(([name, p]) => [name, (p as Json).default]),
    ),
  );
}

/** Runs the template's fetch:plain step as the scaffolder does for a file location. */
async function fetchManifests(): Promise<string> {
  const workspace = createMockDirectory();
  const action = createFetchPlainAction({
    reader: mockServices.urlReader.mock(),
    integrations: ScmIntegrations.fromConfig(new ConfigReader({})),
  });
  // The parts of an action's context that fetch:plain reads.
  const context = {
    input: step('fetch').input,
    workspacePath: workspace.path,
    logger: mockServices.logger.mock(),
    // The catalog records a file location as `file:<absolute path>`, and the
    // scaffolder turns it into this base URL.
    templateInfo: {
      entityRef: templateRef,
      baseUrl: pathToFileURL(templateFile).toString(),
    },
  };
  await action.handler(
    context as unknown as Parameters<typeof action.handler>[0],
  );
  return workspace.path;
}

function container(deployment: Json, name: string): Json {
  return deployment.spec.template.spec.containers.find(
    (c: Json) => c.name === name,
  );
}

describe('the raise-memory-limit template, as a file', () => {
  it('is a valid scaffolder template', async () => {
    expect(
      await new ScaffolderEntitiesProcessor().validateEntityKind(
        template as any,
      ),
    ).toBe(true);
    expect(template.metadata.title).toBe("Raise a container's memory limit");
    expect(template.spec.owner).toMatch(
      /^group:default\/(platform|finance)-team$/,
    );
  });

  it('asks for every field the Incident tab fills in, and defaults the rest', () => {
    const fields = template.spec.parameters.flatMap((page: Json) =>
      Object.keys(page.properties ?? {}),
    );
    expect(fields).toEqual(
      expect.arrayContaining([
        ...Object.keys(incidentTabFormData),
        'manifestPath',
        'delivery',
      ]),
    );
    const required = template.spec.parameters.flatMap(
      (page: Json) => page.required ?? [],
    );
    const filled: Json = { ...parameterDefaults(), ...incidentTabFormData };
    expect(required.filter((name: string) => !(name in filled))).toEqual([]);
    expect(filled.delivery).toBe('apply');
  });

  it('accepts a Kubernetes memory quantity or nothing as the limit', () => {
    const page = template.spec.parameters.find(
      (p: Json) => p.properties?.limit,
    );
    const pattern = new RegExp(page.properties.limit.pattern);
    // Empty: the action takes the limit the diagnosis proposes.
    for (const valid of [
      '1Gi',
      '768Mi',
      '1.5Gi',
      '1G',
      '536870912',
      '129e6',
      '',
    ]) {
      expect(pattern.test(valid)).toBe(true);
    }
    for (const invalid of ['1 Gi', '1gb', '-1Gi', 'Gi', '1Gi; rm -rf']) {
      expect(pattern.test(invalid)).toBe(false);
    }
  });

  it("fetches the demo manifests from the template's folder, checkout-api's Deployment among them", async () => {
    const workspace = await fetchManifests();
    const manifest = path.join(workspace, parameterDefaults().manifestPath);
    const text = fs.readFileSync(manifest, 'utf8');
    // A newcomer reads why the manifest is as it is.
    expect(text).toMatch(/^\s*# .*\S/m);
    const deployment = readYaml(manifest).find(
      d => d.kind === 'Deployment' && d.metadata.name === 'checkout-api',
    )!;
    expect(deployment.metadata.namespace).toBe('finance');
    expect(container(deployment, 'checkout-api').resources.limits.memory).toBe(
      '512Mi',
    );
  });

  it("mirrors the sandbox scenario's Deployment, so the fix shown is the fix applied", async () => {
    const workspace = await fetchManifests();
    const deployment = readYaml(
      path.join(workspace, parameterDefaults().manifestPath),
    )[0];
    const scenario = parse(
      fs.readFileSync(
        path.join(
          repoRoot,
          'packages/sandbox-cluster/scenarios/checkout-oom.yaml',
        ),
        'utf8',
      ),
    );
    const simulated = scenario.clusters[0].deployments.find(
      (d: Json) => d.name === 'checkout-api',
    );
    expect(deployment.metadata.labels).toEqual(simulated.labels);
    expect(deployment.spec.template.metadata.labels).toEqual(simulated.labels);
    expect(deployment.spec.replicas).toBe(simulated.pods.length);
    const { behavior, ...simulatedContainer } = simulated.containers[0];
    expect(container(deployment, 'checkout-api')).toEqual(simulatedContainer);
  });
});

describe('the raise-memory-limit template, in the portal', () => {
  let sandbox: Sandbox | undefined;
  let backend: BackendProcess | undefined;
  let configDir = '';
  let token = '';

  const call = (
    route: string,
    init: { method?: string; body?: unknown } = {},
  ) =>
    fetch(`${backend!.baseUrl}${route}`, {
      method: init.method ?? 'GET',
      headers: {
        Authorization: `Bearer ${token}`,
        ...(init.body === undefined
          ? {}
          : { 'Content-Type': 'application/json' }),
      },
      body: init.body === undefined ? undefined : JSON.stringify(init.body),
    });

  /** The template's folder as the Template Editor would send it. */
  function templateFolder() {
    const folder = path.dirname(templateFile);
    return fs
      .readdirSync(folder, { recursive: true, encoding: 'utf8' })
      .filter(file => fs.statSync(path.join(folder, file)).isFile())
      .map(file => ({
        path: file.split(path.sep).join('/'),
        base64Content: fs
          .readFileSync(path.join(folder, file))
          .toString('base64'),
      }));
  }

  const dryRun = (values: Json) =>
    call('/api/scaffolder/v2/dry-run', {
      method: 'POST',
      body: { template, values, directoryContents: templateFolder() },
    });

  const incidentTabValues = () => ({
    ...parameterDefaults(),
    ...incidentTabFormData,
  });

  /** checkout-api as the sandbox's Kubernetes API has it now. */
  async function checkoutApi() {
    const api = sandbox!.clusters[0].kubernetesUrl;
    const deployment = await (
      await fetch(
        `${api}/apis/apps/v1/namespaces/finance/deployments/checkout-api`,
      )
    ).json();
    const pods = (
      await (
        await fetch(
          `${api}/api/v1/namespaces/finance/pods?labelSelector=app%3Dcheckout`,
        )
      ).json()
    ).items as Json[];
    return {
      limit: container(deployment, 'checkout-api').resources.limits.memory,
      pods,
    };
  }

  /** The events of a scaffolder task, once it has ended. */
  async function taskEnd(taskId: string, deadline: number): Promise<Json[]> {
    while (Date.now() < deadline) {
      const events: Json[] = await (
        await call(`/api/scaffolder/v2/tasks/${taskId}/events`)
      ).json();
      if (events.some(e => e.type === 'completion')) {
        return events;
      }
      await new Promise(resolve => setTimeout(resolve, 250));
    }
    throw new Error(`task ${taskId} did not end in time`);
  }

  beforeAll(async () => {
    sandbox = await startSandbox({
      scenario: 'checkout-oom',
      speed: 0,
      kubeconfigPath: false,
    });
    const [cluster] = sandbox.clusters;

    // Over app-config.yaml: the sandbox on its own port instead of 7008.
    configDir = fs.mkdtempSync(path.join(os.tmpdir(), 'templates-test-'));
    const overrides = path.join(configDir, 'app-config.test.yaml');
    fs.writeFileSync(
      overrides,
      JSON.stringify({
        kubernetes: {
          clusterLocatorMethods: [
            {
              type: 'config',
              clusters: [
                {
                  name: cluster.name,
                  url: cluster.kubernetesUrl,
                  authProvider: 'serviceAccount',
                  serviceAccountToken: sandbox.token,
                  skipTLSVerify: true,
                  skipMetricsLookup: true,
                },
              ],
            },
          ],
        },
        observabilityIr: {
          // Every look at the runbook reads the cluster afresh, and a fix
          // is verified after a few seconds.
          cacheTtl: { milliseconds: 0 },
          runbook: { verify: { window: '2s' } },
          clusters: [
            {
              name: cluster.name,
              prometheus: { url: cluster.prometheusUrl },
              loki: { url: cluster.lokiUrl },
            },
          ],
        },
      }),
    );

    backend = await startBackendProcess({
      entry: 'src/index.ts',
      configPaths: [path.join(repoRoot, 'app-config.yaml'), overrides],
      env: url => ({
        NODE_ENV: 'development',
        APP_CONFIG_app_baseUrl: url,
        APP_CONFIG_backend_baseUrl: url,
        APP_CONFIG_backend_cors_origin: url,
      }),
      readyTimeoutMs: 180_000,
    });
    const signIn = async () => {
      const response = await fetch(
        `${backend!.baseUrl}/api/auth/guest/refresh`,
      );
      token = (await response.json()).backstageIdentity.token;
    };
    await signIn();

    // The catalog reads its locations shortly after start. The guest's
    // ownership (on call for the finance team, which owns checkout-api) is
    // taken from the catalog at sign-in, so sign in again once it is there.
    const related = async (ref: string, relation: string) => {
      const [kind, namespace, name] = ref.split(/[:/]/);
      const response = await call(
        `/api/catalog/entities/by-name/${kind}/${namespace}/${name}`,
      );
      if (response.status !== 200) {
        return false;
      }
      const { relations = [] } = await response.json();
      return relations.some((r: Json) => r.type === relation);
    };
    const deadline = Date.now() + 90_000;
    while (Date.now() < deadline) {
      const ready = await Promise.all([
        related(templateRef, 'ownedBy'),
        related('user:default/guest', 'memberOf'),
        related('component:default/checkout-api', 'ownedBy'),
      ]);
      if (ready.every(Boolean)) {
        await signIn();
        return;
      }
      await new Promise(resolve => setTimeout(resolve, 250));
    }
    throw new Error(`${templateRef} and the demo catalog never got processed`);
  }, 300_000);

  afterAll(async () => {
    await backend?.stop();
    await sandbox?.close();
    if (configDir) {
      fs.rmSync(configDir, { recursive: true, force: true });
    }
  }, 60_000);

  it('registers every action its apply delivery runs', async () => {
    const response = await call('/api/scaffolder/v2/actions');
    expect(response.status).toBe(200);
    const registered = new Set(
      ((await response.json()) as Json[]).map(action => action.id),
    );
    const used = template.spec.steps
      .filter((s: Json) => s.id !== 'pull-request')
      .map((s: Json) => s.action);
    expect(used).toEqual([
      'fetch:plain',
      'observability:memory-limit:raise',
      'observability:memory-limit:apply',
    ]);
    expect(used.filter((id: string) => !registered.has(id))).toEqual([]);
  });

  it('opens a pull request through the GitHub module, which needs a GitHub integration with a token', async () => {
    expect(step('pull-request').action).toBe('publish:github:pull-request');
    const response = await call('/api/scaffolder/v2/actions');
    const registered = ((await response.json()) as Json[]).map(a => a.id);
    expect(registered).toContain('publish:github:pull-request');

    const values = { ...incidentTabValues(), delivery: 'pull-request' };
    // The form asks where the pull request goes.
    expect((await dryRun(values)).status).toBe(400);

    // This portal configures no GitHub token: the step says so, and stops.
    const refused = await dryRun({
      ...values,
      repoUrl: 'github.com?owner=acme&repo=finance-deploy',
    });
    expect(refused.status).toBe(400);
    expect((await refused.json()).error.message).toMatch(
      /^No token available for host: github\.com, with owner acme, and repo finance-deploy/,
    );
  });

  it("dry-runs with the Incident tab's form data: the diff, links back, and the cluster untouched", async () => {
    const response = await dryRun(incidentTabValues());
    const result = await response.json();
    expect({ status: response.status, result }).toMatchObject({ status: 200 });

    expect(result.output.links).toEqual([
      expect.objectContaining({
        url: '/catalog/default/component/checkout-api/incident',
      }),
      expect.objectContaining({ entityRef: 'component:default/checkout-api' }),
    ]);
    const [change] = result.output.text;
    expect(change.title).toBe(
      'The change to finance/checkout-api/deployment.yaml',
    );
    expect(change.content).toMatch(/^-\s+memory: 512Mi$/m);
    expect(change.content).toMatch(/^\+\s+memory: 1Gi$/m);

    // The scaffolder logs a step left out by its `if` as such.
    const leftOut = result.log
      .filter((entry: Json) =>
        /because its if condition was false/.test(entry.body.message),
      )
      .map((entry: Json) => entry.body.stepId);
    expect(leftOut).toEqual(['pull-request']);
    const completed = result.log
      .filter((entry: Json) => entry.body.status === 'completed')
      .map((entry: Json) => entry.body.stepId);
    expect(completed).toEqual(['fetch', 'raise', 'apply']);

    expect((await checkoutApi()).limit).toBe('512Mi');
  });

  it("with the limit left empty, raises it to the diagnosis's proposal", async () => {
    const { limit, ...values } = incidentTabValues();
    for (const empty of [values, { ...values, limit: '' }]) {
      const response = await dryRun(empty);
      const result = await response.json();
      expect({ status: response.status, result }).toMatchObject({
        status: 200,
      });
      const [change] = result.output.text;
      expect(change.content).toMatch(/^-\s+memory: 512Mi$/m);
      expect(change.content).toMatch(/^\+\s+memory: \d+(\.\d+)?(Mi|Gi)$/m);
    }
  });

  it('refuses a limit that is not a memory quantity before running anything', async () => {
    const response = await dryRun({
      ...incidentTabValues(),
      limit: '1 gigabyte',
    });
    expect(response.status).toBe(400);
  });

  it('applies the fix to the cluster, where the new pods become Ready, and the incident closes', async () => {
    const runbook = async () => {
      const response = await call(
        '/api/observability-ir/v1/runbook?entityRef=component:default/checkout-api',
      );
      expect(response.status).toBe(200);
      return response.json();
    };
    // The diagnosis finds the OOM loop: the incident opens.
    const before = await runbook();
    expect(before.incident).toMatchObject({ status: 'open' });

    const created = await call('/api/scaffolder/v2/tasks', {
      method: 'POST',
      body: { templateRef, values: incidentTabValues() },
    });
    expect(created.status).toBe(201);
    const { id } = await created.json();
    const events = await taskEnd(id, Date.now() + 60_000);
    const completion = events.find(e => e.type === 'completion')!;
    const task = await (await call(`/api/scaffolder/v2/tasks/${id}`)).json();
    expect({ status: task.status, completion: completion.body }).toMatchObject({
      status: 'completed',
    });
    expect(completion.body.output.text[0].content).toMatch(
      /^\+\s+memory: 1Gi$/m,
    );
    expect(completion.body.output.links[0].url).toBe(
      '/catalog/default/component/checkout-api/incident',
    );

    const rolledOut = await checkoutApi();
    expect(rolledOut.limit).toBe('1Gi');

    // Ten minutes on, through the sandbox's clock.
    const advanced = await fetch(`${sandbox!.url}/_sandbox/clock`, {
      method: 'POST',
      body: JSON.stringify({ advanceSeconds: 600 }),
    });
    expect(advanced.status).toBe(200);
    const { pods } = await checkoutApi();
    expect(pods.map(p => p.spec.containers[0].resources.limits.memory)).toEqual(
      ['1Gi', '1Gi'],
    );
    for (const pod of pods) {
      expect(pod.status.containerStatuses[0]).toMatchObject({
        ready: true,
        restartCount: 0,
      });
    }

    // The runbook sees the rollout, watches it hold, and closes the incident,
    // with what the template did and who ran it on record.
    let after = await runbook();
    for (let look = 0; look < 60 && after.incident.status === 'open'; look++) {
      await new Promise(resolve => setTimeout(resolve, 500));
      after = await runbook();
    }
    expect({
      id: after.incident.id,
      status: after.incident.status,
      verify: after.steps.find((s: Json) => s.id === 'verify').verify,
    }).toMatchObject({ id: before.incident.id, status: 'resolved' });
    const actions = after.incident.actions.map((a: Json) => [a.kind, a.actor]);
    expect(actions).toEqual(
      expect.arrayContaining([
        ['opened', 'system'],
        ['fix-proposed', 'user:default/guest'],
        ['fix-applied', 'user:default/guest'],
        ['fix-observed', 'system'],
        ['closed', 'system'],
      ]),
    );
  }, 120_000);
});
