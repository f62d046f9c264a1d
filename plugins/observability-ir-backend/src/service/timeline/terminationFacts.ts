import { TimelineEvent } from '@observability-ir/plugin-observability-ir-common';

/** The terminations on a timeline. */
export function terminationsOf(events: TimelineEvent[]): TimelineEvent[] {
  return events.filter(e => e.kind === 'termination');
}

/** How many terminations ended for each reason (`Unknown` when none given). */
export function terminationsByReason(
  events: TimelineEvent[],
): Map<string, number> {
  const byReason = new Map<string, number>();
  for (const event of terminationsOf(events)) {
    const reason = event.reason ?? 'Unknown';
    byReason.set(reason, (byReason.get(reason) ?? 0) + 1);
  }
  return byReason;
}

/** The OOM kills on a timeline. */
export function oomKillsOf(events: TimelineEvent[]): TimelineEvent[] {
  return terminationsOf(events).filter(e => e.reason === 'OOMKilled');
}
