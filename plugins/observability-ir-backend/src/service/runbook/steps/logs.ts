import {
  describeTime,
  EvidenceItem,
  listNames,
  LogErrorGroup,
  plural,
  RunbookStep,
} from '@observability-ir/plugin-observability-ir-common';
import { errorLinesContaining } from '../../../queries';
import { logqlCommand, previousLogs, recentErrorLines } from '../commands';
import {
  commandsOf,
  replicasToInspect,
  RunbookContext,
  scopeOf,
} from './context';
import {
  answersOf,
  describeFailures,
  diagnosisEvidence,
  sentences,
} from './evidence';
import { playbookOf } from './playbooks';
import { focusClusters } from './triage';

/** Error groups shown as evidence. */
const TOP_GROUPS = 3;

function groupEvidence(group: LogErrorGroup, now: Date): EvidenceItem {
  return {
    source: 'loki',
    description: `"${group.signature}": ${plural(
      group.count,
      'line',
    )} in ${listNames(group.pods)}, ${describeTime(
      group.firstSeen,
      now,
    )} to ${describeTime(group.lastSeen, now)}`,
  };
}

/** The LogQL the backend ran, and one narrowed to the top group's exception. */
function logqlCommands(ctx: RunbookContext) {
  const { logs, workload } = ctx.inputs;
  const clusters = focusClusters(ctx, logs.queries);
  const executed = logs.queries
    .filter(q => clusters.has(q.cluster))
    .map(q => logqlCommand(`${q.name} (${q.cluster})`, q.query));
  const top = logs.groups[0];
  const group = ctx.groups.find(
    g => g.cluster === top?.sample.cluster && g.pods.includes(top.sample.pod),
  );
  const narrowed =
    top?.exceptionClass && group
      ? commandsOf(() =>
          logqlCommand(
            `Only the lines of ${top.exceptionClass} (${group.cluster})`,
            errorLinesContaining(
              scopeOf(group, workload),
              top.exceptionClass!,
              {
                selectorAnnotation: workload.lokiSelector,
              },
            ),
          ),
        )
      : [];
  return [...executed, ...narrowed];
}

/** The container logs through kubectl: the run before a restart, or the current one. */
function kubectlCommands(ctx: RunbookContext) {
  return commandsOf(
    ...ctx.groups.flatMap(group =>
      replicasToInspect(group).map(
        replica => () =>
          replica.restartCount > 0
            ? previousLogs(group, replica.pod, replica.container)
            : recentErrorLines(group, replica.pod, replica.container),
      ),
    ),
  );
}

/** Logs: the error lines Loki holds, grouped by signature. */
export function logsStep(ctx: RunbookContext): RunbookStep {
  const { logs } = ctx.inputs;
  const playbook = playbookOf(ctx);
  const { answered, failed } = answersOf(logs.sources, 'loki');
  const commands = [...logqlCommands(ctx), ...kubectlCommands(ctx)];
  const evidence = [
    ...logs.groups.slice(0, TOP_GROUPS).map(g => groupEvidence(g, ctx.now)),
    ...diagnosisEvidence(ctx, ['loki']),
  ];
  const base = {
    id: 'logs' as const,
    title: playbook.titles.logs,
    evidence,
    commands,
  };
  if (answered.length === 0) {
    return {
      ...base,
      status: 'needs-person',
      summary: sentences(
        `Loki did not answer (${
          describeFailures(failed) || 'no cluster has it configured'
        })`,
        `Read the container logs with kubectl below and look for ${playbook.logsLook}`,
      ),
    };
  }
  const top = logs.groups[0];
  const lines = logs.groups.reduce((n, g) => n + g.count, 0);
  return {
    ...base,
    status: 'done',
    summary: sentences(
      top
        ? `Loki holds ${plural(lines, 'error line')} in ${plural(
            logs.groups.length,
            'group',
          )}; the most frequent is "${top.signature}" (${top.count})`
        : 'Loki holds no error line in the range',
      logs.truncated &&
        `Only the newest ${logs.linesRead} lines were read; Loki holds more`,
      failed.length > 0 && `It did not answer for ${describeFailures(failed)}`,
      `Look for ${playbook.logsLook}`,
    ),
  };
}
