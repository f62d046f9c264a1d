'use strict';

const assert = require('node:assert/strict');
const fs = require('node:fs');
const path = require('node:path');
const { test } = require('node:test');
const { reportBenchResult } = require('./benchResult');
const {
  formatSummary,
  machineInfo,
  parseBenchResultText,
  planBenchmarks,
  resultsDocument,
  statusOf,
  stringifyResults,
} = require('./benchRun');
const { tempDir } = require('./testing/tempDir');

const ROOT = path.resolve(__dirname, '../..');

const scripts = {
  'bench:render': 'node render.ts',
  'bench:forensics': 'node forensics.ts',
  'bench:sweep': 'node sweep.ts',
};

test('plans every benchmark in order, and the load one as not present until its script exists', () => {
  const plan = planBenchmarks(scripts, [], { flock: true });
  assert.deepEqual(
    plan.map(b => [b.name, b.present]),
    [
      ['evidence-latency', true],
      ['render', true],
      ['forensics', true],
      ['sweep', true],
      ['load', false],
    ],
  );
  assert.equal(plan[4].command, undefined);

  const withLoad = planBenchmarks(
    { ...scripts, 'bench:load': 'node load.ts' },
    ['load'],
    { flock: true },
  );
  assert.deepEqual(
    withLoad.map(b => [b.name, b.present, b.command]),
    [
      [
        'load',
        true,
        ['flock', '/tmp/obsir-ports.lock', 'yarn', 'run', 'bench:load'],
      ],
    ],
  );
});

test('runs the demo-port benchmarks under the ports lock, the others without', () => {
  const byName = Object.fromEntries(
    planBenchmarks(scripts, [], { flock: true }).map(b => [b.name, b.command]),
  );
  assert.deepEqual(byName.forensics, [
    'flock',
    '/tmp/obsir-ports.lock',
    'yarn',
    'run',
    'bench:forensics',
  ]);
  assert.deepEqual(byName.sweep, ['yarn', 'run', 'bench:sweep']);
  assert.deepEqual(byName['evidence-latency'], [
    'yarn',
    'workspace',
    '@observability-ir/plugin-observability-ir-backend',
    'bench',
  ]);
  // Without flock on the machine, the command alone.
  const [render] = planBenchmarks(scripts, ['render']);
  assert.deepEqual(render.command, ['yarn', 'run', 'bench:render']);
});

test('refuses a benchmark name it does not know, naming the known ones', () => {
  assert.throws(
    () => planBenchmarks(scripts, ['forensic']),
    /no benchmark named forensic; there are evidence-latency, render, forensics, sweep, load/,
  );
});

test('reads a result with its goals, and says which are met', () => {
  const result = parseBenchResultText(
    JSON.stringify({
      benchmark: 'sweep',
      figures: [
        { name: 'sweep / floor time', value: 1.47, goal: { max: 1.3 } },
        { name: 'peak RSS growth', value: 90, unit: 'MB', goal: { max: 150 } },
        { name: 'pods', value: 30000 },
        { name: 'found', value: 1000, goal: { min: 1000 } },
      ],
      settings: { clusters: 3 },
    }),
  );
  assert.deepEqual(result, {
    benchmark: 'sweep',
    figures: [
      {
        name: 'sweep / floor time',
        value: 1.47,
        goal: { max: 1.3 },
        met: false,
      },
      {
        name: 'peak RSS growth',
        value: 90,
        unit: 'MB',
        goal: { max: 150 },
        met: true,
      },
      { name: 'pods', value: 30000 },
      { name: 'found', value: 1000, goal: { min: 1000 }, met: true },
    ],
    settings: { clusters: 3 },
  });
});

test('says what is wrong with a result it cannot use', () => {
  assert.equal(parseBenchResultText(undefined), undefined);
  assert.equal(parseBenchResultText('  \n'), undefined);
  assert.throws(() => parseBenchResultText('{"benchmark":'), /not JSON/);
  assert.throws(
    () => parseBenchResultText('{"benchmark":"render"}'),
    /render: "figures" must be a list/,
  );
  assert.throws(
    () =>
      parseBenchResultText(
        '{"benchmark":"render","figures":[{"name":"ratio","value":null}]}',
      ),
    /render: figure 1 \(ratio\) needs a finite number value/,
  );
  assert.throws(
    () =>
      parseBenchResultText(
        '{"benchmark":"render","figures":[{"name":"ratio","value":2,"goal":{}}]}',
      ),
    /a goal is \{ max \} or \{ min \}/,
  );
});

test('a benchmark passes when every goal is met, fails when one is not, and says when it did not run', () => {
  const result = figures => ({ benchmark: 'x', figures, settings: {} });
  const ran = { present: true, exitCode: 0 };
  assert.equal(
    statusOf({
      ...ran,
      result: result([{ name: 'a', value: 1, goal: { max: 2 }, met: true }]),
    }),
    'pass',
  );
  assert.equal(
    statusOf({
      ...ran,
      result: result([
        { name: 'a', value: 1, goal: { max: 2 }, met: true },
        { name: 'b', value: 3, goal: { max: 2 }, met: false },
      ]),
    }),
    'fail',
  );
  assert.equal(
    statusOf({ ...ran, result: result([{ name: 'a', value: 1 }]) }),
    'measured',
  );
  assert.equal(statusOf({ ...ran }), 'no result');
  assert.equal(statusOf({ present: true, exitCode: 1 }), 'error');
  assert.equal(statusOf({ present: false }), 'not present');
});

test('writes a stable document and a summary table of every figure and goal', () => {
  const machine = machineInfo(
    {
      cpus: () => [{ model: 'Test CPU ' }, { model: 'Test CPU ' }],
      totalmem: () => 8 * 2 ** 30,
      platform: () => 'linux',
      release: () => '6.1.0',
      arch: () => 'x64',
      loadavg: () => [0.5, 0.25, 0.125],
    },
    'v22.11.0',
  );
  assert.deepEqual(machine, {
    cores: 2,
    cpuModel: 'Test CPU',
    memoryBytes: 8 * 2 ** 30,
    platform: 'linux',
    release: '6.1.0',
    arch: 'x64',
    node: 'v22.11.0',
    loadAverageAtStart: [0.5, 0.25, 0.13],
  });
  const [, , forensics, , load] = planBenchmarks(scripts, [], { flock: true });
  const document = resultsDocument({
    date: new Date('2026-12-02T18:00:00Z'),
    machine,
    runs: [
      {
        ...forensics,
        exitCode: 0,
        ms: 61_234,
        result: parseBenchResultText(
          JSON.stringify({
            benchmark: 'forensics',
            figures: [
              {
                name: 'click→verdict / Job (median)',
                value: 1.24,
                goal: { max: 1.3 },
              },
              { name: 'click→verdict (median)', value: 3193, unit: 'ms' },
            ],
            settings: { rounds: 5 },
          }),
        ),
      },
      load,
    ],
  });
  assert.deepEqual(Object.keys(document), [
    'format',
    'date',
    'machine',
    'benchmarks',
  ]);
  assert.deepEqual(
    document.benchmarks.map(b => [b.name, b.status, b.seconds]),
    [
      ['forensics', 'pass', 61.2],
      ['load', 'not present', undefined],
    ],
  );
  assert.equal(document.date, '2026-12-02T18:00:00.000Z');

  assert.equal(
    formatSummary(document),
    [
      '2026-12-02T18:00:00.000Z  2 cores (Test CPU), 8.0 GiB, Node.js v22.11.0',
      '',
      'benchmark  figure                          value  goal     result',
      '---------  ----------------------------  -------  -------  -----------',
      'forensics  click→verdict / Job (median)     1.24  <= 1.30  met',
      '           click→verdict (median)        3193 ms',
      'load                                                       not present',
    ].join('\n'),
  );
});

test('writes the results file as the repository formats JSON, and reads back the same', () => {
  const document = {
    format: 1,
    machine: { loadAverageAtStart: [0.5, 0.25, 0.13], names: ['a', 'b, "c"'] },
    benchmarks: [
      {
        figures: [],
        settings: { sizes: Array.from({ length: 16 }, (_, i) => i * 10000) },
      },
    ],
  };
  const text = stringifyResults(document);
  assert.deepEqual(JSON.parse(text), document);
  assert.equal(
    text,
    [
      '{',
      '  "format": 1,',
      '  "machine": {',
      '    "loadAverageAtStart": [0.5, 0.25, 0.13],',
      '    "names": ["a", "b, \\"c\\""]',
      '  },',
      '  "benchmarks": [',
      '    {',
      '      "figures": [],',
      '      "settings": {',
      '        "sizes": [',
      '          0, 10000, 20000, 30000, 40000, 50000, 60000, 70000, 80000, 90000,',
      '          100000, 110000, 120000, 130000, 140000, 150000',
      '        ]',
      '      }',
      '    }',
      '  ]',
      '}',
      '',
    ].join('\n'),
  );
});

test('a benchmark hands its figures over only when yarn bench asks for them', () => {
  const dir = tempDir('bench-result-');
  const file = path.join(dir, 'render.json');
  const result = {
    benchmark: 'render',
    figures: [{ name: 'Incident / Kubernetes (median)', value: 7.12 }],
  };
  assert.equal(reportBenchResult(result, {}), undefined);
  assert.equal(fs.existsSync(file), false);

  reportBenchResult(result, { BENCH_RESULT_FILE: file });
  assert.deepEqual(parseBenchResultText(fs.readFileSync(file, 'utf8')), {
    ...result,
    settings: {},
  });
});

test('no test command runs a benchmark', () => {
  const rootScripts = JSON.parse(
    fs.readFileSync(path.join(ROOT, 'package.json'), 'utf8'),
  ).scripts;
  // yarn test runs test:all through the toolchain; test:all runs phases.
  assert.match(rootScripts.test, /toolchain\.js test:all$/);
  const phases = rootScripts['test:all'].split(/\s+/).slice(3);
  assert.ok(phases.includes('test:unit'));
  for (const phase of phases) {
    assert.doesNotMatch(rootScripts[phase], /bench/, phase);
  }
  // Jest and Playwright pick up *.test.* and *.spec.* files only.
  const benchFiles = [
    ...fs
      .readdirSync(path.join(ROOT, 'e2e-tests/bench'))
      .map(f => `e2e-tests/bench/${f}`),
    ...fs
      .readdirSync(path.join(ROOT, 'plugins/observability-ir-backend/bench'))
      .map(f => `plugins/observability-ir-backend/bench/${f}`),
  ];
  assert.ok(benchFiles.length >= 5);
  for (const file of benchFiles) {
    assert.doesNotMatch(file, /\.(test|spec)\.[cm]?[jt]sx?$/, file);
  }
});
