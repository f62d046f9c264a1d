import { ProbeFailure, probeFailures } from '../../../replicas/probeFacts';
import { patchProbePort, probeConfig, rolloutStatus } from '../../commands';
import { commandsOf, RunbookContext } from '../context';
import { sentences } from '../evidence';
import { FixPlan, unknownWorkload } from './plan';

/** The port and kind of check a probe target names. */
function targetOf(
  failure: ProbeFailure,
): { port: number; handler: 'httpGet' | 'tcpSocket' } | undefined {
  if (!failure.target) {
    return undefined;
  }
  const http = /^https?:\/\/[^/]*:(\d+)/.exec(failure.target);
  if (http) {
    return { port: Number(http[1]), handler: 'httpGet' };
  }
  const tcp = /:(\d+)$/.exec(failure.target);
  return tcp ? { port: Number(tcp[1]), handler: 'tcpSocket' } : undefined;
}

/**
 * The port the probe should check: one the app listens on (node
 * forensics), else the one another probe of the container checks.
 */
function portToProbe(
  ctx: RunbookContext,
  failing: ProbeFailure,
  failures: ProbeFailure[],
): { port: number; why: string } | undefined {
  const wrong = targetOf(failing)?.port;
  const listening = ctx.inputs.forensicsRuns
    .find(r => r.status === 'succeeded' && r.report)
    ?.report?.verdict.listeningPorts.filter(p => p !== wrong);
  if (listening?.length) {
    return {
      port: listening[0],
      why: `node forensics saw the app listen on ${listening.join(', ')}`,
    };
  }
  const other = failures
    .filter(f => f.probe !== failing.probe)
    .map(f => ({ probe: f.probe, port: targetOf(f)?.port }))
    .find(f => f.port !== undefined && f.port !== wrong);
  return other
    ? {
        port: other.port!,
        why: `the ${other.probe} probe checks ${other.port}`,
      }
    : undefined;
}

/** probe-misconfiguration: point the failing probe where the app answers. */
export function probePlan(ctx: RunbookContext): FixPlan {
  const failures = probeFailures(ctx.inputs.replicas.events);
  // A failing liveness or startup probe is what gets the container killed.
  const failing =
    failures.find(f => f.probe !== 'readiness' && f.target) ??
    failures.find(f => f.target);
  const target = ctx.fixTarget;
  const check = failing ? targetOf(failing) : undefined;
  const proposal = failing ? portToProbe(ctx, failing, failures) : undefined;
  const unknown = unknownWorkload(ctx);
  return {
    summary: sentences(
      ctx.recommendation?.summary ??
        'Point the failing probe at the port and path the application serves',
      failing &&
        check &&
        `The ${failing.probe} probe checks port ${check.port}${
          proposal
            ? `; ${proposal.why}, so the patch below points it there`
            : ''
        }`,
      unknown.note,
    ),
    commands: [
      ...unknown.commands,
      ...(target
        ? commandsOf(
            () => probeConfig(target),
            () =>
              failing && check && proposal
                ? patchProbePort(
                    target,
                    failing.probe,
                    check.handler,
                    proposal.port,
                  )
                : undefined,
            () => rolloutStatus(target),
          )
        : []),
    ],
  };
}
