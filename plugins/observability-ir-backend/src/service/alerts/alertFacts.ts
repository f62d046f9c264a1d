import {
  HypothesisId,
  IncidentAlert,
} from '@observability-ir/plugin-observability-ir-common';
import { describeTime, listNames } from '../diagnosis/format';

/** What an alert's name says it watches. */
export type AlertTopic = 'memory' | 'restarts' | 'cpu';

// Read from the alert's name only: a summary may mention memory in passing.
const TOPICS: Array<[AlertTopic, RegExp]> = [
  ['memory', /memory|oom/i],
  ['restarts', /crash|restart|backoff/i],
  ['cpu', /cpu|throttl/i],
];

/**
 * The hypotheses an alert of each topic is consistent with: memory near
 * the limit with the memory hypotheses, restarts with those that restart
 * containers, CPU with throttling.
 */
export const TOPIC_HYPOTHESES: Record<AlertTopic, readonly HypothesisId[]> = {
  memory: ['memory-limit-too-low', 'memory-leak'],
  restarts: ['application-crash', 'memory-limit-too-low', 'memory-leak'],
  cpu: ['cpu-throttling'],
};

/** The topics an alert's name names. */
export function alertTopics(name: string): AlertTopic[] {
  return TOPICS.filter(([, pattern]) => pattern.test(name)).map(
    ([topic]) => topic,
  );
}

/** One alert rule that fired in the range, for the diagnosis. */
export interface FiredAlertFact {
  name: string;
  topics: AlertTopic[];
  /** One sentence: the alert, its severity, the pods and since when. */
  sentence: string;
}

/**
 * The alerts that fired within the range (firing now or resolved), one
 * fact per alert name: what someone configured to be told about, a
 * symptom, not a cause.
 */
export function firedAlertFacts(
  alerts: readonly IncidentAlert[],
  now: Date,
): FiredAlertFact[] {
  const byName = new Map<string, IncidentAlert[]>();
  for (const alert of alerts) {
    if (alert.state === 'pending') continue;
    byName.set(alert.name, [...(byName.get(alert.name) ?? []), alert]);
  }
  return [...byName.entries()]
    .sort(([a], [b]) => a.localeCompare(b))
    .map(([name, fired]) => {
      const severity = fired.find(a => a.severity)?.severity;
      const subjects = fired
        .map(a => a.pod ?? `namespace ${a.namespace}`)
        .sort();
      const firing = fired.filter(a => a.state === 'firing');
      const first = Math.min(...fired.map(a => Date.parse(a.startsAt)));
      const state = firing.length
        ? `firing since ${describeTime(first, now)}`
        : `fired from ${describeTime(first, now)}, now resolved`;
      return {
        name,
        topics: alertTopics(name),
        sentence: `Alert ${name}${
          severity ? ` (${severity})` : ''
        } ${state} for ${listNames(subjects)}`,
      };
    });
}
