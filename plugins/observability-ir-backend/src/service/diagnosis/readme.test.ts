import fs from 'node:fs';
import path from 'node:path';
import * as logFacts from '../logs/logFacts';
import * as cpuFacts from '../metrics/cpuFacts';
import * as memoryCycles from '../metrics/memoryCycles';
import * as memoryFacts from '../metrics/memoryFacts';
import * as exitFacts from '../replicas/exitFacts';
import * as applicationCrash from './hypotheses/applicationCrash';
import * as cpuThrottling from './hypotheses/cpuThrottling';
import * as healthy from './hypotheses/healthy';
import * as memoryLeak from './hypotheses/memoryLeak';
import * as memoryLimitTooLow from './hypotheses/memoryLimitTooLow';
import * as networkFault from './hypotheses/networkFault';
import * as nodeMemoryPressure from './hypotheses/nodeMemoryPressure';
import * as probeMisconfiguration from './hypotheses/probeMisconfiguration';
import * as quantity from './quantity';
import * as recommendation from './recommendation';

/** The modules whose constants the README lists, by the path it names. */
const DOCUMENTED: Record<string, object> = {
  'hypotheses/memoryLimitTooLow.ts': memoryLimitTooLow,
  'hypotheses/memoryLeak.ts': memoryLeak,
  'hypotheses/nodeMemoryPressure.ts': nodeMemoryPressure,
  'hypotheses/applicationCrash.ts': applicationCrash,
  'hypotheses/probeMisconfiguration.ts': probeMisconfiguration,
  'hypotheses/cpuThrottling.ts': cpuThrottling,
  'hypotheses/networkFault.ts': networkFault,
  'hypotheses/healthy.ts': healthy,
  '../metrics/memoryCycles.ts': memoryCycles,
  '../metrics/memoryFacts.ts': memoryFacts,
  '../metrics/cpuFacts.ts': cpuFacts,
  '../logs/logFacts.ts': logFacts,
  '../replicas/exitFacts.ts': exitFacts,
  'recommendation.ts': recommendation,
  'quantity.ts': quantity,
};

/** The folders whose fact modules the Layout table must list. */
const FACT_FOLDERS = ['metrics', 'logs', 'replicas', 'timeline'];

const README = fs.readFileSync(path.join(__dirname, 'README.md'), 'utf8');

type Value = number | number[];

/** Rounds away the noise of decimal arithmetic (`65 / 100`). */
function normalise(value: Value): Value {
  const round = (n: number) => Number(n.toPrecision(12));
  return Array.isArray(value) ? value.map(round) : round(value);
}

/**
 * The numeric constants a module exports: `NAME` for a number or a list of
 * numbers, `NAME.key` for each number of an object.
 */
function constantsOf(module: object): Array<[string, Value]> {
  const isNumbers = (v: unknown): v is number[] =>
    Array.isArray(v) && v.every(x => typeof x === 'number');
  const result: Array<[string, Value]> = [];
  for (const [name, value] of Object.entries(module)) {
    if (!/^[A-Z][A-Z0-9_]*$/.test(name)) {
      continue;
    }
    if (typeof value === 'number' || isNumbers(value)) {
      result.push([name, normalise(value)]);
    } else if (value && typeof value === 'object') {
      for (const [key, v] of Object.entries(value)) {
        if (typeof v === 'number') {
          result.push([`${name}.${key}`, normalise(v)]);
        }
      }
    }
  }
  return result.sort(([a], [b]) => a.localeCompare(b));
}

/** The cells of a Markdown table row; none for other lines and rules. */
function cells(line: string): string[] | undefined {
  if (!line.startsWith('|') || /^\|[\s|:-]+\|$/.test(line)) {
    return undefined;
  }
  return line
    .slice(1, -1)
    .split('|')
    .map(c => c.trim());
}

/**
 * The constant tables of the README, by the module their heading names:
 * `### memory-leak: \`hypotheses/memoryLeak.ts\`` then rows of fact, value
 * and constant.
 */
function documentedConstants(): Map<string, Array<[string, string]>> {
  const tables = new Map<string, Array<[string, string]>>();
  let module: string | undefined;
  for (const line of README.split('\n')) {
    if (line.startsWith('#')) {
      module = /^#{2,3} .*`([^`]+\.ts)`/.exec(line)?.[1];
      if (module) {
        tables.set(module, []);
      }
      continue;
    }
    const row = cells(line);
    const constant = row && /^`([A-Za-z_][\w.]*)`$/.exec(row[2] ?? '')?.[1];
    if (module && row && constant) {
      tables.get(module)!.push([constant, row[1]]);
    }
  }
  return tables;
}

/** `+1.5`, `−1`, `×0.85`, `90%`, `30 min`, `137, 143` or a plain number. */
function parseValue(text: string): Value {
  const number = (s: string) => {
    const n = Number(s);
    if (s === '' || Number.isNaN(n)) {
      throw new Error(`"${text}" is not a value`);
    }
    return n;
  };
  const plain = text.replace(/^[+−×-]/, '').trim();
  if (plain.includes(',')) {
    return plain.split(',').map(s => number(s.trim()));
  }
  const unit = /^([\d.]+)\s*(%|min|s)?$/.exec(plain);
  const n = number(unit?.[1] ?? plain);
  switch (unit?.[2]) {
    case '%':
      return normalise(n / 100);
    case 'min':
      return n * 60_000;
    case 's':
      return n * 1000;
    default:
      return n;
  }
}

const SIGNS: Record<string, string> = {
  SUPPORT: '+',
  CONTRADICT: '−',
  SOURCE_FACTORS: '×',
};

describe('the diagnosis README', () => {
  const tables = documentedConstants();

  it('has a table of constants for exactly the modules that own them', () => {
    expect([...tables.keys()].sort()).toEqual(Object.keys(DOCUMENTED).sort());
    const hypotheses = fs
      .readdirSync(path.join(__dirname, 'hypotheses'))
      .filter(f => !f.endsWith('.test.ts') && f !== 'common.ts')
      .map(f => `hypotheses/${f}`);
    expect(hypotheses.filter(h => !(h in DOCUMENTED))).toEqual([]);
  });

  it('documents every fact module that names a constant', async () => {
    const undocumented = [];
    for (const folder of FACT_FOLDERS) {
      const dir = path.join(__dirname, '..', folder);
      for (const file of fs.readdirSync(dir)) {
        const relative = `../${folder}/${file}`;
        if (!/^\w+Facts\.ts$/.test(file) || relative in DOCUMENTED) {
          continue;
        }
        if (constantsOf(await import(path.join(dir, file))).length) {
          undocumented.push(relative);
        }
      }
    }
    expect(undocumented).toEqual([]);
  });

  it.each(Object.keys(DOCUMENTED))(
    '%s: lists every constant with the value in the code',
    file => {
      const rows = tables.get(file) ?? [];
      const documented = rows
        .map(([name, text]): [string, Value] => [name, parseValue(text)])
        .sort(([a], [b]) => a.localeCompare(b));
      expect(documented).toEqual(constantsOf(DOCUMENTED[file]));
    },
  );

  it('writes points with + or −, and source factors with ×', () => {
    const wrong = [...tables.values()].flat().filter(([name, text]) => {
      const sign = SIGNS[name.split('.')[0]];
      return sign !== undefined && !text.startsWith(sign);
    });
    expect(wrong).toEqual([]);
  });

  it('lays out every module of the diagnosis and every fact module', () => {
    const layout = README.slice(
      README.indexOf('## Layout'),
      README.indexOf('\n## ', README.indexOf('## Layout') + 1),
    );
    const listed = layout
      .split('\n')
      .map(cells)
      .map(row => row && /^`([^`]+)`$/.exec(row[0])?.[1])
      .filter((p): p is string => p !== undefined);
    const exists = (p: string) =>
      p.endsWith('/*.ts')
        ? fs.readdirSync(path.join(__dirname, p.slice(0, -'/*.ts'.length)))
            .length > 0
        : fs.existsSync(path.join(__dirname, p));
    expect(listed.filter(p => !exists(p))).toEqual([]);

    const sources = (dir: string) =>
      fs
        .readdirSync(path.join(__dirname, dir))
        .filter(f => f.endsWith('.ts') && !f.endsWith('.test.ts'));
    const required = [
      ...sources('.'),
      ...FACT_FOLDERS.flatMap(folder =>
        sources(`../${folder}`)
          .filter(f => f.endsWith('Facts.ts'))
          .map(f => `../${folder}/${f}`),
      ),
    ];
    expect(required.filter(p => !listed.includes(p))).toEqual([]);
    expect(listed).toContain('hypotheses/*.ts');
  });
});
