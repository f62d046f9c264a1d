/** One line of `/proc/PID/cgroup`: `hierarchy-ID:controller-list:path`. */
export interface ProcCgroupEntry {
  hierarchyId: number;
  controllers: string[];
  path: string;
}

/** Parses `/proc/PID/cgroup` (cgroups(7)), cgroup v1 and v2 lines alike. */
export function parseProcCgroup(text: string): ProcCgroupEntry[] {
  const entries: ProcCgroupEntry[] = [];
  for (const line of text.split('\n')) {
    const match = /^(\d+):([^:]*):(.*)$/.exec(line);
    if (match) {
      entries.push({
        hierarchyId: Number(match[1]),
        controllers: match[2] ? match[2].split(',') : [],
        path: match[3],
      });
    }
  }
  return entries;
}

/**
 * The path of the memory cgroup: the v1 hierarchy that holds the `memory`
 * controller, else the v2 unified hierarchy (`0::/path`).
 */
export function memoryCgroupPath(
  entries: ProcCgroupEntry[],
): string | undefined {
  return (
    entries.find(e => e.controllers.includes('memory'))?.path ??
    entries.find(e => e.hierarchyId === 0 && e.controllers.length === 0)?.path
  );
}

/**
 * A byte count: v1 `memory.limit_in_bytes` and friends, v2 `memory.current`. The kernel's
 * "no limit" is the largest page-aligned signed 64-bit value
 * (9223372036854771712 on 4 KiB pages); anything at or above 2^62 reads as
 * unlimited (`null`).
 */
export function parseCgroupBytes(text: string): number | null | undefined {
  const value = text.trim();
  if (!/^\d+$/.test(value)) return undefined;
  return BigInt(value) >= 2n ** 62n ? null : Number(value);
}

/** `memory.oom_control` (cgroup v1). */
export interface CgroupV1OomControl {
  oomKillDisable: boolean;
  underOom: boolean;
  /** OOM kills in this cgroup; absent before Linux 4.13. */
  oomKill?: number;
}

function flatKeyed(text: string): Record<string, number> {
  const values: Record<string, number> = {};
  for (const line of text.split('\n')) {
    const match = /^([a-z_]+)\s+(\d+)$/.exec(line.trim());
    if (match) values[match[1]] = Number(match[2]);
  }
  return values;
}

/** Parses v1 `memory.oom_control`: `oom_kill_disable 0`, `under_oom 0`, `oom_kill 6`. */
export function parseCgroupV1OomControl(text: string): CgroupV1OomControl {
  const values = flatKeyed(text);
  return {
    oomKillDisable: values.oom_kill_disable === 1,
    underOom: values.under_oom === 1,
    ...(values.oom_kill !== undefined && { oomKill: values.oom_kill }),
  };
}

/** `memory.events` (cgroup v2), counters since the cgroup was created. */
export interface CgroupV2MemoryEvents {
  low: number;
  high: number;
  max: number;
  oom: number;
  oomKill: number;
  oomGroupKill?: number;
}

/**
 * Parses v2 `memory.events` (Documentation/admin-guide/cgroup-v2.rst): a
 * flat-keyed file of `low`, `high`, `max`, `oom`, `oom_kill` and, since
 * Linux 6.1, `oom_group_kill`. Unless the hierarchy is mounted with
 * `memory_localevents`, the counts include the cgroup's descendants.
 */
export function parseCgroupV2MemoryEvents(text: string): CgroupV2MemoryEvents {
  const values = flatKeyed(text);
  return {
    low: values.low ?? 0,
    high: values.high ?? 0,
    max: values.max ?? 0,
    oom: values.oom ?? 0,
    oomKill: values.oom_kill ?? 0,
    ...(values.oom_group_kill !== undefined && {
      oomGroupKill: values.oom_group_kill,
    }),
  };
}

/** Parses v2 `memory.max` / `memory.high`: bytes, or `max` (no limit, `null`). */
export function parseCgroupV2Limit(text: string): number | null | undefined {
  const value = text.trim();
  if (value === 'max') return null;
  return /^\d+$/.test(value) ? Number(value) : undefined;
}
