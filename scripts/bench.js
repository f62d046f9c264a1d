#!/usr/bin/env node
/*
 * Runs every benchmark of the project one after the other, writes their
 * figures to a results file and prints a summary table.
 *
 *   yarn bench                      every benchmark
 *   yarn bench forensics sweep      only those (names: yarn bench --list)
 *   yarn bench --output <file>      another results file
 *
 * Each benchmark writes its figures, with their goals, to the file named by
 * BENCH_RESULT_FILE (scripts/lib/benchResult.js). The results file
 * (docs/benchmarks/results.json by default) holds the date, the machine
 * (cores, CPU, memory, Node.js, load average) and, per benchmark planned,
 * its status, figures, goals and whether each is met. A benchmark whose
 * script does not exist is listed as "not present". Those that serve the
 * demo on ports 7007 and 7008 run under `flock /tmp/obsir-ports.lock`.
 * The exit code is 1 when a benchmark failed to run, 0 otherwise: a goal
 * not met is a figure, not an error.
 *
 * Nothing but Node.js built-ins. Never part of `yarn test`.
 */
'use strict';

const { spawn, spawnSync } = require('node:child_process');
const fs = require('node:fs');
const os = require('node:os');
const path = require('node:path');
const {
  DEFAULT_RESULTS_PATH,
  formatSummary,
  machineInfo,
  parseBenchResultText,
  planBenchmarks,
  resultsDocument,
  stringifyResults,
} = require('./lib/benchRun');

const root = path.resolve(__dirname, '..');

function parseArgs(argv) {
  const names = [];
  let output = DEFAULT_RESULTS_PATH;
  let list = false;
  for (let i = 0; i < argv.length; i++) {
    const arg = argv[i];
    if (arg === '--output' || arg === '-o') {
      output = argv[++i];
      if (!output) throw new Error('--output needs a file');
    } else if (arg.startsWith('--output=')) {
      output = arg.slice('--output='.length);
    } else if (arg === '--list') {
      list = true;
    } else if (arg.startsWith('-')) {
      throw new Error(`unknown option ${arg}`);
    } else {
      names.push(arg);
    }
  }
  return { names, output, list };
}

function hasFlock() {
  const probe = spawnSync('flock', ['--version'], { stdio: 'ignore' });
  return !probe.error && probe.status === 0;
}

function run(command, env) {
  return new Promise(resolve => {
    const child = spawn(command[0], command.slice(1), {
      cwd: root,
      stdio: 'inherit',
      env,
    });
    const forward = signal => child.kill(signal);
    process.on('SIGINT', forward);
    process.on('SIGTERM', forward);
    child.on('exit', (code, signal) => {
      process.off('SIGINT', forward);
      process.off('SIGTERM', forward);
      resolve(code ?? (signal ? 1 : 0));
    });
    child.on('error', error => {
      process.stderr.write(`[bench] ${command[0]}: ${error.message}\n`);
      resolve(1);
    });
  });
}

async function main() {
  const { names, output, list } = parseArgs(process.argv.slice(2));
  const rootScripts = JSON.parse(
    fs.readFileSync(path.join(root, 'package.json'), 'utf8'),
  ).scripts;
  if (list) {
    for (const b of planBenchmarks(rootScripts)) {
      process.stdout.write(
        `${b.name.padEnd(18)} ${b.present ? '' : '(not present) '}${b.title}\n`,
      );
    }
    return 0;
  }
  const flock = hasFlock();
  const plan = planBenchmarks(rootScripts, names, { flock });
  if (!flock && plan.some(b => b.ports && b.present)) {
    process.stderr.write(
      '[bench] flock not found: the benchmarks on ports 7007 and 7008 run without the ports lock\n',
    );
  }

  const date = new Date();
  const machine = machineInfo();
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'obsir-bench-'));
  const runs = [];
  try {
    for (const b of plan) {
      if (!b.present) {
        process.stderr.write(
          `\n[bench] ${b.name}: not present (${b.script})\n`,
        );
        runs.push(b);
        continue;
      }
      process.stderr.write(`\n[bench] ${b.name}: ${b.command.join(' ')}\n`);
      const resultFile = path.join(dir, `${b.name}.json`);
      const started = Date.now();
      const exitCode = await run(b.command, {
        ...process.env,
        BENCH_RESULT_FILE: resultFile,
      });
      const ms = Date.now() - started;
      let result;
      let error;
      try {
        result = parseBenchResultText(
          fs.existsSync(resultFile)
            ? fs.readFileSync(resultFile, 'utf8')
            : undefined,
        );
      } catch (e) {
        error = e.message;
      }
      runs.push({ ...b, exitCode, ms, result, error });
      process.stderr.write(
        `[bench] ${b.name}: ${
          exitCode === 0 ? 'done' : `failed (exit ${exitCode})`
        } in ${(ms / 1000).toFixed(1)} s\n`,
      );
    }
  } finally {
    fs.rmSync(dir, { recursive: true, force: true });
  }

  const document = resultsDocument({ date, machine, runs });
  const outputPath = path.resolve(root, output);
  fs.mkdirSync(path.dirname(outputPath), { recursive: true });
  fs.writeFileSync(outputPath, stringifyResults(document));
  process.stdout.write(`\n${formatSummary(document)}\n`);
  process.stdout.write(`\nResults: ${path.relative(root, outputPath)}\n`);
  return document.benchmarks.some(b =>
    ['error', 'no result'].includes(b.status),
  )
    ? 1
    : 0;
}

main().then(
  code => {
    process.exitCode = code;
  },
  error => {
    process.stderr.write(`[bench] ${error.message}\n`);
    process.exitCode = 1;
  },
);
