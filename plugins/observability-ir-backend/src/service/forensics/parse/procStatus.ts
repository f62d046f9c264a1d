import type { ProcessStatus } from '@observability-ir/plugin-observability-ir-common';

function kilobytes(value: string | undefined): number | undefined {
  const match = /^(\d+)\s*kB$/.exec(value ?? '');
  return match ? Number(match[1]) * 1024 : undefined;
}

function integer(value: string | undefined): number | undefined {
  return value !== undefined && /^\d+$/.test(value) ? Number(value) : undefined;
}

/** Parses `/proc/PID/status` (proc(5)). */
export function parseProcStatus(text: string): ProcessStatus {
  const fields: Record<string, string> = {};
  for (const line of text.split('\n')) {
    const match = /^([A-Za-z_][A-Za-z0-9_()]*):\s*(.*?)\s*$/.exec(line);
    if (match) fields[match[1]] = match[2];
  }
  const status: ProcessStatus = { fields };
  const assign = <K extends keyof ProcessStatus>(
    key: K,
    value: ProcessStatus[K],
  ) => {
    if (value !== undefined) status[key] = value;
  };
  assign('name', fields.Name);
  assign('state', fields.State);
  assign('pid', integer(fields.Pid));
  assign('parentPid', integer(fields.PPid));
  assign('threads', integer(fields.Threads));
  assign('residentBytes', kilobytes(fields.VmRSS));
  assign('peakResidentBytes', kilobytes(fields.VmHWM));
  assign('virtualBytes', kilobytes(fields.VmSize));
  assign('swapBytes', kilobytes(fields.VmSwap));
  return status;
}

// The types live in -common, where the Incident tab reads them too.
export type { ProcessStatus };
