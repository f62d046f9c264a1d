import {
  describeDuration,
  EvidenceItem,
  IncidentAction,
  RunbookCommand,
  RunbookResponse,
  RunbookStep,
  TimelineEvent,
  TimelineResponse,
} from '@observability-ir/plugin-observability-ir-common';
import { AGAINST_PREFIX } from './steps/evidence';

/*
 * The postmortem of an incident as Markdown. Every text that is not a
 * constant of this file is escaped: log lines, pod names, messages people
 * typed and the sentences built from them cannot add Markdown or HTML.
 */

/** Evidence events shown on the timeline; the middle of a longer one is left out. */
export const MAX_TIMELINE_EVIDENCE = 100;
const TIMELINE_HEAD = 20;

// Controls, line separators and bidirectional overrides: a line break
// would let text start a block, the others hide what the text says.
const INVISIBLE =
  /[\p{Cc}\p{Zl}\p{Zp}\u061C\u200E\u200F\u202A-\u202E\u2066-\u2069]+/gu;

/**
 * Text that came from elsewhere, made inert as Markdown inline text: on one
 * line, `&` `<` `>` as entities (no HTML, no autolinks), and the characters
 * that start emphasis, links, images, code, tables, strikethrough or
 * extended autolinks backslash-escaped.
 */
export function escapeMarkdown(text: string): string {
  return text
    .replace(INVISIBLE, ' ')
    .replace(/&/g, '&amp;')
    .replace(/</g, '&lt;')
    .replace(/>/g, '&gt;')
    .replace(/[\\`*_[\]|~!{}#@]/g, '\\$&')
    .replace(/:\/\//g, '\\://')
    .replace(/\bwww\./gi, m => `${m.slice(0, 3)}\\.`);
}

/**
 * {@link escapeMarkdown} for text that starts a line: leading blanks (an
 * indented code block) are dropped and a list or heading marker escaped.
 */
export function escapeMarkdownLine(text: string): string {
  return escapeMarkdown(text.replace(INVISIBLE, ' ').trimStart())
    .replace(/^([-+=])/, '\\$1')
    .replace(/^(\d+)([.)])/, '$1\\$2');
}

/** `2026-12-02 09:23:04Z`; a time that cannot be read, escaped as given. */
function when(time: string): string {
  const ms = Date.parse(time);
  if (Number.isNaN(ms)) {
    return escapeMarkdown(time);
  }
  const iso = new Date(ms).toISOString();
  return `${iso.slice(0, 10)} ${iso.slice(11, 19)}Z`;
}

/** A fenced code block that nothing inside can close. */
function codeBlock(command: RunbookCommand): string {
  const longest = Math.max(
    0,
    ...[...command.text.matchAll(/`+/g)].map(m => m[0].length),
  );
  const fence = '`'.repeat(Math.max(3, longest + 1));
  const info = command.language === 'shell' ? 'sh' : command.language;
  return `${fence}${info}\n${command.text.replace(/\r\n?/g, '\n')}\n${fence}`;
}

function evidenceLine(item: EvidenceItem): string {
  return `- (${item.source}) ${escapeMarkdown(item.description)}`;
}

function header(runbook: RunbookResponse, now: Date): string[] {
  const incident = runbook.incident;
  const lines = [
    `# Postmortem: ${escapeMarkdown(runbook.title)}, ${escapeMarkdown(
      runbook.entityRef,
    )}`,
    '',
  ];
  if (!incident) {
    lines.push(
      '- **Status:** no incident recorded',
      `- **Exported:** ${when(now.toISOString())}`,
    );
    return lines;
  }
  const openedMs = Date.parse(incident.openedAt);
  const recovery =
    incident.timeToRecoverySeconds !== undefined
      ? describeDuration(incident.timeToRecoverySeconds * 1000)
      : `not recovered yet, open for ${describeDuration(
          Math.max(0, now.getTime() - openedMs),
        )}`;
  lines.push(
    `- **Status:** ${incident.status}`,
    `- **Opened:** ${when(incident.openedAt)}`,
    `- **Closed:** ${incident.closedAt ? when(incident.closedAt) : 'not yet'}`,
    `- **Time to recovery:** ${recovery}`,
    `- **Exported:** ${when(now.toISOString())}`,
  );
  return lines;
}

function diagnosis(runbook: RunbookResponse): string[] {
  const all = runbook.steps
    .filter(s => s.id !== 'fix' && s.id !== 'verify')
    .flatMap(s => s.evidence);
  const seen = new Set<string>();
  const unique = all.filter(item => {
    const key = `${item.source}\u0000${item.description}`;
    return seen.has(key) ? false : (seen.add(key), true);
  });
  const against = unique
    .filter(item => item.description.startsWith(AGAINST_PREFIX))
    .map(item => ({
      ...item,
      description: item.description.slice(AGAINST_PREFIX.length),
    }));
  const support = unique.filter(
    item => !item.description.startsWith(AGAINST_PREFIX),
  );
  return [
    '## Diagnosis',
    '',
    `**${escapeMarkdown(runbook.title)}** (${
      runbook.hypothesis
    }), confidence ${Math.round(runbook.confidence * 100)}%.`,
    ...(runbook.recommendation
      ? [
          '',
          `Recommendation: ${escapeMarkdown(runbook.recommendation.summary)}`,
        ]
      : []),
    '',
    'Evidence for:',
    '',
    ...(support.length ? support.map(evidenceLine) : ['- none recorded']),
    '',
    'Evidence against:',
    '',
    ...(against.length ? against.map(evidenceLine) : ['- none recorded']),
  ];
}

function lastOf(
  actions: IncidentAction[],
  kind: IncidentAction['kind'],
): IncidentAction | undefined {
  return [...actions].reverse().find(a => a.kind === kind);
}

function byWhom(action: IncidentAction): string {
  return `${escapeMarkdown(action.actor)} at ${when(
    action.at,
  )}: ${escapeMarkdown(action.message)}`;
}

function fix(runbook: RunbookResponse): string[] {
  const step = runbook.steps.find(s => s.id === 'fix');
  const actions = runbook.incident?.actions ?? [];
  const lines = ['## Fix', ''];
  if (!step) {
    return [...lines, 'No fix step.'];
  }
  const change = step.memoryLimitFix;
  if (change) {
    lines.push(
      `- **Change:** limits.memory of container ${escapeMarkdown(
        change.container,
      )} in ${escapeMarkdown(change.workloadKind)} ${escapeMarkdown(
        change.workloadName,
      )} (cluster ${escapeMarkdown(change.cluster)}, namespace ${escapeMarkdown(
        change.namespace,
      )}): ${escapeMarkdown(change.currentLimit)} → ${escapeMarkdown(
        change.proposedLimit,
      )}${step.status === 'done' ? '' : ' (proposed, not applied yet)'}`,
    );
  }
  const proposed = lastOf(actions, 'fix-proposed');
  const applied = lastOf(actions, 'fix-applied');
  const observed = lastOf(actions, 'fix-observed');
  if (proposed) lines.push(`- **Proposed by:** ${byWhom(proposed)}`);
  if (applied) lines.push(`- **Applied by:** ${byWhom(applied)}`);
  if (observed) lines.push(`- **Seen in the spec:** ${byWhom(observed)}`);
  lines.push(`- **Status:** ${step.status}: ${escapeMarkdown(step.summary)}`);
  return lines;
}

type TimelineEntry = { time: string; ms: number; text: string };

function evidenceEntry(event: TimelineEvent): TimelineEntry {
  const where = `${escapeMarkdown(event.pod)}${
    event.container ? `/${escapeMarkdown(event.container)}` : ''
  } (${escapeMarkdown(event.cluster)})`;
  return {
    time: event.time,
    ms: Date.parse(event.time),
    text: `${where}: ${escapeMarkdown(event.summary)}`,
  };
}

function actionEntry(action: IncidentAction): TimelineEntry {
  return {
    time: action.at,
    ms: Date.parse(action.at),
    text: `**${action.kind}**${
      action.stepId ? ` (step ${action.stepId})` : ''
    } by ${byWhom(action)}`,
  };
}

function timeline(
  runbook: RunbookResponse,
  evidence: TimelineResponse,
): string[] {
  let events = [...evidence.events].sort(
    (a, b) => Date.parse(a.time) - Date.parse(b.time),
  );
  let gap: TimelineEntry | undefined;
  if (events.length > MAX_TIMELINE_EVIDENCE) {
    const head = events.slice(0, TIMELINE_HEAD);
    const tail = events.slice(
      events.length - (MAX_TIMELINE_EVIDENCE - TIMELINE_HEAD),
    );
    const left = events.length - head.length - tail.length;
    const after = head[head.length - 1];
    gap = {
      time: after.time,
      ms: Date.parse(after.time) + 0.5,
      text: `… ${left} more events up to ${when(
        events[events.length - tail.length - 1].time,
      )} left out`,
    };
    events = [...head, ...tail];
  }
  const entries = [
    ...events.map(evidenceEntry),
    ...(gap ? [gap] : []),
    ...(runbook.incident?.actions ?? []).map(actionEntry),
  ].sort((a, b) => (a.ms || 0) - (b.ms || 0));
  return [
    '## Timeline',
    '',
    ...(entries.length
      ? entries.map(e =>
          e === gap ? `- ${e.text}` : `- ${when(e.time)}: ${e.text}`,
        )
      : ['- nothing recorded']),
  ];
}

function stepSection(step: RunbookStep, index: number): string[] {
  const lines = [
    `### ${index + 1}. ${escapeMarkdown(step.title)}: ${step.status}`,
    '',
    escapeMarkdownLine(step.summary),
  ];
  if (step.skippedReason) {
    lines.push('', `Skipped because: ${escapeMarkdown(step.skippedReason)}`);
  }
  if (step.verify) {
    lines.push(
      '',
      ...step.verify.checks.map(
        c =>
          `- ${c.passed ? 'holds' : 'fails'}: ${escapeMarkdown(
            c.name,
          )} (${escapeMarkdown(c.detail)})`,
      ),
    );
  }
  if (step.evidence.length) {
    lines.push('', 'Evidence:', '', ...step.evidence.map(evidenceLine));
  }
  if (step.commands.length) {
    lines.push('', 'Commands:');
    for (const command of step.commands) {
      lines.push(
        '',
        `${escapeMarkdownLine(command.label)}:`,
        '',
        codeBlock(command),
      );
    }
  }
  return [...lines, ''];
}

/**
 * The postmortem of a runbook's incident, as Markdown: status and times,
 * the diagnosis with the evidence for and against it, the fix and who made
 * it, one timeline of what the evidence saw (kills, error bursts) and what
 * people did, and every step with its status and commands.
 */
export function renderPostmortem(
  runbook: RunbookResponse,
  timelineResponse: TimelineResponse,
  now: Date,
): string {
  return [
    ...header(runbook, now),
    '',
    ...diagnosis(runbook),
    '',
    ...fix(runbook),
    '',
    ...timeline(runbook, timelineResponse),
    '',
    '## Steps',
    '',
    ...runbook.steps.flatMap(stepSection),
  ]
    .join('\n')
    .trimEnd()
    .concat('\n');
}
