import type { ForensicsSection } from '@observability-ir/plugin-observability-ir-common';

/** The script's whole output, split into sections. */
export interface ForensicsScriptOutput {
  formatVersion?: number;
  sections: ForensicsSection[];
  /** The final `=== done ===` line was seen: the script ran to its end. */
  complete: boolean;
}

const HEADER = /^=== node-forensics format=(\d+) ===$/;
const BEGIN = /^=== section: ([A-Za-z0-9._/-]+) ===$/;
const END = /^=== end: ([A-Za-z0-9._/-]+) exit=(\d+) ===$/;
const DONE = '=== done ===';

/**
 * Splits the script's output (README.md next to the script) into sections.
 * Lines outside any section are ignored; a section without its end line
 * (output cut off) is kept without an exit status.
 */
export function parseForensicsOutput(text: string): ForensicsScriptOutput {
  const result: ForensicsScriptOutput = { sections: [], complete: false };
  let open: { name: string; lines: string[] } | undefined;

  const close = (exitStatus?: number) => {
    if (!open) return;
    const lines = open.lines;
    const command = lines[0]?.startsWith('$ ')
      ? lines.shift()!.slice(2)
      : undefined;
    result.sections.push({
      name: open.name,
      ...(command !== undefined && { command }),
      body: lines.join('\n'),
      ...(exitStatus !== undefined && { exitStatus }),
    });
    open = undefined;
  };

  for (const line of text.split('\n')) {
    const header = HEADER.exec(line);
    if (header && !open) {
      result.formatVersion = Number(header[1]);
      continue;
    }
    const begin = BEGIN.exec(line);
    if (begin) {
      close();
      open = { name: begin[1], lines: [] };
      continue;
    }
    const end = END.exec(line);
    if (end && open && end[1] === open.name) {
      close(Number(end[2]));
      continue;
    }
    if (line === DONE && !open) {
      result.complete = true;
      continue;
    }
    open?.lines.push(line);
  }
  close();
  return result;
}

/** The `key: value` lines of a section such as `target` or `cgroup`. */
export function parseKeyValues(body: string): Record<string, string> {
  const values: Record<string, string> = {};
  for (const line of body.split('\n')) {
    const match = /^([a-z][a-z0-9-]*): ?(.*)$/.exec(line);
    if (match) values[match[1]] = match[2];
  }
  return values;
}

// The types live in -common, where the Incident tab reads them too.
export type { ForensicsSection };
