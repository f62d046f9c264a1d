/*
 * The figures of one benchmark, as the benchmark hands them to
 * `yarn bench` (scripts/bench.js): a JSON file at `BENCH_RESULT_FILE`, when
 * that is set; nothing otherwise, so a benchmark run by hand only prints.
 *
 *   { "benchmark": "forensics",
 *     "figures": [{ "name": "click→verdict / Job", "value": 1.24,
 *                   "goal": { "max": 1.3 } }, …],
 *     "settings": { "rounds": 5 } }
 *
 * A figure's `goal` is `{ max }` or `{ min }`; `unit` is optional (a ratio
 * has none). Nothing but Node.js built-ins.
 */
'use strict';

const fs = require('node:fs');

/** Whether `value` meets `goal` (`{ max }` or `{ min }`); undefined without one. */
function meetsGoal(value, goal) {
  if (!goal) {
    return undefined;
  }
  if (typeof value !== 'number' || !Number.isFinite(value)) {
    return false;
  }
  if (goal.max !== undefined && value > goal.max) {
    return false;
  }
  if (goal.min !== undefined && value < goal.min) {
    return false;
  }
  return true;
}

/**
 * Checks a benchmark's result and returns it in the stable shape: the
 * benchmark's name, its figures in order (name, value, unit, goal, met)
 * and its settings. Throws an Error naming what is wrong.
 */
function normaliseBenchResult(result) {
  if (!result || typeof result !== 'object') {
    throw new Error('a benchmark result must be an object');
  }
  if (typeof result.benchmark !== 'string' || !result.benchmark) {
    throw new Error('a benchmark result needs a "benchmark" name');
  }
  if (!Array.isArray(result.figures)) {
    throw new Error(`${result.benchmark}: "figures" must be a list`);
  }
  const figures = result.figures.map((figure, i) => {
    const where = `${result.benchmark}: figure ${i + 1}`;
    if (!figure || typeof figure.name !== 'string' || !figure.name) {
      throw new Error(`${where} needs a name`);
    }
    if (typeof figure.value !== 'number' || !Number.isFinite(figure.value)) {
      throw new Error(`${where} (${figure.name}) needs a finite number value`);
    }
    let goal;
    if (figure.goal !== undefined && figure.goal !== null) {
      const { max, min } = figure.goal;
      const bad = v => v !== undefined && !Number.isFinite(v);
      if ((max === undefined && min === undefined) || bad(max) || bad(min)) {
        throw new Error(
          `${where} (${figure.name}): a goal is { max } or { min }, numbers`,
        );
      }
      goal = {
        ...(min !== undefined ? { min } : {}),
        ...(max !== undefined ? { max } : {}),
      };
    }
    return {
      name: figure.name,
      value: figure.value,
      ...(typeof figure.unit === 'string' && figure.unit
        ? { unit: figure.unit }
        : {}),
      ...(goal ? { goal, met: meetsGoal(figure.value, goal) } : {}),
    };
  });
  const settings =
    result.settings && typeof result.settings === 'object'
      ? result.settings
      : {};
  return { benchmark: result.benchmark, figures, settings };
}

/**
 * Hands a benchmark's figures to `yarn bench`: writes them to the file
 * named by `BENCH_RESULT_FILE` (`env`), if any. Returns the result as
 * written, or undefined when no file was asked for.
 */
function reportBenchResult(result, env = process.env) {
  const normalised = normaliseBenchResult(result);
  const file = env.BENCH_RESULT_FILE;
  if (!file) {
    return undefined;
  }
  fs.writeFileSync(file, `${JSON.stringify(normalised, null, 2)}\n`);
  return normalised;
}

module.exports = { meetsGoal, normaliseBenchResult, reportBenchResult };
