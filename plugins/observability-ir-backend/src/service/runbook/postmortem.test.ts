import {
  RunbookResponse,
  TimelineEvent,
  TimelineResponse,
} from '@observability-ir/plugin-observability-ir-common';
import { HOSTILE_INPUTS } from '../../__testUtils__/queries/hostileInputs';
import { labOom, NOW } from '../../__testUtils__/evidence';
import { incident, runbookInputs } from './__testUtils__/runbookInputs';
import { buildRunbook } from './buildRunbook';
import {
  escapeMarkdown,
  escapeMarkdownLine,
  MAX_TIMELINE_EVIDENCE,
  renderPostmortem,
} from './postmortem';

/** Undoes the escapes as a CommonMark reader does: entities and `\x`. */
function readBack(markdown: string): string {
  return markdown
    .replace(/\\([!-/:-@[-`{-~])/g, '$1')
    .replace(/&lt;/g, '<')
    .replace(/&gt;/g, '>')
    .replace(/&amp;/g, '&');
}

/** Characters that do something in Markdown when not backslash-escaped. */
function activeCharacters(markdown: string): string[] {
  const withoutEscapes = markdown.replace(/\\[!-/:-@[-`{-~]/g, '');
  return withoutEscapes.match(/[`*_[\]<>|~!]|:\/\/|\n/g) ?? [];
}

const killAt = (
  minute: number,
  pod: string,
  summary: string,
): TimelineEvent => ({
  kind: 'termination',
  time: new Date(Date.UTC(2026, 10, 25, 13, minute)).toISOString(),
  cluster: 'sandbox',
  pod,
  container: 'checkout-api',
  reason: 'OOMKilled',
  exitCode: 137,
  summary,
});

function timelineOf(events: TimelineEvent[]): TimelineResponse {
  return {
    entityRef: 'component:default/checkout-api',
    range: {
      start: '2026-11-25T13:00:00.000Z',
      end: NOW.toISOString(),
      stepSeconds: 15,
    },
    events,
    correlation: {
      terminations: events.length,
      withErrorsBefore: 0,
      withMemoryNearLimit: events.length,
      strength: 'strong',
      summary: '',
    },
    sources: [],
  };
}

/** The lab's runbook after the fix: applied by Jane, seen, verified. */
function resolvedRunbook(): RunbookResponse {
  const record = incident(
    [
      {
        at: '2026-11-25T13:20:00.000Z',
        actor: 'user:default/jane',
        kind: 'fix-applied',
        stepId: 'fix',
        message: 'Raised limits.memory of checkout-api from 512Mi to 1Gi',
      },
      {
        at: '2026-11-25T13:21:00.000Z',
        actor: 'system',
        kind: 'fix-observed',
        message: 'The Deployment carries limits.memory 1Gi',
      },
      {
        at: '2026-11-25T13:31:00.000Z',
        actor: 'system',
        kind: 'closed',
        message: 'Verification passed',
      },
    ],
    {
      status: 'resolved',
      closedAt: '2026-11-25T13:31:00.000Z',
      timeToRecoverySeconds: 31 * 60,
    },
  );
  return {
    ...buildRunbook(
      runbookInputs(labOom(), {
        incident: record,
        fix: { observed: true, currentLimit: '1Gi' },
      }),
    ),
    incident: record,
  };
}

describe('renderPostmortem', () => {
  const markdown = renderPostmortem(
    resolvedRunbook(),
    timelineOf([
      killAt(
        5,
        'checkout-api-v1-abc',
        'OOMKilled at 13:05:00; working set 100% of 512Mi',
      ),
      killAt(
        25,
        'checkout-api-v1-xyz',
        'OOMKilled at 13:25:00; working set 99% of 512Mi',
      ),
    ]),
    NOW,
  );

  it('states the status, the times and the time to recovery', () => {
    expect(markdown).toMatch(
      /^# Postmortem: Memory limit too low, component:default\/checkout-api\n/,
    );
    expect(markdown).toContain('- **Status:** resolved');
    expect(markdown).toContain('- **Opened:** 2026-11-25 13:00:00Z');
    expect(markdown).toContain('- **Closed:** 2026-11-25 13:31:00Z');
    expect(markdown).toContain('- **Time to recovery:** 31 min');
  });

  it('gives the diagnosis with its confidence and evidence', () => {
    expect(markdown).toMatch(
      /\*\*Memory limit too low\*\* \(memory-limit-too-low\), confidence \d+%\./,
    );
    expect(markdown).toMatch(/Evidence for:\n\n- \(prometheus\) /);
    expect(markdown).toContain('Evidence against:');
  });

  it('names the fix, from the old limit to the new one, who applied it and when', () => {
    expect(markdown).toContain(
      '- **Change:** limits.memory of container checkout-api in Deployment checkout-api (cluster sandbox, namespace finance): 512Mi → 1Gi\n',
    );
    expect(markdown).toContain(
      '- **Applied by:** user:default/jane at 2026-11-25 13:20:00Z: Raised limits.memory of checkout-api from 512Mi to 1Gi',
    );
  });

  it('merges kills and what people did into one timeline, oldest first', () => {
    const timeline = markdown
      .slice(markdown.indexOf('## Timeline'), markdown.indexOf('## Steps'))
      .split('\n')
      .filter(line => line.startsWith('- '));
    expect(timeline).toEqual([
      '- 2026-11-25 13:00:00Z: **opened** by system at 2026-11-25 13:00:00Z: The diagnosis found: Memory limit too low (confidence 98%)',
      '- 2026-11-25 13:05:00Z: checkout-api-v1-abc/checkout-api (sandbox): OOMKilled at 13:05:00; working set 100% of 512Mi',
      '- 2026-11-25 13:20:00Z: **fix-applied** (step fix) by user:default/jane at 2026-11-25 13:20:00Z: Raised limits.memory of checkout-api from 512Mi to 1Gi',
      '- 2026-11-25 13:21:00Z: **fix-observed** by system at 2026-11-25 13:21:00Z: The Deployment carries limits.memory 1Gi',
      '- 2026-11-25 13:25:00Z: checkout-api-v1-xyz/checkout-api (sandbox): OOMKilled at 13:25:00; working set 99% of 512Mi',
      '- 2026-11-25 13:31:00Z: **closed** by system at 2026-11-25 13:31:00Z: Verification passed',
    ]);
  });

  it('lists every step with its status and its commands in code blocks', () => {
    expect(markdown).toContain(
      '### 1. Confirm the working set reaches the memory limit: done',
    );
    expect(markdown).toContain('### 5. Raise the memory limit: done');
    expect(markdown).toContain(
      '### 6. Watch for OOM kills after the raise: done',
    );
    expect(markdown).toContain(
      "```sh\nkubectl --context 'sandbox' -n 'finance' describe pod 'checkout-api-v1-abc'\n```",
    );
    expect(markdown).toContain('```promql\nmax by (namespace, pod, container)');
  });

  it('leaves out the middle of a long timeline, saying how much', () => {
    const events = Array.from(
      { length: MAX_TIMELINE_EVIDENCE + 30 },
      (_, i) => ({
        ...killAt(0, 'checkout-api-v1-abc', `kill ${i}`),
        time: new Date(Date.UTC(2026, 10, 25, 10, 0, i * 30)).toISOString(),
      }),
    );
    const long = renderPostmortem(resolvedRunbook(), timelineOf(events), NOW);
    expect(long).toContain(
      '- … 30 more events up to 2026-11-25 10:24:30Z left out',
    );
    expect(long).toContain(': kill 19\n');
    expect(long).not.toContain(': kill 20\n');
    expect(long).toContain(': kill 129\n');
  });

  it('says when there is no incident', () => {
    const runbook = buildRunbook(runbookInputs(labOom()));
    expect(renderPostmortem(runbook, timelineOf([]), NOW)).toContain(
      '- **Status:** no incident recorded',
    );
  });

  describe('text from upstreams', () => {
    const attack =
      'boom\n# Owned\n<img src=x onerror=alert(1)> [click](https://evil.example) **bold** `code` | a | www.evil.example\n```\n- item';

    it('cannot add Markdown or HTML', () => {
      const runbook = resolvedRunbook();
      const hostile = renderPostmortem(
        {
          ...runbook,
          steps: runbook.steps.map(s => ({
            ...s,
            summary: attack,
            evidence: [{ source: 'loki', description: attack }],
          })),
        },
        timelineOf([killAt(5, attack, attack)]),
        NOW,
      );
      expect(hostile).not.toMatch(/^# Owned/m);
      expect(hostile).not.toMatch(/^- item/m);
      expect(hostile).not.toContain('<img');
      expect(hostile).not.toMatch(/[^\\]\]\(https/);
      expect(hostile).not.toMatch(/[^\\]\*\*bold/);
      expect(hostile).toContain(
        'boom \\# Owned &lt;img src=x onerror=alert(1)&gt; \\[click\\](https\\://evil.example) \\*\\*bold\\*\\* \\`code\\` \\| a \\| www\\.evil.example \\`\\`\\` - item',
      );
    });

    it('keeps a command whole in a fence it cannot close', () => {
      const runbook = resolvedRunbook();
      const text = "echo '```' && echo '````'";
      const rendered = renderPostmortem(
        {
          ...runbook,
          steps: [
            {
              ...runbook.steps[0],
              commands: [{ label: 'x', language: 'shell', text }],
            },
          ],
        },
        timelineOf([]),
        NOW,
      );
      expect(rendered).toContain(`\`\`\`\`\`sh\n${text}\n\`\`\`\`\``);
    });

    it.each(HOSTILE_INPUTS)(
      '%s: reads back as itself on one line, inert',
      (_label, value) => {
        const escaped = escapeMarkdown(value);
        const shown = value.replace(
          /[\p{Cc}\p{Zl}\p{Zp}\u061C\u200E\u200F\u202A-\u202E\u2066-\u2069]+/gu,
          ' ',
        );
        expect(readBack(escaped)).toBe(shown);
        expect(activeCharacters(escaped)).toEqual([]);
      },
    );

    it.each(['- item', '+ item', '12. item', '3) item', '    code', '=== '])(
      '%j does not start a block at the start of a line',
      value => {
        const line = escapeMarkdownLine(value);
        expect(line).not.toMatch(/^([-+=]|\d+[.)]|\s)/);
        expect(readBack(line)).toBe(value.trimStart());
      },
    );
  });
});
