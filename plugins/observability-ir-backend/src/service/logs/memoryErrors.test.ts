import {
  MEMORY_ERROR_SAMPLES,
  NOT_MEMORY_ERRORS,
} from './__testUtils__/memoryErrorLines';
import { groupErrorLines, toErrorLogEntry } from './groupErrorLines';
import { classifyLogs } from './logFacts';
import { isMemoryError } from './memoryErrors';

const RANGE = { startMs: 0, endMs: 60_000 };

/** The log groups of entries as they would come from Loki. */
function groupsOf(...texts: string[]) {
  return groupErrorLines(
    texts.map((text, i) =>
      toErrorLogEntry(
        { timeMs: 1_000 * (i + 1), cluster: 'prod', pod: `app-${i}` },
        text,
      ),
    ),
    RANGE,
  );
}

describe('memory errors of every runtime', () => {
  it.each(MEMORY_ERROR_SAMPLES.map(s => [s.runtime, s.source, s] as const))(
    '%s (%s) is memory evidence in a group of its own name',
    (_runtime, _source, sample) => {
      const groups = groupsOf(sample.text);
      expect(groups.map(g => g.signature)).toEqual([sample.signature]);
      expect(classifyLogs(groups).memory).toEqual(groups);
    },
  );

  it('groups the occurrences of one error whatever its numbers', () => {
    const groups = groupsOf(
      'memory allocation of 1048576 bytes failed',
      'memory allocation of 4096 bytes failed',
      'runtime: out of memory: cannot allocate 4194304-byte block (3758096384 in use)',
      'runtime: out of memory: cannot allocate 8192-byte block (1073741824 in use)',
    );
    expect(groups.map(g => [g.signature, g.count])).toEqual([
      ['memory allocation of <n> bytes failed', 2],
      [
        'runtime: out of memory: cannot allocate <n>-byte block (<n> in use)',
        2,
      ],
    ]);
    expect(classifyLogs(groups).memory).toHaveLength(2);
  });

  it('keeps apart Python tracebacks that end in different exceptions', () => {
    const traceback = (last: string) =>
      [
        'Traceback (most recent call last):',
        '  File "/app/worker.py", line 12, in <module>',
        '    run()',
        last,
      ].join('\n');
    const groups = groupsOf(
      traceback('MemoryError'),
      traceback("KeyError: 'sku'"),
    );
    const logs = classifyLogs(groups);
    expect(logs.memory.map(g => g.signature)).toEqual(['MemoryError']);
    expect(logs.exceptions.map(g => g.signature)).toEqual(["KeyError: 'sku'"]);
  });

  it.each(NOT_MEMORY_ERRORS)('"%s" is no memory evidence', line => {
    expect(isMemoryError(line)).toBe(false);
    expect(classifyLogs(groupsOf(line)).memory).toEqual([]);
  });
});
