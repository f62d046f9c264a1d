import { ContainerModel } from './containerModel';
import { ContainerRun } from './timeline';
import { randomFor } from '../util/random';
import { parseQuantity } from '../util/quantity';
import {
  ProfileRecord,
  renderRecord,
  RuntimeProfile,
  runtimeProfile,
  substitute,
  TemplateValues,
} from './runtimes';

/**
 * One log record as the application wrote it. A record may span several
 * lines (a Java stack trace): `kubectl logs` prints them as lines, while
 * Fluent Bit's multiline parser ships the record to Loki as one entry.
 */
export interface LogRecord {
  ms: number;
  lines: string[];
}

const STARTUP_STEP_MS = 350;

function className(container: string): string {
  const camel = container
    .split(/[-_.]/)
    .map(w => w.charAt(0).toUpperCase() + w.slice(1))
    .join('');
  return `${camel}Application`;
}

/** Values every template of a container can use. */
function baseValues(model: ContainerModel): TemplateValues {
  const words = model.name.split(/[-_.]/).filter(Boolean);
  const pascal = words
    .map(w => w.charAt(0).toUpperCase() + w.slice(1))
    .join('');
  const b = model.behavior;
  return {
    app: model.name,
    App: className(model.name),
    pkg: `com.example.${model.name.replace(/[^a-z0-9]/g, '')}`,
    module: words.join('_'),
    crate: words.join('_'),
    Namespace: pascal,
    port: String(model.listenPorts[0] ?? 8080),
    heapLimit:
      b.type === 'memory-leak' && b.heapLimit !== undefined
        ? String(Math.round(parseQuantity(b.heapLimit) / 1048576))
        : '',
  };
}

/** Values of a periodic record: the k-th of a run. */
function periodicValues(
  model: ContainerModel,
  seed: string,
  k: number,
  heapMi: number,
): TemplateValues {
  const r = randomFor(seed, k, 'fill');
  const slow = model.throttled ? 1800 : 40;
  return {
    ...baseValues(model),
    n: String(1 + Math.floor(r * 200)),
    ms: String(Math.floor(slow + r * slow * 1.5)),
    heap: String(heapMi),
    page: String(Math.min(48, k + 1)),
    worker: String(1 + (k % 10)),
  };
}

function startupRecords(
  model: ContainerModel,
  profile: RuntimeProfile,
  run: ContainerRun,
): LogRecord[] {
  const recs = [...profile.startup.records];
  if (model.behavior.type === 'memory-leak') {
    recs.push(...profile.warmup.startup);
  }
  const values = baseValues(model);
  return recs.map((rec, i) => {
    const ms = run.startMs + (rec.at ?? 200 + i * STARTUP_STEP_MS);
    return { ms, lines: renderRecord(profile, rec, ms, values) };
  });
}

function readyRecords(
  model: ContainerModel,
  profile: RuntimeProfile,
  run: ContainerRun,
): LogRecord[] {
  const listensAfter = model.listensAfter(run.index);
  if (listensAfter === undefined) {
    return [];
  }
  const at = run.startMs + listensAfter;
  const values: TemplateValues = {
    ...baseValues(model),
    startSeconds: (listensAfter / 1000).toFixed(3),
    uptimeSeconds: (listensAfter / 1000 + 0.8).toFixed(3),
  };
  const recs = profile.ready.records;
  return recs.map((rec, i) => {
    const ms = at - 5 * (recs.length - 1 - i);
    return { ms, lines: renderRecord(profile, rec, ms, values) };
  });
}

/** Records of a termination section, `at` ms before the end. */
function beforeEnd(
  model: ContainerModel,
  profile: RuntimeProfile,
  recs: ProfileRecord[],
  run: ContainerRun & { endMs: number },
  seed: string,
): LogRecord[] {
  const end = run.endMs;
  const values: TemplateValues = {
    ...baseValues(model),
    heap: String(
      Math.round(model.memoryAt(run.index, end - run.startMs) / 1048576),
    ),
    allocBytes: String(
      2 ** (16 + Math.floor(randomFor(seed, end, 'alloc') * 8)),
    ),
  };
  return recs.map((rec, i) => {
    const ms = end - (rec.at ?? 150 * (recs.length - i));
    return { ms, lines: renderRecord(profile, rec, ms, values) };
  });
}

/** The records written just before the process ended. */
function terminationRecords(
  model: ContainerModel,
  profile: RuntimeProfile,
  run: ContainerRun,
  seed: string,
): LogRecord[] {
  if (run.endMs === undefined) {
    return [];
  }
  const ended = { ...run, endMs: run.endMs };
  const section = (recs: ProfileRecord[]) =>
    beforeEnd(model, profile, recs, ended, seed);
  if (run.outcome.reason === 'OOMKilled') {
    // Nothing at the SIGKILL itself; only what the runtime wrote before it.
    return section(profile.oomKill.records);
  }
  if (run.outcome.memoryError) {
    return section(profile.memoryError.records);
  }
  if (run.outcome.killedByLiveness) {
    return section(profile.shutdown.records);
  }
  if (model.behavior.type === 'crash-loop') {
    return section(profile.crash[model.behavior.error].records);
  }
  return [];
}

/** Periodic records between startup and termination. */
function periodicRecords(
  model: ContainerModel,
  profile: RuntimeProfile,
  run: ContainerRun,
  seed: string,
  fromMs: number,
  toMs: number,
): LogRecord[] {
  const interval = model.behavior.logs.intervalSeconds * 1000;
  const begin = run.startMs + 2_000;
  const end = Math.min(
    toMs,
    run.endMs !== undefined ? run.endMs - 5_000 : toMs,
  );
  const listensAfter = model.listensAfter(run.index);
  const custom = model.behavior.logs.lines;
  const records: LogRecord[] = [];
  const firstK = Math.max(0, Math.floor((fromMs - begin) / interval) - 1);
  for (let k = firstK; ; k++) {
    const ms =
      begin +
      k * interval +
      Math.floor(randomFor(seed, run.index, k) * interval * 0.5);
    if (ms > end) {
      break;
    }
    if (ms < fromMs) {
      continue;
    }
    const sinceStart = ms - run.startMs;
    const serving = listensAfter !== undefined && sinceStart >= listensAfter;
    const heapMi = Math.round(model.memoryAt(run.index, sinceStart) / 1048576);
    const values = periodicValues(model, seed, k, heapMi);
    if (custom) {
      const template = custom[(k + run.index) % custom.length];
      records.push({
        ms,
        lines: [
          `${new Date(ms).toISOString()} ${substitute(template, values)}`,
        ],
      });
      continue;
    }
    let rec: ProfileRecord;
    if (!serving) {
      const recs =
        model.behavior.type === 'memory-leak'
          ? profile.warmup.records
          : profile.starting.records;
      rec = recs[k % recs.length];
    } else {
      const recs = profile.serving.records;
      rec = recs[k % recs.length];
      if (model.throttled && k % 3 !== 2) {
        const message = rec.message
          ? substitute(rec.message, values)
          : undefined;
        rec = {
          ...profile.serving.slow,
          lines: profile.serving.slow.lines ?? rec.lines,
        };
        values.message = message;
      }
    }
    records.push({ ms, lines: renderRecord(profile, rec, ms, values) });
  }
  return records;
}

/** Runs whose records are kept, per container model. */
const RUNS_KEPT = 2_000;

/**
 * The records of runs that end, by container model (which never changes),
 * then by run: such a run writes the same records at every reading, so
 * they are drawn once. Each model keeps its newest {@link RUNS_KEPT}.
 */
const endedRuns = new WeakMap<ContainerModel, Map<string, LogRecord[]>>();

/** All records a run wrote within [fromMs, toMs], oldest first. */
export function runLogRecords(
  model: ContainerModel,
  run: ContainerRun,
  seed: string,
  fromMs: number,
  toMs: number,
): LogRecord[] {
  if (run.endMs === undefined) {
    return drawRecords(model, run, seed, fromMs, toMs);
  }
  let runs = endedRuns.get(model);
  if (!runs) {
    runs = new Map();
    endedRuns.set(model, runs);
  }
  const key = `${seed}|${run.index}|${run.startMs}|${run.endMs}`;
  let all = runs.get(key);
  if (!all) {
    all = drawRecords(model, run, seed, -Infinity, Infinity);
    runs.set(key, all);
    if (runs.size > RUNS_KEPT) {
      runs.delete(runs.keys().next().value!);
    }
  }
  return all.filter(r => r.ms >= fromMs && r.ms <= toMs);
}

function drawRecords(
  model: ContainerModel,
  run: ContainerRun,
  seed: string,
  fromMs: number,
  toMs: number,
): LogRecord[] {
  const profile = runtimeProfile(model.runtime);
  const all = [
    ...startupRecords(model, profile, run),
    ...readyRecords(model, profile, run),
    ...periodicRecords(model, profile, run, seed, fromMs, toMs),
    ...terminationRecords(model, profile, run, seed),
  ];
  return all
    .filter(
      r =>
        r.ms >= fromMs &&
        r.ms <= toMs &&
        (run.endMs === undefined || r.ms < run.endMs),
    )
    .sort((a, b) => a.ms - b.ms);
}
