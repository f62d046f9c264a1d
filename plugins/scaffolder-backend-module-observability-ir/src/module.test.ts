import { mockServices, startTestBackend } from '@backstage/backend-test-utils';
import { scaffolderActionsExtensionPoint } from '@backstage/plugin-scaffolder-node';
import { scaffolderModuleObservabilityIr } from './module';

// Each test starts a backend; a cold machine can take longer than Jest's 5 s.
jest.setTimeout(60_000);

describe('scaffolderModuleObservabilityIr', () => {
  it('adds both memory-limit actions to the scaffolder', async () => {
    const addActions = jest.fn();
    await startTestBackend({
      extensionPoints: [[scaffolderActionsExtensionPoint, { addActions }]],
      features: [scaffolderModuleObservabilityIr],
    });
    const ids = addActions.mock.calls.flat().map(action => action.id);
    expect(ids).toEqual([
      'observability:memory-limit:raise',
      'observability:memory-limit:apply',
    ]);
  });

  it('does not start with a cap that is not a quantity', async () => {
    await expect(
      startTestBackend({
        extensionPoints: [
          [scaffolderActionsExtensionPoint, { addActions: jest.fn() }],
        ],
        features: [
          scaffolderModuleObservabilityIr,
          mockServices.rootConfig.factory({
            data: { observabilityIr: { fixes: { maxMemoryLimit: 'lots' } } },
          }),
        ],
      }),
    ).rejects.toThrow(
      'observabilityIr.fixes.maxMemoryLimit "lots" is not a Kubernetes memory quantity',
    );
  });
});
