import { LogErrorGroup } from '@observability-ir/plugin-observability-ir-common';
import { diagnose } from '.';
import { DiagnosisInput } from './types';
import { labOom, memoryLeak, NOW } from '../../__testUtils__/evidence';
import {
  MEMORY_ERROR_SAMPLES,
  NOT_MEMORY_ERRORS,
} from '../logs/__testUtils__/memoryErrorLines';
import { groupErrorLines, toErrorLogEntry } from '../logs/groupErrorLines';

/** The input with its log groups replaced by one group of `text`, as many lines as before. */
function withLogs(input: DiagnosisInput, text: string): DiagnosisInput {
  const [before] = input.logGroups;
  const count = before?.count ?? 3;
  const pods = before?.pods ?? ['checkout-api-v1-abc'];
  const startMs = Date.parse('2026-11-25T13:00:00Z');
  const entries = Array.from({ length: count }, (_, i) =>
    toErrorLogEntry(
      {
        timeMs: startMs + i * 60_000,
        cluster: 'c',
        pod: pods[i % pods.length],
      },
      text,
    ),
  );
  const groups: LogErrorGroup[] = groupErrorLines(entries, {
    startMs,
    endMs: startMs + count * 60_000,
  });
  return { ...input, logGroups: groups };
}

/** Each hypothesis and its confidence. */
function confidences(input: DiagnosisInput) {
  return diagnose(input, { now: NOW }).hypotheses.map(h => [
    h.id,
    h.confidence,
  ]);
}

const JVM = MEMORY_ERROR_SAMPLES[0];

describe.each([
  ['OOM kills at the limit', labOom],
  ['a leak', memoryLeak],
])('with %s', (_name, incident) => {
  it.each(MEMORY_ERROR_SAMPLES.map(s => [s.runtime, s.signature, s] as const))(
    '%s\'s "%s" weighs as the JVM\'s OutOfMemoryError does',
    (_runtime, _signature, sample) => {
      const input = withLogs(incident(), sample.text);
      expect(confidences(input)).toEqual(
        confidences(withLogs(incident(), JVM.text)),
      );
      const sentences = diagnose(input, { now: NOW })
        .hypotheses.flatMap(h => h.supporting)
        .map(item => item.description);
      expect(sentences.some(s => s.startsWith(`"${sample.signature}"`))).toBe(
        true,
      );
    },
  );

  it.each(NOT_MEMORY_ERRORS)('"%s" is no memory evidence', line => {
    const withLine = confidences(withLogs(incident(), line));
    const withoutLogs = confidences({ ...incident(), logGroups: [] });
    const byId = (rows: Array<Array<string | number>>, id: string) =>
      rows.find(([hid]) => hid === id)?.[1];
    const ids = ['memory-limit-too-low', 'memory-leak'];
    for (const id of ids) {
      expect(byId(withLine, id)).toBe(byId(withoutLogs, id));
    }
    // A real memory error would have moved one of them.
    const withJvm = confidences(withLogs(incident(), JVM.text));
    expect(ids.some(id => byId(withJvm, id) !== byId(withoutLogs, id))).toBe(
      true,
    );
  });
});
