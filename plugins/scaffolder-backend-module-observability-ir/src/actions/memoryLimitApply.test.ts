import { mockCredentials, mockServices } from '@backstage/backend-test-utils';
import { ConfigReader } from '@backstage/config';
import { NotAllowedError } from '@backstage/errors';
import { ActionContext } from '@backstage/plugin-scaffolder-node';
import { createMockActionContext } from '@backstage/plugin-scaffolder-node-test-utils';
import { JsonObject } from '@backstage/types';
import { MemoryLimitFixResponse } from '@observability-ir/plugin-observability-ir-common';
import { startObservabilityIrServer } from '../__testUtils__/observabilityIrServer';
import { createMemoryLimitApplyAction } from './memoryLimitApply';

let backend: Awaited<ReturnType<typeof startObservabilityIrServer>>;
beforeAll(async () => {
  backend = await startObservabilityIrServer();
}, 60_000);
afterAll(() => backend.close());
afterEach(() => backend.reset());

const INPUT = {
  entityRef: 'component:default/checkout-api',
  cluster: 'production',
  namespace: 'shop',
  workloadKind: 'Deployment',
  workloadName: 'checkout-api',
  container: 'api',
  limit: '1Gi',
};

const pluginToken = `Bearer ${mockCredentials.service.token({
  onBehalfOf: mockCredentials.user(),
  targetPluginId: 'observability-ir',
})}`;

async function run(
  input: JsonObject,
  context: Partial<ActionContext<JsonObject>> = {},
  config: JsonObject = {},
) {
  const action = createMemoryLimitApplyAction({
    config: new ConfigReader(config),
    discovery: backend.discovery,
    auth: mockServices.auth(),
  });
  const ctx = {
    ...createMockActionContext({ input }),
    ...context,
  } as ActionContext<any, any>;
  await action.handler(ctx);
  return Object.fromEntries(
    (ctx.output as jest.Mock).mock.calls.map(([name, value]) => [name, value]),
  );
}

function answerFix(response: Partial<MemoryLimitFixResponse> = {}) {
  backend.answer('POST /v1/fixes/memory-limit', request => {
    const body = request.body as JsonObject;
    return {
      status: 200,
      body: {
        cluster: body.cluster,
        namespace: body.namespace,
        workloadKind: body.workloadKind,
        workloadName: body.workloadName,
        container: body.container,
        previousLimit: '512Mi',
        limit: body.limit,
        ...(body.request
          ? { previousRequest: '384Mi', request: body.request }
          : {}),
        dryRun: body.dryRun ?? false,
        ...response,
      },
    };
  });
}

describe('observability:memory-limit:apply', () => {
  it('asks the backend to patch the workload, on behalf of the person who runs the template', async () => {
    answerFix();

    const outputs = await run({ ...INPUT, request: '768Mi' });

    expect(backend.requests).toEqual([
      {
        method: 'POST',
        path: '/v1/fixes/memory-limit',
        query: new URLSearchParams(),
        authorization: pluginToken,
        body: { ...INPUT, request: '768Mi', dryRun: false },
      },
    ]);
    expect(outputs).toEqual({
      cluster: 'production',
      namespace: 'shop',
      workloadKind: 'Deployment',
      workloadName: 'checkout-api',
      container: 'api',
      previousLimit: '512Mi',
      limit: '1Gi',
      previousRequest: '384Mi',
      request: '768Mi',
      dryRun: false,
    });
  });

  it('leaves out what the workload did not have', async () => {
    answerFix({ previousLimit: undefined });
    const outputs = await run(INPUT);
    expect(outputs).not.toHaveProperty('previousLimit');
    expect(outputs).not.toHaveProperty('request');
    expect(outputs.limit).toBe('1Gi');
  });

  it.each([
    ['input', { dryRun: true }, {}],
    ['task', {}, { isDryRun: true }],
  ])('asks for a dry run (%s)', async (_, input, context) => {
    answerFix();
    const outputs = await run({ ...INPUT, ...input }, context);
    expect(backend.requests.map(request => request.body)).toEqual([
      { ...INPUT, dryRun: true },
    ]);
    expect(outputs.dryRun).toBe(true);
  });

  it('passes on the backend’s refusal with its message', async () => {
    const message =
      'You may not apply memory limits to component:default/checkout-api';
    backend.answer('POST /v1/fixes/memory-limit', {
      status: 403,
      body: { error: { name: 'NotAllowedError', message } },
    });

    const result = run(INPUT);

    await expect(result).rejects.toThrow(NotAllowedError);
    await expect(result).rejects.toThrow(message);
  });

  it('keeps an error the backend names that it does not know', async () => {
    backend.answer('POST /v1/fixes/memory-limit', {
      status: 502,
      body: {
        error: {
          name: 'UpstreamError',
          message: 'cluster production timed out',
        },
      },
    });
    await expect(run(INPUT)).rejects.toThrow(
      expect.objectContaining({
        name: 'UpstreamError',
        message: 'cluster production timed out',
      }),
    );
  });

  it('says what answered when the answer is no error body', async () => {
    backend.answer('POST /v1/fixes/memory-limit', {
      status: 502,
      body: '<html>Bad Gateway</html>',
    });
    await expect(run(INPUT)).rejects.toThrow(
      'observability-ir answered 502 Bad Gateway to POST /v1/fixes/memory-limit',
    );
  });

  it.each([
    [{ limit: '1GB' }, 'limit "1GB" is not a Kubernetes memory quantity'],
    [{ limit: '0' }, 'limit "0" is zero'],
    [{ limit: '32Gi' }, 'above the largest this portal sets, 16Gi'],
    [{ request: '2Gi' }, 'request 2Gi is above limit 1Gi'],
    [{ request: 'abc' }, 'request "abc" is not a Kubernetes memory quantity'],
    [
      { namespace: 'x'.repeat(64) },
      'namespace: String must contain at most 63',
    ],
  ])('refuses %j before calling the backend', async (input, message) => {
    await expect(run({ ...INPUT, ...input })).rejects.toThrow(message);
    expect(backend.requests).toEqual([]);
  });

  it('applies the configured cap', async () => {
    await expect(
      run(
        { ...INPUT, limit: '3Gi' },
        {},
        {
          observabilityIr: { fixes: { maxMemoryLimit: '2Gi' } },
        },
      ),
    ).rejects.toThrow(
      'memory limit 3Gi is above the largest this portal sets, 2Gi (observabilityIr.fixes.maxMemoryLimit)',
    );
    expect(backend.requests).toEqual([]);
  });
});
