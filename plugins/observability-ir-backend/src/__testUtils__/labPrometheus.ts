import { Sandbox, startSandbox } from '@observability-ir/sandbox-cluster';
import {
  findPrometheusBinaries,
  RealPrometheus,
  startRealPrometheus,
} from '@observability-ir/sandbox-cluster/testing';

/**
 * `describe` where Prometheus and promtool are installed; `describe.skip`
 * elsewhere, except in CI, where the tests then fail.
 */
export const describeWithPrometheus =
  findPrometheusBinaries() || process.env.CI ? describe : describe.skip;

/** The lab frozen at `nowMs`, and a real Prometheus holding its samples. */
export interface LabPrometheus {
  sandbox: Sandbox;
  prometheus: RealPrometheus;
  close(): Promise<void>;
}

/**
 * Starts the lab scenario frozen at `nowMs` (a past moment, so that the
 * exported samples land in persisted blocks) and a real Prometheus loaded
 * with its samples from `fromMs` to `nowMs`.
 */
export async function startLabPrometheus(options: {
  nowMs: number;
  fromMs: number;
}): Promise<LabPrometheus> {
  const sandbox = await startSandbox({
    scenario: 'checkout-oom',
    speed: 0,
    now: options.nowMs,
    kubeconfigPath: false,
  });
  try {
    const prometheus = await startRealPrometheus({
      world: sandbox.world,
      fromMs: options.fromMs,
      toMs: options.nowMs,
    });
    return {
      sandbox,
      prometheus,
      close: async () => {
        await Promise.all([prometheus.close(), sandbox.close()]);
      },
    };
  } catch (error) {
    await sandbox.close();
    throw error;
  }
}
