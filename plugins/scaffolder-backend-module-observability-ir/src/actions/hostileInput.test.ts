import {
  createMockDirectory,
  mockServices,
} from '@backstage/backend-test-utils';
import { ConfigReader } from '@backstage/config';
import { ActionContext } from '@backstage/plugin-scaffolder-node';
import { createMockActionContext } from '@backstage/plugin-scaffolder-node-test-utils';
import { JsonObject } from '@backstage/types';
import { readFileSync, symlinkSync } from 'node:fs';
import { join } from 'node:path';
import { startObservabilityIrServer } from '../__testUtils__/observabilityIrServer';
import { createMemoryLimitApplyAction } from './memoryLimitApply';
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
const DEPLOYMENT = fixture('deployment.before.yaml');
const VALUES = fixture('helm-values.before.yaml');

/** Memory quantities no container limit may be set to. */
const HOSTILE_QUANTITIES: Array<[string, string]> = [
  ['a shell injection', '1Gi; rm -rf /'],
  ['a command substitution', '$(reboot)Gi'],
  ['a template expression', '${{ secrets.token }}'],
  ['a negative number', '-1'],
  ['a negative quantity', '-1Gi'],
  ['zero', '0'],
  ['an exponent past any memory', '1e100Gi'],
  ['an exponent', '1e3'],
  ['exabytes', '999999Ei'],
  ['NaN', 'NaN'],
  ['Infinity', 'Infinity'],
  ['hexadecimal', '0x40000000'],
  ['two dots', '1.5.5Gi'],
  ['a space inside', '1 Gi'],
  ['fullwidth digits', '１Gi'],
  ['Arabic-Indic digits', '١Gi'],
  ['an RTL override', '1Gi\u202e'],
  ['a NUL', '1Gi\u0000'],
  ['a YAML breakout', '1Gi\n          image: evil/miner'],
  ['a YAML flow', '{memory: 1Gi}'],
  ['a YAML comment', '1Gi # and more'],
  ['a JSON breakout', '1Gi"},"command":["sh"'],
  ['a lowercase unit that means bytes', '512m'],
  ['an unknown unit', '1GB'],
  ['10k characters', '9'.repeat(10_000)],
  ['blank', '   '],
];

function raiseAction(config: JsonObject = {}) {
  return createMemoryLimitRaiseAction({
    config: new ConfigReader(config),
    discovery: backend.discovery,
    auth: mockServices.auth(),
  });
}

function applyAction() {
  return createMemoryLimitApplyAction({
    config: new ConfigReader({}),
    discovery: backend.discovery,
    auth: mockServices.auth(),
  });
}

/** Runs an action; answers the error it threw, or undefined. */
async function failure(
  action: ReturnType<typeof raiseAction> | ReturnType<typeof applyAction>,
  input: JsonObject,
): Promise<Error | undefined> {
  const ctx = createMockActionContext({
    input,
    workspacePath,
  }) as ActionContext<any, any>;
  try {
    await action.handler(ctx as any);
    return undefined;
  } catch (error) {
    return error as Error;
  }
}

/**
 * What keeps an error from being a refusal a person can act on: another
 * kind than the known ones, an empty or a long message.
 */
function refusalProblems(error: Error | undefined): string[] {
  if (!error) return ['not refused'];
  const problems: string[] = [];
  if (
    !['InputError', 'NotAllowedError', 'NotFoundError'].includes(error.name)
  ) {
    problems.push(`a ${error.name}: ${error.message.slice(0, 200)}`);
  }
  if (error.message.length === 0 || error.message.length > 300) {
    problems.push(`a message of ${error.message.length} characters`);
  }
  return problems;
}

const RAISE = {
  path: 'deploy/app.yaml',
  workloadKind: 'Deployment',
  workloadName: 'checkout-api',
  container: 'api',
  limit: '1Gi',
};

const APPLY = {
  entityRef: 'component:default/checkout-api',
  cluster: 'production',
  namespace: 'shop',
  workloadKind: 'Deployment',
  workloadName: 'checkout-api',
  container: 'api',
  limit: '1Gi',
  dryRun: true,
};

describe('hostile input to the memory limit actions', () => {
  beforeEach(() => {
    mockDir.setContent({
      'outside.yaml': DEPLOYMENT,
      workspace: {
        'deploy/app.yaml': DEPLOYMENT,
        'charts/shop/values.yaml': VALUES,
      },
    });
  });

  /** What was written or asked of the backend: nothing, for a refusal. */
  function whatWasDone(): string[] {
    const done: string[] = [];
    const files: Array<[string, string, string]> = [
      ['deploy/app.yaml', join(workspacePath, 'deploy/app.yaml'), DEPLOYMENT],
      [
        'charts/shop/values.yaml',
        join(workspacePath, 'charts/shop/values.yaml'),
        VALUES,
      ],
      ['outside.yaml', mockDir.resolve('outside.yaml'), DEPLOYMENT],
    ];
    for (const [name, path, content] of files) {
      if (readFileSync(path, 'utf8') !== content) done.push(`wrote ${name}`);
    }
    for (const r of backend.requests) done.push(`asked ${r.method} ${r.path}`);
    return done;
  }

  describe.each(HOSTILE_QUANTITIES)('%s (%j)', (_, quantity) => {
    it('is refused as the limit of a manifest, leaving it as it was', async () => {
      expect(
        refusalProblems(
          await failure(raiseAction(), { ...RAISE, limit: quantity }),
        ),
      ).toEqual([]);
      expect(whatWasDone()).toEqual([]);
    });

    it('is refused as the request, leaving the manifest as it was', async () => {
      expect(
        refusalProblems(
          await failure(raiseAction(), { ...RAISE, request: quantity }),
        ),
      ).toEqual([]);
      expect(whatWasDone()).toEqual([]);
    });

    it('is refused as the limit to apply, before the backend is asked', async () => {
      expect(
        refusalProblems(
          await failure(applyAction(), { ...APPLY, limit: quantity }),
        ),
      ).toEqual([]);
      expect(whatWasDone()).toEqual([]);
    });
  });

  it.each([
    ['a parent path', '../outside.yaml'],
    ['a parent path inside a path', 'deploy/../../outside.yaml'],
    ['an absolute path', '/etc/passwd'],
    ['an absolute path to the file outside', 'OUTSIDE'],
    ['a Windows absolute path', 'C:\\Windows\\win.ini'],
    ['the workspace itself', '.'],
    ['a NUL', 'deploy/app.yaml\u0000.txt'],
    ['a newline', 'deploy/app.yaml\n'],
    ['a missing file', 'deploy/none.yaml'],
    ['a link out of the workspace', 'deploy/link.yaml'],
  ])('refuses a path with %s, changing no file', async (_, path) => {
    symlinkSync(
      mockDir.resolve('outside.yaml'),
      join(workspacePath, 'deploy/link.yaml'),
    );
    const given = path === 'OUTSIDE' ? mockDir.resolve('outside.yaml') : path;
    expect(
      refusalProblems(await failure(raiseAction(), { ...RAISE, path: given })),
    ).toEqual([]);
    expect(whatWasDone()).toEqual([]);
  });

  it.each([
    ['workloadName', 'checkout-api"}'],
    ['workloadName', '*'],
    ['workloadName', '.*'],
    ['workloadName', 'checkout-api\n  namespace: kube-system'],
    ['container', 'api\n          image: evil/miner'],
    ['container', '.*'],
    ['container', 'api; rm -rf /'],
  ])(
    'finds no workload for a %s of %j, changing no file',
    async (field, value) => {
      expect(
        refusalProblems(
          await failure(raiseAction(), { ...RAISE, [field]: value }),
        ),
      ).toEqual([]);
      expect(whatWasDone()).toEqual([]);
    },
  );

  it.each([
    ['a prototype path', '__proto__.polluted'],
    ['a constructor path', 'constructor.prototype.polluted'],
    ['an empty segment', 'checkoutApi..resources.limits.memory'],
    ['a parent path', '../resources.limits.memory'],
    ['a path to a map', 'checkoutApi.resources'],
    ['a path to the other workload', 'cart.resources.limits.memory.x'],
  ])(
    'refuses a Helm values path with %s, polluting nothing',
    async (_, valuesPath) => {
      expect(
        refusalProblems(
          await failure(raiseAction(), {
            ...RAISE,
            path: 'charts/shop/values.yaml',
            valuesPath,
          }),
        ),
      ).toEqual([]);
      expect(({} as Record<string, unknown>).polluted).toBeUndefined();
      expect(whatWasDone()).toEqual([]);
    },
  );

  it.each([
    ['a path traversal', 'component:default/../../../v1/fixes/memory-limit'],
    ['a query string', 'component:default/checkout-api?dryRun=false&x='],
    ['a fragment', 'component:default/checkout-api#'],
    ['a newline', 'component:default/checkout-api\r\nX-Injected: 1'],
  ])(
    'sends an entity ref with %s as one query parameter of the diagnosis read',
    async (_, entityRef) => {
      const error = await failure(raiseAction(), {
        path: RAISE.path,
        workloadName: RAISE.workloadName,
        container: RAISE.container,
        entityRef,
      });
      // The stand-in answers 404 to everything: the action says so.
      expect(refusalProblems(error)).toEqual([]);
      expect(backend.requests).toEqual([
        expect.objectContaining({ method: 'GET', path: '/v1/diagnosis' }),
      ]);
      expect(backend.requests[0].query.getAll('entityRef')).toEqual([
        entityRef,
      ]);
      expect([...backend.requests[0].query.keys()]).toEqual(['entityRef']);
      expect(readFileSync(join(workspacePath, 'deploy/app.yaml'), 'utf8')).toBe(
        DEPLOYMENT,
      );
    },
  );

  it.each([
    ['namespace', '../kube-system'],
    ['namespace', 'shop"} or {a="'],
    ['workloadName', '../prometheus-operator'],
    ['container', 'api; rm -rf /'],
    ['cluster', '../../etc'],
    ['entityRef', 'component:default/../../x'],
  ])(
    'forwards a %s of %j to the backend as that one JSON string, to be judged there',
    async (field, value) => {
      backend.answer('POST /v1/fixes/memory-limit', {
        status: 400,
        body: {
          error: { name: 'InputError', message: `Invalid request: ${field}` },
        },
      });
      const error = await failure(applyAction(), { ...APPLY, [field]: value });

      expect(refusalProblems(error)).toEqual([]);
      expect(backend.requests).toHaveLength(1);
      expect(backend.requests[0]).toMatchObject({
        method: 'POST',
        path: '/v1/fixes/memory-limit',
      });
      expect(backend.requests[0].body).toEqual({ ...APPLY, [field]: value });
    },
  );
});
