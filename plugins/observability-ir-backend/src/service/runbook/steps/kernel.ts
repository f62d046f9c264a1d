import {
  describeBytes,
  describeTime,
  EvidenceItem,
  ForensicsRun,
  RunbookCommand,
  RunbookStep,
} from '@observability-ir/plugin-observability-ir-common';
import {
  cgroupV1Memory,
  cgroupV2Memory,
  containerPid,
  findContainerId,
  kernelOomLog,
  listeningSockets,
  nodeShell,
  podInterfaces,
} from '../commands';
import { commandsOf, RunbookContext } from './context';
import { sentence, sentences } from './evidence';
import { KernelFocus, playbookOf } from './playbooks';

/** The pod node forensics should look at: the most troubled one with a node. */
function podToInspect(ctx: RunbookContext) {
  for (const group of ctx.groups) {
    const replica = group.replicas.find(r => r.node);
    if (replica) {
      return { group, replica, node: replica.node! };
    }
  }
  return undefined;
}

function nodeCommands(
  ctx: RunbookContext,
  focus: KernelFocus,
): RunbookCommand[] {
  const target = podToInspect(ctx);
  if (!target) {
    return [];
  }
  const { group, replica, node } = target;
  const look = 'look' in focus ? focus.look : 'memory';
  return commandsOf(
    () => nodeShell(group.cluster, node),
    () => findContainerId(group.namespace, replica.pod, replica.container),
    () => containerPid(),
    () => listeningSockets(),
    ...(look === 'network'
      ? [() => podInterfaces()]
      : [() => cgroupV2Memory(), () => cgroupV1Memory(), () => kernelOomLog()]),
  );
}

function who(run: ForensicsRun, now: Date): string {
  const at = run.finishedAt ?? run.startedAt ?? run.createdAt;
  return `on ${run.pod}${run.node ? ` (node ${run.node})` : ''}, asked by ${
    run.requestedBy
  } at ${describeTime(at, now)}`;
}

/** What a succeeded run found, one item per fact. */
function runEvidence(run: ForensicsRun): EvidenceItem[] {
  const report = run.report;
  if (!report) {
    return [];
  }
  const items: string[] = [report.verdict.sentence];
  const cgroup = report.findings.cgroup.container ?? report.findings.cgroup.pod;
  if (cgroup) {
    const facts = [
      cgroup.oomKills !== undefined && `${cgroup.oomKills} OOM kills`,
      cgroup.limitBytes !== undefined &&
        `limit ${
          cgroup.limitBytes === null ? 'none' : describeBytes(cgroup.limitBytes)
        }`,
      cgroup.peakUsageBytes !== undefined &&
        `peak ${describeBytes(cgroup.peakUsageBytes)}`,
      cgroup.usageBytes !== undefined &&
        `usage ${describeBytes(cgroup.usageBytes)}`,
    ].filter(Boolean);
    if (facts.length) {
      items.push(
        `Memory cgroup${
          report.findings.cgroup.version
            ? ` (v${report.findings.cgroup.version})`
            : ''
        }: ${facts.join(', ')}`,
      );
    }
  }
  if (report.findings.listening) {
    items.push(
      report.verdict.listeningPorts.length
        ? `Listening on ${report.verdict.listeningPorts.join(', ')}${
            report.verdict.expectedPorts.length
              ? `; the spec expects ${report.verdict.expectedPorts.join(', ')}`
              : ''
          }`
        : 'Nothing listens inside the pod',
    );
  }
  return items.map(description => ({ source: 'forensics', description }));
}

/** Whether a finished run predates the incident and so says nothing of it. */
function predatesIncident(ctx: RunbookContext, run: ForensicsRun): boolean {
  const opened = ctx.inputs.incident?.openedAt;
  const at = run.finishedAt ?? run.createdAt;
  return Boolean(opened && Date.parse(at) < Date.parse(opened));
}

const HOW_TO_RUN =
  'On the Incident tab, choose a pod under Node forensics and run it, or run the commands below on the node as root';

/** Kernel: what the node shows of the container, through node forensics. */
export function kernelStep(ctx: RunbookContext): RunbookStep {
  const playbook = playbookOf(ctx);
  const focus = playbook.kernel;
  const commands = nodeCommands(ctx, focus);
  const base = {
    id: 'kernel' as const,
    title: playbook.titles.kernel,
    commands,
  };
  if ('notNeeded' in focus) {
    const reason = `Not needed: ${focus.notNeeded}`;
    return {
      ...base,
      commands: [],
      status: 'skipped',
      skippedReason: reason,
      summary: sentence(reason),
      evidence: [],
    };
  }
  if (ctx.inputs.forensicsDisabled) {
    return {
      ...base,
      status: 'skipped',
      skippedReason: ctx.inputs.forensicsDisabled,
      summary: sentences(
        ctx.inputs.forensicsDisabled,
        'The commands below show the same by hand, as root on the node',
      ),
      evidence: [],
    };
  }
  const newest = ctx.inputs.forensicsRuns[0];
  const succeeded = ctx.inputs.forensicsRuns.find(
    r => r.status === 'succeeded' && r.report,
  );
  if (newest && (newest.status === 'pending' || newest.status === 'running')) {
    return {
      ...base,
      status: 'in-progress',
      summary: sentences(
        `Node forensics is ${newest.status} ${who(newest, ctx.now)}`,
        succeeded &&
          `The last finished run: ${succeeded.report!.verdict.sentence}`,
      ),
      evidence: succeeded ? runEvidence(succeeded) : [],
    };
  }
  if (succeeded && !predatesIncident(ctx, succeeded)) {
    return {
      ...base,
      status: 'done',
      summary: sentences(
        `Node forensics ran ${who(succeeded, ctx.now)}`,
        succeeded.report!.verdict.sentence,
      ),
      evidence: runEvidence(succeeded),
    };
  }
  const failedLast =
    newest?.status === 'failed' &&
    `The last run ${who(newest, ctx.now)} failed: ${
      newest.reason ?? 'no reason given'
    }`;
  const stale =
    succeeded &&
    `The last run that succeeded predates this incident (${describeTime(
      succeeded.finishedAt ?? succeeded.createdAt,
      ctx.now,
    )})`;
  return {
    ...base,
    status: 'needs-person',
    summary: sentences(
      failedLast || stale || 'Node forensics has not run for this incident',
      HOW_TO_RUN,
    ),
    evidence: [],
  };
}
