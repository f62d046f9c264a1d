import {
  mockCredentials,
  mockServices,
  startTestBackend,
} from '@backstage/backend-test-utils';
import { catalogServiceMock } from '@backstage/plugin-catalog-node/testUtils';
import { AuthorizeResult } from '@backstage/plugin-permission-common';
import { startSandbox, Sandbox } from '@observability-ir/sandbox-cluster';
import {
  RUNBOOK_STEP_IDS,
  RunbookResponse,
} from '@observability-ir/plugin-observability-ir-common';
import request from 'supertest';
import { observabilityIrPlugin } from './plugin';
import { checkoutApiEntity, sandboxConfig } from './__testUtils__/fixtures';

jest.setTimeout(120_000);

const entityRef = 'component:default/checkout-api';
const WINDOW_MS = 2_000;

function backendFeatures(sandbox: Sandbox, extra: unknown[] = []) {
  const config = sandboxConfig(sandbox);
  return [
    observabilityIrPlugin,
    catalogServiceMock.factory({ entities: [checkoutApiEntity] }),
    mockServices.rootConfig.factory({
      data: {
        ...config,
        observabilityIr: {
          ...config.observabilityIr,
          // Every look at the runbook reads the cluster afresh.
          cacheTtl: { milliseconds: 0 },
          runbook: { verify: { window: { milliseconds: WINDOW_MS } } },
          fixes: { maxMemoryLimit: '4Gi' },
        },
      },
    }),
    ...extra,
  ] as any[];
}

const sleep = (ms: number) => new Promise(r => setTimeout(r, ms));

describe('the runbook of the lab, from diagnosis to a verified fix', () => {
  let sandbox: Sandbox;
  let server: any;

  beforeAll(async () => {
    sandbox = await startSandbox({
      scenario: 'checkout-oom',
      speed: 0,
      kubeconfigPath: false,
    });
    ({ server } = await startTestBackend({
      features: backendFeatures(sandbox),
    }));
  }, 120_000);

  afterAll(async () => {
    await sandbox?.close();
  });

  const runbook = async (): Promise<RunbookResponse> => {
    const response = await request(server)
      .get('/api/observability-ir/v1/runbook')
      .query({ entityRef });
    expect(response.status).toBe(200);
    return response.body;
  };

  it('opens an incident, applies the fix, watches it hold, closes the incident and exports the postmortem', async () => {
    // 1. The diagnosis finds the OOM loop: an incident opens with its runbook.
    const first = await runbook();
    expect(first.hypothesis).toBe('memory-limit-too-low');
    expect(first.steps.map(s => s.id)).toEqual([...RUNBOOK_STEP_IDS]);
    expect(first.incident).toMatchObject({
      status: 'open',
      hypothesis: 'memory-limit-too-low',
      actions: [expect.objectContaining({ kind: 'opened', actor: 'system' })],
    });
    const fixStep = first.steps.find(s => s.id === 'fix')!;
    expect(fixStep.status).toBe('needs-person');
    expect(fixStep.memoryLimitFix).toMatchObject({
      cluster: 'sandbox',
      namespace: 'finance',
      workloadName: 'checkout-api',
      container: 'checkout-api',
      currentLimit: '512Mi',
    });
    const proposed = fixStep.memoryLimitFix!.proposedLimit;
    expect(first.steps.find(s => s.id === 'verify')!.status).toBe(
      'needs-person',
    );

    // Looking again does not open a second incident.
    expect((await runbook()).incident!.id).toBe(first.incident!.id);

    // 2. The fix, patched into the cluster on the user's behalf.
    const fix = await request(server)
      .post('/api/observability-ir/v1/fixes/memory-limit')
      .send({
        entityRef,
        cluster: 'sandbox',
        namespace: 'finance',
        workloadKind: 'Deployment',
        workloadName: 'checkout-api',
        container: 'checkout-api',
        limit: proposed,
      });
    expect(fix.status).toBe(200);
    expect(fix.body).toMatchObject({ previousLimit: '512Mi', limit: proposed });
    const deployment = await fetch(
      `${sandbox.clusters[0].kubernetesUrl}/apis/apps/v1/namespaces/finance/deployments/checkout-api`,
      { headers: { authorization: `Bearer ${sandbox.token}` } },
    ).then(r => r.json());
    expect(
      deployment.spec.template.spec.containers[0].resources.limits.memory,
    ).toBe(proposed);

    // 3. The new pods start, warm up and become Ready in the cluster's time.
    sandbox.advance(10 * 60_000);
    const watching = await runbook();
    expect(watching.incident!.status).toBe('open');
    expect(watching.steps.find(s => s.id === 'fix')!.status).toBe('done');
    const verify = watching.steps.find(s => s.id === 'verify')!;
    expect(verify.status).toBe('in-progress');
    expect(verify.verify!.checks.map(c => [c.name, c.passed])).toEqual(
      expect.arrayContaining([
        ['Fix rolled out', true],
        ['Ready', true],
        ['No restarts', true],
      ]),
    );

    // 4. Once every check held for the window, the incident closes.
    // Under load a look may take a while; look again until it closes, and
    // say which check held it open if it never does.
    await sleep(WINDOW_MS);
    let closed = await runbook();
    for (
      let look = 0;
      look < 20 && closed.incident!.status === 'open';
      look++
    ) {
      await sleep(500);
      closed = await runbook();
    }
    expect({
      status: closed.incident!.status,
      verify: closed.steps.find(s => s.id === 'verify')!.verify,
    }).toMatchObject({ status: 'resolved' });
    expect(closed.incident!.timeToRecoverySeconds).toBeGreaterThanOrEqual(0);
    expect(closed.steps.find(s => s.id === 'verify')!.status).toBe('done');
    const kinds = closed.incident!.actions.map(a => a.kind);
    expect(kinds).toEqual(
      expect.arrayContaining([
        'opened',
        'fix-applied',
        'fix-observed',
        'verify-started',
        'closed',
      ]),
    );
    expect(
      closed.incident!.actions.find(a => a.kind === 'fix-applied')!.actor,
    ).toMatch(/^user:/);

    // The kills from before the fix are still in the range: no new incident.
    expect((await runbook()).incident!.id).toBe(first.incident!.id);

    // 5. The postmortem, in Markdown.
    const exported = await request(server)
      .get('/api/observability-ir/v1/runbook/export')
      .query({ entityRef, format: 'markdown' });
    expect(exported.status).toBe(200);
    expect(exported.headers['content-type']).toMatch(/text\/markdown/);
    expect(exported.headers['content-disposition']).toMatch(
      /attachment; filename="postmortem-checkout-api-\d{4}-\d\d-\d\d\.md"/,
    );
    expect(exported.text).toContain('512Mi');
    expect(exported.text).toContain(proposed);

    // No open incident any more: a person's action has nothing to go to.
    const late = await request(server)
      .post('/api/observability-ir/v1/runbook/actions')
      .send({ entityRef, kind: 'note', message: 'all good' });
    expect(late.status).toBe(409);
  });
});

describe('the memory-limit fix refuses what it must not do', () => {
  let sandbox: Sandbox;
  let server: any;

  beforeAll(async () => {
    sandbox = await startSandbox({
      scenario: 'checkout-oom',
      speed: 0,
      kubeconfigPath: false,
    });
    ({ server } = await startTestBackend({
      features: backendFeatures(sandbox),
    }));
  }, 120_000);

  afterAll(async () => {
    await sandbox?.close();
  });

  const fix = (overrides: Record<string, unknown>) =>
    request(server)
      .post('/api/observability-ir/v1/fixes/memory-limit')
      .send({
        entityRef,
        cluster: 'sandbox',
        namespace: 'finance',
        workloadKind: 'Deployment',
        workloadName: 'checkout-api',
        container: 'checkout-api',
        limit: '1Gi',
        ...overrides,
      });

  it.each([
    [
      'a bad quantity',
      { limit: '1GB' },
      400,
      /not a Kubernetes memory quantity/,
    ],
    ['a zero limit', { limit: '0' }, 400, /more than zero/],
    ['a limit above the cap', { limit: '8Gi' }, 400, /above the highest/],
    ['a lower limit', { limit: '256Mi' }, 400, /Refusing to lower/],
    ['a request above the limit', { request: '2Gi' }, 400, /must not be above/],
    [
      'another namespace',
      { namespace: 'monitoring', workloadName: 'prometheus-operator' },
      403,
      /runs in namespace finance/,
    ],
    [
      'a missing container',
      { container: 'sidecar' },
      400,
      /has no container sidecar/,
    ],
    [
      'a missing workload',
      { workloadName: 'nope' },
      404,
      /There is no Deployment nope/,
    ],
    ['an unknown field', { image: 'evil' }, 400, /Unrecognized key/],
    ['an unknown kind', { workloadKind: 'Pod' }, 400, /workloadKind/],
  ])('%s', async (_name, overrides, status, message) => {
    const response = await fix(overrides);
    expect(response.status).toBe(status);
    expect(response.body.error.message).toMatch(message);
  });

  it('changes nothing on a dry run', async () => {
    const response = await fix({ dryRun: true });
    expect(response.status).toBe(200);
    expect(response.body).toMatchObject({
      dryRun: true,
      previousLimit: '512Mi',
      limit: '1Gi',
    });
    const deployment = await fetch(
      `${sandbox.clusters[0].kubernetesUrl}/apis/apps/v1/namespaces/finance/deployments/checkout-api`,
      { headers: { authorization: `Bearer ${sandbox.token}` } },
    ).then(r => r.json());
    expect(
      deployment.spec.template.spec.containers[0].resources.limits.memory,
    ).toBe('512Mi');
  });

  it('answers 401 without credentials and 403 without the permission', async () => {
    const anonymous = await fix({}).set(
      'Authorization',
      mockCredentials.none.header(),
    );
    expect(anonymous.status).toBe(401);

    const { server: denied } = await startTestBackend({
      features: backendFeatures(sandbox, [
        mockServices.permissions.factory({ result: AuthorizeResult.DENY }),
      ]),
    });
    const refused = await request(denied)
      .post('/api/observability-ir/v1/fixes/memory-limit')
      .send({
        entityRef,
        cluster: 'sandbox',
        namespace: 'finance',
        workloadKind: 'Deployment',
        workloadName: 'checkout-api',
        container: 'checkout-api',
        limit: '1Gi',
      });
    expect(refused.status).toBe(403);
    const action = await request(denied)
      .post('/api/observability-ir/v1/runbook/actions')
      .send({ entityRef, kind: 'note', message: 'hello' });
    expect(action.status).toBe(403);
  });
});
