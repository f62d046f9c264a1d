import type { CrictlContainer } from '@observability-ir/plugin-observability-ir-common';

type Json = Record<string, unknown>;

function object(value: unknown): Json | undefined {
  return value && typeof value === 'object' && !Array.isArray(value)
    ? (value as Json)
    : undefined;
}

function string(value: unknown): string | undefined {
  return typeof value === 'string' ? value : undefined;
}

function number(value: unknown): number | undefined {
  if (typeof value === 'number' && Number.isFinite(value)) return value;
  // protobuf's JSON mapping prints int64 as strings
  if (typeof value === 'string' && /^-?\d+$/.test(value)) return Number(value);
  return undefined;
}

/**
 * Parses `crictl inspect ID` (cri-tools): the CRI ContainerStatus under
 * `status`, the runtime's verbose `info` map (containerd: `pid`,
 * `runtimeSpec`, ...). Throws on text that is not that JSON.
 */
export function parseCrictlInspect(text: string): CrictlContainer {
  const root = object(JSON.parse(text));
  const status = object(root?.status);
  const id = string(status?.id);
  if (!status || !id) {
    throw new Error('not crictl inspect output: no status.id');
  }
  const info = object(root?.info);
  const spec = object(info?.runtimeSpec);
  const linux = object(spec?.linux);
  const annotations = object(status.annotations);
  const labels = object(status.labels);
  const limit =
    number(object(object(linux?.resources)?.memory)?.limit) ??
    number(object(object(status.resources)?.linux)?.memoryLimitInBytes);
  const restarts = number(
    annotations?.['io.kubernetes.container.restartCount'],
  );
  const container: CrictlContainer = { id };
  const set = <K extends keyof CrictlContainer>(
    key: K,
    value: CrictlContainer[K],
  ) => {
    if (value !== undefined && value !== '') container[key] = value;
  };
  set('name', string(object(status.metadata)?.name));
  set('state', string(status.state));
  set('pid', number(info?.pid));
  set('exitCode', number(status.exitCode));
  set('reason', string(status.reason));
  set('startedAt', string(status.startedAt));
  set('finishedAt', string(status.finishedAt));
  set('restartCount', restarts);
  if (limit !== undefined && limit > 0) set('memoryLimitBytes', limit);
  set('cgroupsPath', string(linux?.cgroupsPath));
  set('podUid', string(labels?.['io.kubernetes.pod.uid']));
  return container;
}

/**
 * Container ids, one per line: `crictl ps -q` (newest first) and
 * `ctr containers ls -q`. Anything else on the output (warnings) is left out.
 */
export function parseContainerIds(text: string): string[] {
  return text
    .split('\n')
    .map(line => line.trim())
    .filter(line => /^[0-9a-f]{12,64}$/.test(line));
}

/** One row of `ctr tasks ls`. */
export interface CtrTask {
  id: string;
  pid: number;
  /** `RUNNING`, `STOPPED`, `CREATED`, `PAUSED`, ... */
  status: string;
}

/** Parses `ctr tasks ls` (containerd): `TASK PID STATUS` columns. */
export function parseCtrTaskList(text: string): CtrTask[] {
  const tasks: CtrTask[] = [];
  for (const line of text.split('\n')) {
    const match = /^(\S+)\s+(\d+)\s+([A-Z]+)\s*$/.exec(line);
    if (match)
      tasks.push({ id: match[1], pid: Number(match[2]), status: match[3] });
  }
  return tasks;
}

// The types live in -common, where the Incident tab reads them too.
export type { CrictlContainer };
