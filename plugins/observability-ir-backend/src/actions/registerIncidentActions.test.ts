import {
  createServiceFactory,
  coreServices,
} from '@backstage/backend-plugin-api';
import { actionsRegistryServiceRef } from '@backstage/backend-plugin-api/alpha';
import {
  mockCredentials,
  mockServices,
  startTestBackend,
} from '@backstage/backend-test-utils';
import { actionsRegistryServiceMock } from '@backstage/backend-test-utils/alpha';
import { catalogServiceMock } from '@backstage/plugin-catalog-node/testUtils';
import { AuthorizeResult } from '@backstage/plugin-permission-common';
import { startSandbox, Sandbox } from '@observability-ir/sandbox-cluster';
import { observabilityIrPlugin } from '../plugin';
import { checkoutApiEntity, sandboxConfig } from '../__testUtils__/fixtures';

jest.setTimeout(120_000);

const entityRef = 'component:default/checkout-api';

/**
 * Starts the plugin with a registry that is also the actions service, so
 * the test invokes the actions as an MCP client would, by id.
 */
async function startWithRegistry(sandbox: Sandbox, extra: unknown[] = []) {
  let registry: ReturnType<typeof actionsRegistryServiceMock> | undefined;
  await startTestBackend({
    features: [
      observabilityIrPlugin,
      catalogServiceMock.factory({ entities: [checkoutApiEntity] }),
      mockServices.rootConfig.factory({ data: sandboxConfig(sandbox) }),
      createServiceFactory({
        service: actionsRegistryServiceRef,
        deps: { logger: coreServices.logger },
        factory: ({ logger }) => {
          registry = actionsRegistryServiceMock({ logger });
          return registry;
        },
      }),
      ...(extra as any[]),
    ],
  });
  return registry!;
}

/** The id an action is invoked by: the registering plugin's id, then its name. */
async function idOf(
  registry: ReturnType<typeof actionsRegistryServiceMock>,
  name: string,
): Promise<string> {
  const { actions } = await registry.list();
  const action = actions.find(a => a.name === name);
  if (!action) {
    throw new Error(`No action named ${name}`);
  }
  return action.id;
}

describe('the incident actions in the actions registry', () => {
  let sandbox: Sandbox;

  beforeAll(async () => {
    sandbox = await startSandbox({
      scenario: 'checkout-oom',
      speed: 0,
      kubeconfigPath: false,
    });
  }, 60_000);

  afterAll(async () => {
    await sandbox?.close();
  });

  it('lists the three actions with their schemas', async () => {
    const registry = await startWithRegistry(sandbox);
    const { actions } = await registry.list();
    const names = actions.map(a => a.name).sort();
    expect(names).toEqual(['get-diagnosis', 'get-runbook', 'run-forensics']);
    const diagnosis = actions.find(a => a.name === 'get-diagnosis')!;
    expect(diagnosis.attributes).toMatchObject({ readOnly: true });
    expect(diagnosis.schema.input).toMatchObject({
      properties: { entityRef: { type: 'string' } },
      required: ['entityRef'],
    });
  });

  it('diagnoses the lab and answers its runbook for the caller', async () => {
    const registry = await startWithRegistry(sandbox);
    const credentials = mockCredentials.user('user:default/ops-oncall');

    const diagnosis = (await registry.invoke({
      id: await idOf(registry, 'get-diagnosis'),
      input: { entityRef },
      credentials,
    })) as any;
    expect(diagnosis.output.hypotheses[0].id).toBe('memory-limit-too-low');
    expect(diagnosis.output.recommendation.memoryLimit.current).toBe('512Mi');

    const runbook = (await registry.invoke({
      id: await idOf(registry, 'get-runbook'),
      input: { entityRef },
      credentials,
    })) as any;
    expect(runbook.output.hypothesis).toBe('memory-limit-too-low');
    expect(runbook.output.incident.status).toBe('open');
    expect(runbook.output.steps.map((s: any) => s.id)).toEqual([
      'triage',
      'logs',
      'replicas',
      'kernel',
      'fix',
      'verify',
    ]);

    await expect(
      registry.invoke({
        id: await idOf(registry, 'get-diagnosis'),
        input: { entityRef: 42 } as any,
        credentials,
      }),
    ).rejects.toThrow(/entityRef/);
  });

  it('applies the same permission checks as the routes', async () => {
    const registry = await startWithRegistry(sandbox, [
      mockServices.permissions.factory({ result: AuthorizeResult.DENY }),
    ]);
    const credentials = mockCredentials.user('user:default/someone-else');
    await expect(
      registry.invoke({
        id: await idOf(registry, 'get-diagnosis'),
        input: { entityRef },
        credentials,
      }),
    ).rejects.toThrow(/not allowed/);
    await expect(
      registry.invoke({
        id: await idOf(registry, 'get-runbook'),
        input: { entityRef },
        credentials,
      }),
    ).rejects.toThrow(/not allowed to read the incident data/);
    // Node forensics is off in this configuration: the action answers as
    // the route does, and starts nothing.
    await expect(
      registry.invoke({
        id: await idOf(registry, 'run-forensics'),
        input: {
          entityRef,
          cluster: 'sandbox',
          namespace: 'finance',
          pod: 'checkout-api-v1-abc',
        },
        credentials,
      }),
    ).rejects.toThrow(/Node forensics is disabled/);
  });
});
