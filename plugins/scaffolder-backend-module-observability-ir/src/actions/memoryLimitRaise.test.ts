import {
  createMockDirectory,
  mockCredentials,
  mockServices,
} from '@backstage/backend-test-utils';
import { ConfigReader } from '@backstage/config';
import { ActionContext } from '@backstage/plugin-scaffolder-node';
import { createMockActionContext } from '@backstage/plugin-scaffolder-node-test-utils';
import { JsonObject } from '@backstage/types';
import { DiagnosisResponse } from '@observability-ir/plugin-observability-ir-common';
import { applyPatch } from 'diff';
import { existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { startObservabilityIrServer } from '../__testUtils__/observabilityIrServer';
import { createMemoryLimitRaiseAction } from './memoryLimitRaise';

const fixture = (name: string) =>
  readFileSync(join(__dirname, '__fixtures__', name), 'utf8');

let backend: Awaited<ReturnType<typeof startObservabilityIrServer>>;
beforeAll(async () => {
  backend = await startObservabilityIrServer();
}, 60_000);
afterAll(() => backend.close());
afterEach(() => backend.reset());

const mockDir = createMockDirectory();
const workspacePath = mockDir.resolve('workspace');
const readWorkspace = (path: string) =>
  readFileSync(join(workspacePath, path), 'utf8');

const ENTITY = 'component:default/checkout-api';
const DEPLOYMENT = {
  path: 'deploy/app.yaml',
  workloadKind: 'Deployment',
  workloadName: 'checkout-api',
  container: 'api',
};

function createAction(config: JsonObject = {}) {
  return createMemoryLimitRaiseAction({
    config: new ConfigReader(config),
    discovery: backend.discovery,
    auth: mockServices.auth(),
  });
}

async function run(
  input: JsonObject,
  context: Partial<ActionContext<JsonObject>> = {},
  action = createAction(),
) {
  const ctx = {
    ...createMockActionContext({ input, workspacePath }),
    ...context,
  } as ActionContext<any, any>;
  await action.handler(ctx);
  const outputs = Object.fromEntries(
    (ctx.output as jest.Mock).mock.calls.map(([name, value]) => [name, value]),
  );
  return { ctx, outputs };
}

const pluginToken = `Bearer ${mockCredentials.service.token({
  onBehalfOf: mockCredentials.user(),
  targetPluginId: 'observability-ir',
})}`;

describe('observability:memory-limit:raise', () => {
  beforeEach(() => {
    mockDir.setContent({
      'outside.yaml': fixture('deployment.before.yaml'),
      workspace: {},
    });
  });

  describe('edits each kind of file, and nothing else in it', () => {
    it.each([
      {
        fixture: 'deployment',
        input: { ...DEPLOYMENT, limit: '1Gi' },
        outputs: { oldLimit: '512Mi', newLimit: '1Gi' },
      },
      {
        fixture: 'statefulset',
        input: {
          path: 'db/statefulset.yaml',
          workloadName: 'orders-db',
          container: 'postgres',
          limit: '2Gi',
        },
        outputs: { newLimit: '2Gi' },
      },
      {
        fixture: 'daemonset',
        input: {
          path: 'daemonset.yaml',
          workloadKind: 'DaemonSet',
          workloadName: 'log-shipper',
          container: 'fluent-bit',
          limit: '256Mi',
          request: '128Mi',
        },
        outputs: { newLimit: '256Mi', newRequest: '128Mi' },
      },
      {
        fixture: 'multi-document',
        input: {
          path: 'payments.yaml',
          workloadKind: 'Deployment',
          workloadName: 'payments',
          container: 'app',
          limit: '1Gi',
        },
        outputs: { oldLimit: '256Mi', newLimit: '1Gi' },
      },
      {
        fixture: 'kustomize-patch',
        input: {
          path: 'overlays/production/checkout-api-resources.yaml',
          workloadName: 'checkout-api',
          container: 'api',
          limit: '768Mi',
          raiseRequest: true,
        },
        outputs: { oldLimit: '512Mi', newLimit: '768Mi', newRequest: '768Mi' },
      },
      {
        fixture: 'kustomization',
        input: {
          path: 'overlays/production/kustomization.yaml',
          workloadName: 'checkout-api',
          container: 'api',
          limit: '1Gi',
          request: '512Mi',
        },
        outputs: { oldLimit: '512Mi', newLimit: '1Gi', newRequest: '512Mi' },
      },
      {
        fixture: 'helm-values',
        input: {
          path: 'charts/shop/values.yaml',
          valuesPath: 'checkoutApi.resources.limits.memory',
          workloadName: 'checkout-api',
          container: 'api',
          limit: '1Gi',
          request: '512Mi',
        },
        outputs: {
          oldLimit: '512Mi',
          newLimit: '1Gi',
          oldRequest: '384Mi',
          newRequest: '512Mi',
        },
      },
    ])('$fixture', async ({ fixture: name, input, outputs }) => {
      const before = fixture(`${name}.before.yaml`);
      const after = fixture(`${name}.after.yaml`);
      mockDir.addContent({ [`workspace/${input.path}`]: before });

      const result = await run(input);

      expect(readWorkspace(input.path)).toBe(after);
      expect(result.outputs).toEqual({
        file: input.path,
        ...outputs,
        changed: true,
        diff: expect.stringContaining(`--- a/${input.path}`),
      });
      expect(result.outputs.diff).toContain(`+++ b/${input.path}`);
      expect(applyPatch(before, result.outputs.diff)).toBe(after);
    });
  });

  it('edits only the workload of the given kind when several share a name', async () => {
    mockDir.addContent({
      'workspace/payments.yaml': fixture('multi-document.before.yaml'),
    });

    await expect(
      run({
        path: 'payments.yaml',
        workloadName: 'payments',
        container: 'app',
        limit: '1Gi',
      }),
    ).rejects.toThrow(
      '2 places in payments.yaml set container app of Deployment, StatefulSet or DaemonSet named payments; give workloadKind to choose one',
    );
    expect(readWorkspace('payments.yaml')).toBe(
      fixture('multi-document.before.yaml'),
    );
  });

  describe('refuses paths it must not touch', () => {
    it('outside the workspace', async () => {
      await expect(
        run({ ...DEPLOYMENT, path: '../outside.yaml', limit: '1Gi' }),
      ).rejects.toThrow('path ../outside.yaml is outside the workspace');
      await expect(
        run({ ...DEPLOYMENT, path: 'deploy/../../outside.yaml', limit: '1Gi' }),
      ).rejects.toThrow('is outside the workspace');
      expect(readFileSync(mockDir.resolve('outside.yaml'), 'utf8')).toBe(
        fixture('deployment.before.yaml'),
      );
    });

    it('absolute', async () => {
      const absolute = mockDir.resolve('outside.yaml');
      await expect(
        run({ ...DEPLOYMENT, path: absolute, limit: '1Gi' }),
      ).rejects.toThrow(
        `path ${absolute} is absolute; give a path relative to the workspace`,
      );
      expect(readFileSync(absolute, 'utf8')).toBe(
        fixture('deployment.before.yaml'),
      );
    });

    it('a symbolic link, to a file inside the workspace or out', async () => {
      mockDir.addContent({
        'workspace/real.yaml': fixture('deployment.before.yaml'),
        'workspace/deploy/app.yaml': ({ symlink }) => symlink('../real.yaml'),
        'workspace/deploy/outside.yaml': ({ symlink }) =>
          symlink(mockDir.resolve('outside.yaml')),
      });
      await expect(run({ ...DEPLOYMENT, limit: '1Gi' })).rejects.toThrow(
        'deploy/app.yaml is a symbolic link; give the path of a regular file',
      );
      await expect(
        run({ ...DEPLOYMENT, path: 'deploy/outside.yaml', limit: '1Gi' }),
      ).rejects.toThrow('deploy/outside.yaml is a symbolic link');
      expect(readWorkspace('real.yaml')).toBe(
        fixture('deployment.before.yaml'),
      );
      expect(readFileSync(mockDir.resolve('outside.yaml'), 'utf8')).toBe(
        fixture('deployment.before.yaml'),
      );
    });

    it('a path through a linked directory', async () => {
      mockDir.addContent({
        'workspace/manifests/app.yaml': fixture('deployment.before.yaml'),
        'workspace/deploy': ({ symlink }) => symlink('manifests'),
      });
      await expect(run({ ...DEPLOYMENT, limit: '1Gi' })).rejects.toThrow(
        'deploy/app.yaml goes through the symbolic link deploy',
      );
      expect(readWorkspace('manifests/app.yaml')).toBe(
        fixture('deployment.before.yaml'),
      );
    });

    it('a dangling symbolic link', async () => {
      mockDir.addContent({
        'workspace/deploy/app.yaml': ({ symlink }) => symlink('not-yet.yaml'),
      });
      await expect(run({ ...DEPLOYMENT, limit: '1Gi' })).rejects.toThrow(
        'deploy/app.yaml is a symbolic link',
      );
      // Nothing was created where the link points.
      expect(existsSync(mockDir.resolve('workspace/deploy/not-yet.yaml'))).toBe(
        false,
      );
    });

    it('a file that does not exist', async () => {
      await expect(run({ ...DEPLOYMENT, limit: '1Gi' })).rejects.toThrow(
        'deploy/app.yaml is not in the workspace',
      );
    });
  });

  describe('with the deployment in the workspace', () => {
    const before = fixture('deployment.before.yaml');
    beforeEach(() => {
      mockDir.addContent({ 'workspace/deploy/app.yaml': before });
    });

    it('refuses a file without the workload', async () => {
      await expect(
        run({ ...DEPLOYMENT, workloadName: 'cart', limit: '1Gi' }),
      ).rejects.toThrow(
        'no Deployment named cart with a container api in deploy/app.yaml',
      );
    });

    it('refuses a container the workload does not have, naming those it has', async () => {
      await expect(
        run({ ...DEPLOYMENT, container: 'worker', limit: '1Gi' }),
      ).rejects.toThrow(
        'no Deployment named checkout-api with a container worker in deploy/app.yaml (Deployment checkout-api has containers api, envoy)',
      );
    });

    it.each([
      ['1GB', 'limit "1GB" is not a Kubernetes memory quantity'],
      ['-1Gi', 'limit "-1Gi" is not a Kubernetes memory quantity'],
      ['abc', 'limit "abc" is not a Kubernetes memory quantity'],
      ['1e400', 'limit "1e400" is not a Kubernetes memory quantity'],
      ['0', 'limit "0" is zero'],
      ['', 'limit is empty'],
      ['  ', 'limit is empty'],
      ['512m', 'limit "512m" is less than 1Mi'],
      ['20000Pi', 'limit "20000Pi" is too large'],
      ['1'.repeat(40), 'is too long for a memory quantity'],
    ])('refuses the limit %j', async (limit, message) => {
      await expect(run({ ...DEPLOYMENT, limit })).rejects.toThrow(message);
      expect(readWorkspace('deploy/app.yaml')).toBe(before);
    });

    it('refuses a bad request', async () => {
      await expect(
        run({ ...DEPLOYMENT, limit: '1Gi', request: '1GB' }),
      ).rejects.toThrow('request "1GB" is not a Kubernetes memory quantity');
    });

    it('refuses a request above the limit', async () => {
      await expect(
        run({ ...DEPLOYMENT, limit: '1Gi', request: '1.5Gi' }),
      ).rejects.toThrow(
        'the memory request of container api of Deployment checkout-api in deploy/app.yaml would be 1.5Gi, above its limit 1Gi',
      );
      expect(readWorkspace('deploy/app.yaml')).toBe(before);
    });

    it('refuses to lower the limit', async () => {
      await expect(run({ ...DEPLOYMENT, limit: '256Mi' })).rejects.toThrow(
        'would lower the memory limit of container api of Deployment checkout-api in deploy/app.yaml from 512Mi to 256Mi; set allowLower to do so',
      );
      expect(readWorkspace('deploy/app.yaml')).toBe(before);
    });

    it('lowers the limit with allowLower', async () => {
      const { outputs } = await run({
        ...DEPLOYMENT,
        limit: '400Mi',
        allowLower: true,
      });
      expect(readWorkspace('deploy/app.yaml')).toBe(
        before.replace("memory: '512Mi'", "memory: '400Mi'"),
      );
      expect(outputs).toMatchObject({
        oldLimit: '512Mi',
        newLimit: '400Mi',
        changed: true,
      });
    });

    it('still refuses, with allowLower, a limit below the request', async () => {
      await expect(
        run({ ...DEPLOYMENT, limit: '256Mi', allowLower: true }),
      ).rejects.toThrow('would be 384Mi, above its limit 256Mi');
    });

    it('refuses a limit above the configured cap, naming it', async () => {
      await expect(run({ ...DEPLOYMENT, limit: '32Gi' })).rejects.toThrow(
        'memory limit 32Gi is above the largest this portal sets, 16Gi (observabilityIr.fixes.maxMemoryLimit)',
      );
      const capped = createAction({
        observabilityIr: { fixes: { maxMemoryLimit: '2Gi' } },
      });
      await expect(
        run({ ...DEPLOYMENT, limit: '3Gi' }, {}, capped),
      ).rejects.toThrow('above the largest this portal sets, 2Gi');
      expect(readWorkspace('deploy/app.yaml')).toBe(before);

      await run({ ...DEPLOYMENT, limit: '2Gi' }, {}, capped);
      expect(readWorkspace('deploy/app.yaml')).toContain("memory: '2Gi'");
    });

    it('refuses a cap that is not a quantity when it is created', () => {
      expect(() =>
        createAction({
          observabilityIr: { fixes: { maxMemoryLimit: '16GB' } },
        }),
      ).toThrow(
        'observabilityIr.fixes.maxMemoryLimit "16GB" is not a Kubernetes memory quantity',
      );
    });

    it.each([
      ['input', { dryRun: true }, {}],
      ['task', {}, { isDryRun: true }],
    ])(
      'writes nothing in a dry run (%s) and still shows the diff',
      async (_, input, context) => {
        const { outputs } = await run(
          { ...DEPLOYMENT, limit: '1Gi', entityRef: ENTITY, ...input },
          context,
        );
        expect(readWorkspace('deploy/app.yaml')).toBe(before);
        expect(outputs).toMatchObject({
          oldLimit: '512Mi',
          newLimit: '1Gi',
          changed: true,
        });
        expect(applyPatch(before, outputs.diff)).toBe(
          fixture('deployment.after.yaml'),
        );
        // Nothing was proposed, so nothing is recorded on the incident.
        expect(backend.requests).toEqual([]);
      },
    );

    it('changes nothing when the limit is already the same amount', async () => {
      const { outputs } = await run({
        ...DEPLOYMENT,
        limit: '0.5Gi',
        entityRef: ENTITY,
      });
      expect(readWorkspace('deploy/app.yaml')).toBe(before);
      expect(outputs).toEqual({
        file: 'deploy/app.yaml',
        oldLimit: '512Mi',
        newLimit: '512Mi',
        changed: false,
        diff: '',
      });
      expect(backend.requests).toEqual([]);
    });

    it('asks for a limit or an entity', async () => {
      await expect(run({ ...DEPLOYMENT })).rejects.toThrow(
        'give limit, or entityRef to take the limit its diagnosis proposes',
      );
    });
  });

  describe('with the limit from the diagnosis', () => {
    const before = fixture('deployment.before.yaml');
    const diagnosis = (recommendation?: DiagnosisResponse['recommendation']) =>
      ({
        entityRef: ENTITY,
        hypotheses: [
          {
            id: 'memory-limit-too-low',
            title: 'The memory limit is too low',
            confidence: 0.9,
            supporting: [],
            contradicting: [],
          },
        ],
        recommendation,
        sources: [],
      } satisfies DiagnosisResponse);

    beforeEach(() => {
      mockDir.addContent({ 'workspace/deploy/app.yaml': before });
    });

    it('sets the proposed limit and records the proposal on the incident', async () => {
      backend.answer('GET /v1/diagnosis', {
        status: 200,
        body: diagnosis({
          summary: 'Raise the memory limit to 1Gi',
          memoryLimit: {
            current: '512Mi',
            proposed: '1Gi',
            peakWorkingSet: '500Mi',
            basis: 'Killed at its 512Mi limit, so its true demand is unknown.',
          },
        }),
      });
      backend.answer('POST /v1/runbook/actions', { status: 201, body: {} });

      const { outputs } = await run({ ...DEPLOYMENT, entityRef: ENTITY });

      expect(readWorkspace('deploy/app.yaml')).toBe(
        fixture('deployment.after.yaml'),
      );
      expect(outputs).toMatchObject({ oldLimit: '512Mi', newLimit: '1Gi' });
      expect(backend.requests).toEqual([
        {
          method: 'GET',
          path: '/v1/diagnosis',
          query: new URLSearchParams({ entityRef: ENTITY }),
          authorization: pluginToken,
          body: undefined,
        },
        {
          method: 'POST',
          path: '/v1/runbook/actions',
          query: new URLSearchParams(),
          authorization: pluginToken,
          body: {
            entityRef: ENTITY,
            kind: 'fix-proposed',
            stepId: 'fix',
            message:
              'Proposed memory limit 512Mi → 1Gi for container api in deploy/app.yaml',
          },
        },
      ]);
    });

    it('refuses when the diagnosis proposes no memory limit', async () => {
      backend.answer('GET /v1/diagnosis', { status: 200, body: diagnosis() });
      await expect(run({ ...DEPLOYMENT, entityRef: ENTITY })).rejects.toThrow(
        `the diagnosis of ${ENTITY} proposes no memory limit (its top hypothesis: The memory limit is too low); give limit to set one`,
      );
      expect(readWorkspace('deploy/app.yaml')).toBe(before);
    });

    it('passes on the backend’s refusal', async () => {
      backend.answer('GET /v1/diagnosis', {
        status: 403,
        body: {
          error: {
            name: 'NotAllowedError',
            message: `You may not read the incident data of ${ENTITY}`,
          },
        },
      });
      await expect(run({ ...DEPLOYMENT, entityRef: ENTITY })).rejects.toThrow(
        expect.objectContaining({
          name: 'NotAllowedError',
          message: `You may not read the incident data of ${ENTITY}`,
        }),
      );
    });

    it('keeps the edit, with a warning, when the incident cannot record it', async () => {
      backend.answer('POST /v1/runbook/actions', {
        status: 404,
        body: { error: { name: 'NotFoundError', message: 'no open incident' } },
      });
      const logger = mockServices.logger.mock();

      const { outputs } = await run(
        { ...DEPLOYMENT, limit: '1Gi', entityRef: ENTITY },
        { logger },
      );

      expect(outputs.changed).toBe(true);
      expect(readWorkspace('deploy/app.yaml')).toBe(
        fixture('deployment.after.yaml'),
      );
      expect(logger.warn).toHaveBeenCalledWith(
        `Could not record the proposal on the incident of ${ENTITY}: no open incident`,
      );
    });
  });
});
