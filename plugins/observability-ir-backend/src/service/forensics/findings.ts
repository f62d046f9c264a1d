import type {
  ForensicsFindings,
  ForensicsSection,
  ForensicsTarget,
  MemoryCgroupFacts,
} from '@observability-ir/plugin-observability-ir-common';
import {
  memoryCgroupPath,
  parseCgroupBytes,
  parseCgroupV1OomControl,
  parseCgroupV2Limit,
  parseCgroupV2MemoryEvents,
  parseProcCgroup,
} from './parse/cgroup';
import { parseIpAddr } from './parse/ipAddr';
import {
  parseNetstatListening,
  parseSsListening,
} from './parse/listeningSockets';
import { parseProcStatus } from './parse/procStatus';
import { parseCrictlInspect } from './parse/runtime';
import { ForensicsScriptOutput, parseKeyValues } from './parse/sections';

function succeeded(
  section: ForensicsSection | undefined,
): section is ForensicsSection {
  return section?.exitStatus === 0;
}

function optionalNumber(value: string | undefined): number | undefined {
  return value !== undefined && /^\d+$/.test(value) ? Number(value) : undefined;
}

function memoryFacts(
  sections: Map<string, ForensicsSection>,
  scope: 'container' | 'pod',
  path: string | undefined,
  version: 1 | 2 | undefined,
): MemoryCgroupFacts | undefined {
  if (!path || path === 'none') return undefined;
  const body = (file: string) => {
    const section = sections.get(`cgroup/${scope}/${file}`);
    return succeeded(section) ? section.body : undefined;
  };
  const facts: MemoryCgroupFacts = { path };
  const set = <K extends keyof MemoryCgroupFacts>(
    key: K,
    value: MemoryCgroupFacts[K],
  ) => {
    if (value !== undefined) facts[key] = value;
  };
  const bytes = (file: string) => {
    const text = body(file);
    return text === undefined ? undefined : parseCgroupBytes(text) ?? undefined;
  };
  if (version === 2) {
    const events = body('memory.events');
    if (events !== undefined)
      set('oomKills', parseCgroupV2MemoryEvents(events).oomKill);
    const max = body('memory.max');
    if (max !== undefined) set('limitBytes', parseCgroupV2Limit(max));
    set('usageBytes', bytes('memory.current'));
    set('peakUsageBytes', bytes('memory.peak'));
  } else {
    const oomControl = body('memory.oom_control');
    if (oomControl !== undefined) {
      set('oomKills', parseCgroupV1OomControl(oomControl).oomKill);
    }
    const limit = body('memory.limit_in_bytes');
    if (limit !== undefined) set('limitBytes', parseCgroupBytes(limit));
    set('usageBytes', bytes('memory.usage_in_bytes'));
    set('peakUsageBytes', bytes('memory.max_usage_in_bytes'));
  }
  return facts;
}

/** Reads the facts out of the script's sections. */
export function readFindings(output: ForensicsScriptOutput): ForensicsFindings {
  const sections = new Map(output.sections.map(s => [s.name, s]));
  const meta = parseKeyValues(sections.get('meta')?.body ?? '');
  const target = parseKeyValues(sections.get('target')?.body ?? '');
  const cgroup = parseKeyValues(sections.get('cgroup')?.body ?? '');

  const findings: ForensicsFindings = {
    ...(output.formatVersion !== undefined && {
      formatVersion: output.formatVersion,
    }),
    complete: output.complete,
    ...(meta.node && { node: meta.node }),
    target: {},
    cgroup: {},
    failedSections: output.sections
      .filter(s => s.exitStatus !== 0)
      .map(s => ({
        name: s.name,
        ...(s.exitStatus !== undefined && { exitStatus: s.exitStatus }),
        ...(s.command !== undefined && { command: s.command }),
      })),
  };

  if (target['container-id'] && target['container-id'] !== 'none') {
    findings.target.containerId = target['container-id'];
  }
  const foundBy = target['found-by'];
  if (foundBy === 'crictl' || foundBy === 'ctr' || foundBy === 'proc') {
    findings.target.foundBy = foundBy;
  }
  const pid = optionalNumber(target.pid);
  if (pid) findings.target.pid = pid;
  if (target.state) findings.target.state = target.state;
  if (target.note) findings.target.note = target.note;

  const inspect = sections.get('crictl-inspect');
  if (succeeded(inspect)) {
    try {
      findings.container = parseCrictlInspect(inspect.body);
    } catch {
      // not JSON (an old crictl, a warning): the target section still says enough
    }
  }

  const ipAddr = sections.get('ip-addr');
  if (succeeded(ipAddr)) findings.interfaces = parseIpAddr(ipAddr.body);

  const ss = sections.get('ss-ltnp');
  const netstat = [
    sections.get('netstat-plnt'),
    sections.get('netstat-lnt'),
  ].find(succeeded);
  if (succeeded(ss)) {
    findings.listening = parseSsListening(ss.body);
    findings.listeningFrom = 'ss';
  } else if (netstat) {
    findings.listening = parseNetstatListening(netstat.body);
    findings.listeningFrom = 'netstat';
  }

  const status = sections.get('proc-status');
  if (succeeded(status)) findings.process = parseProcStatus(status.body);

  const versions = { '1': 1, '2': 2 } as const;
  const version = versions[cgroup.version as keyof typeof versions];
  if (version) findings.cgroup.version = version;
  let containerPath: string | undefined = cgroup.container;
  if (
    (!containerPath || containerPath === 'none') &&
    succeeded(sections.get('proc-cgroup'))
  ) {
    containerPath = memoryCgroupPath(
      parseProcCgroup(sections.get('proc-cgroup')!.body),
    );
  }
  const containerFacts = memoryFacts(
    sections,
    'container',
    containerPath,
    version,
  );
  if (containerFacts) findings.cgroup.container = containerFacts;
  const podFacts = memoryFacts(sections, 'pod', cgroup.pod, version);
  if (podFacts) findings.cgroup.pod = podFacts;

  return findings;
}

// The types live in -common, where the Incident tab reads them too.
export type { ForensicsFindings, ForensicsTarget, MemoryCgroupFacts };
