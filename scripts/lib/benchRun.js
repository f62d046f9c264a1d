/*
 * What `yarn bench` runs and how it reports: the project's benchmarks in
 * order, the command of each, the machine, the results document and the
 * summary table. The running itself is scripts/bench.js. Nothing but
 * Node.js built-ins.
 */
'use strict';

const os = require('node:os');
const { normaliseBenchResult } = require('./benchResult');

/** The version of the results document's shape. */
const RESULTS_FORMAT = 1;

/** The file `yarn bench` writes, relative to the repository. */
const DEFAULT_RESULTS_PATH = 'docs/benchmarks/results.json';

/**
 * Every benchmark of the project, in the order they run. `script` is a
 * root package.json script, `command` a fixed command; `ports`: it serves
 * the demo on 7007 and 7008, so it runs under the ports lock.
 */
const BENCHMARKS = [
  {
    name: 'evidence-latency',
    title: 'Evidence endpoints latency / upstream delay',
    command: [
      'yarn',
      'workspace',
      '@observability-ir/plugin-observability-ir-backend',
      'bench',
    ],
    ports: false,
  },
  {
    name: 'render',
    title: 'Incident tab render / stock Kubernetes tab (200 replicas)',
    script: 'bench:render',
    ports: true,
  },
  {
    name: 'forensics',
    title: 'Node forensics click→verdict / Job',
    script: 'bench:forensics',
    ports: true,
  },
  {
    name: 'sweep',
    title: 'Fleet sweep / kubectl|jq and / the floor (30,000 pods)',
    script: 'bench:sweep',
    ports: false,
  },
  {
    name: 'load',
    title: 'Load',
    script: 'bench:load',
    ports: true,
  },
];

/** The lock every command serving the demo ports runs under. */
const PORTS_LOCK = '/tmp/obsir-ports.lock';

/**
 * The benchmarks to run: those named (all when none), each with its
 * command, or `present: false` when its script is not in `rootScripts`.
 * Throws for a name that is no benchmark.
 */
function planBenchmarks(rootScripts, names = [], options = {}) {
  const known = new Set(BENCHMARKS.map(b => b.name));
  const unknown = names.filter(name => !known.has(name));
  if (unknown.length > 0) {
    throw new Error(
      `no benchmark named ${unknown.join(', ')}; there are ${[...known].join(
        ', ',
      )}`,
    );
  }
  return BENCHMARKS.filter(
    b => names.length === 0 || names.includes(b.name),
  ).map(b => {
    const present = !b.script || Object.hasOwn(rootScripts ?? {}, b.script);
    let command;
    if (present) {
      command = b.command ?? ['yarn', 'run', b.script];
      if (b.ports && options.flock) {
        command = ['flock', PORTS_LOCK, ...command];
      }
    }
    return {
      name: b.name,
      title: b.title,
      ...(b.script ? { script: b.script } : {}),
      ports: b.ports,
      present,
      ...(command ? { command } : {}),
    };
  });
}

/**
 * How a benchmark's run ended: `not present` (no script), `error` (it
 * failed), `no result` (it wrote no figures), `fail` (a goal not met),
 * `pass` (every goal met) or `measured` (figures without goals).
 */
function statusOf(run) {
  if (!run.present) {
    return 'not present';
  }
  if (run.exitCode !== 0) {
    return 'error';
  }
  if (!run.result) {
    return 'no result';
  }
  const goals = run.result.figures.filter(f => f.goal);
  if (goals.length === 0) {
    return 'measured';
  }
  return goals.every(f => f.met) ? 'pass' : 'fail';
}

/** The machine the figures were measured on. */
function machineInfo(osModule = os, nodeVersion = process.version) {
  const cpus = osModule.cpus();
  return {
    cores: cpus.length,
    cpuModel: cpus[0]?.model?.trim() ?? 'unknown',
    memoryBytes: osModule.totalmem(),
    platform: osModule.platform(),
    release: osModule.release(),
    arch: osModule.arch(),
    node: nodeVersion,
    loadAverageAtStart: osModule.loadavg().map(v => Number(v.toFixed(2))),
  };
}

/**
 * Reads a benchmark's result file's text; undefined when it wrote none.
 * Throws an Error when the text is not a valid result.
 */
function parseBenchResultText(text) {
  if (text === undefined || text.trim() === '') {
    return undefined;
  }
  let parsed;
  try {
    parsed = JSON.parse(text);
  } catch (error) {
    throw new Error(`the result is not JSON: ${error.message}`);
  }
  return normaliseBenchResult(parsed);
}

/**
 * The results document, in a stable shape and key order: the format, when,
 * the machine, and each benchmark planned (in the order of
 * {@link BENCHMARKS}) with its status, figures and goals.
 */
function resultsDocument({ date, machine, runs }) {
  return {
    format: RESULTS_FORMAT,
    date: date.toISOString(),
    machine,
    benchmarks: runs.map(run => ({
      name: run.name,
      title: run.title,
      ...(run.script ? { script: run.script } : {}),
      status: statusOf(run),
      ...(run.present
        ? {
            exitCode: run.exitCode,
            seconds: Number((run.ms / 1000).toFixed(1)),
          }
        : {}),
      ...(run.error ? { error: run.error } : {}),
      figures: run.result?.figures ?? [],
      settings: run.result?.settings ?? {},
    })),
  };
}

/**
 * The results document as its file holds it: two-space JSON, a list of
 * numbers, strings or booleans on one line when it fits in 80 columns, as
 * the repository's Prettier writes it, so the committed file stays as
 * written.
 */
function stringifyResults(document) {
  const json = JSON.stringify(document, null, 2);
  const primitive = String.raw`(?:-?\d[\d.eE+-]*|"(?:[^"\\]|\\.)*"|true|false|null)`;
  const list = new RegExp(
    String.raw`\[\n(\s*)(${primitive}(?:,\n\s*${primitive})*)\n\s*\]`,
    'g',
  );
  const collapsed = json.replace(list, (whole, indent, items, offset, text) => {
    // JSON strings hold no raw line breaks: these are the separators.
    const one = `[${items.split(/,\n\s*/).join(', ')}]`;
    const lineStart = text.lastIndexOf('\n', offset) + 1;
    const before = text.slice(lineStart, offset);
    const after = text.slice(offset + whole.length).split('\n')[0];
    if (before.length + one.length + after.length <= 80) {
      return one;
    }
    // Numbers that do not fit are packed as many a line as fit.
    const values = items.split(/,\n\s*/);
    if (!values.every(v => /^-?\d/.test(v))) {
      return whole;
    }
    const lines = [];
    let current = '';
    values.forEach((v, i) => {
      const item = i < values.length - 1 ? `${v},` : v;
      const next = current ? `${current} ${item}` : item;
      if (current && indent.length + next.length > 80) {
        lines.push(current);
        current = item;
      } else {
        current = next;
      }
    });
    lines.push(current);
    const closing = ' '.repeat(Math.max(0, indent.length - 2));
    return `[\n${lines.map(l => indent + l).join('\n')}\n${closing}]`;
  });
  return `${collapsed}\n`;
}

/** A number as the summary shows it: up to 3 significant decimals. */
function formatValue(value, unit) {
  const abs = Math.abs(value);
  let text;
  if (Number.isInteger(value) || abs >= 100) {
    text = value.toFixed(0);
  } else if (abs >= 10) {
    text = value.toFixed(1);
  } else {
    text = value.toFixed(2);
  }
  return unit ? `${text} ${unit}` : text;
}

function formatGoal(goal, unit) {
  if (!goal) {
    return '';
  }
  const parts = [];
  if (goal.min !== undefined) parts.push(`>= ${formatValue(goal.min, unit)}`);
  if (goal.max !== undefined) parts.push(`<= ${formatValue(goal.max, unit)}`);
  return parts.join(' and ');
}

/**
 * The summary table of a results document: one row per figure (one for a
 * benchmark without figures), with its goal and whether it is met.
 */
function formatSummary(document) {
  const rows = [['benchmark', 'figure', 'value', 'goal', 'result']];
  for (const b of document.benchmarks) {
    if (b.figures.length === 0) {
      rows.push([b.name, '', '', '', b.status]);
      continue;
    }
    b.figures.forEach((f, i) => {
      let result = '';
      if (f.goal) result = f.met ? 'met' : 'NOT met';
      rows.push([
        i === 0 ? b.name : '',
        f.name,
        formatValue(f.value, f.unit),
        formatGoal(f.goal, f.unit),
        result,
      ]);
    });
    if (b.status !== 'pass' && b.status !== 'measured') {
      rows.push(['', '', '', '', b.status]);
    }
  }
  const widths = rows[0].map((_, c) =>
    Math.max(...rows.map(row => [...row[c]].length)),
  );
  const line = row =>
    row
      .map((cell, c) =>
        c === 2
          ? cell.padStart(widths[c])
          : cell + ' '.repeat(widths[c] - [...cell].length),
      )
      .join('  ')
      .trimEnd();
  const { machine } = document;
  return [
    `${document.date}  ${machine.cores} cores (${machine.cpuModel}), ${(
      machine.memoryBytes /
      2 ** 30
    ).toFixed(1)} GiB, Node.js ${machine.node}`,
    '',
    line(rows[0]),
    line(widths.map(w => '-'.repeat(w))),
    ...rows.slice(1).map(line),
  ].join('\n');
}

module.exports = {
  BENCHMARKS,
  DEFAULT_RESULTS_PATH,
  PORTS_LOCK,
  RESULTS_FORMAT,
  formatSummary,
  formatValue,
  machineInfo,
  parseBenchResultText,
  planBenchmarks,
  resultsDocument,
  statusOf,
  stringifyResults,
};
