import { PodEvent } from '@observability-ir/plugin-observability-ir-common';

/** A probe failure, from an `Unhealthy` event. */
export interface ProbeFailure {
  event: PodEvent;
  probe: 'liveness' | 'readiness' | 'startup';
  cause: 'connection-refused' | 'timeout' | 'http-status' | 'other';
  /** The URL or address probed, when the message names one. */
  target?: string;
  status?: number;
}

/** What a probe failure says, from the kubelet's `Unhealthy` message. */
export function parseProbe(event: PodEvent): ProbeFailure | undefined {
  if (event.reason !== 'Unhealthy') {
    return undefined;
  }
  const kind = /^(Liveness|Readiness|Startup) probe/i.exec(event.message);
  if (!kind) {
    return undefined;
  }
  const message = event.message;
  const statusMatch = /status ?code:? ?(\d{3})/i.exec(message);
  let cause: ProbeFailure['cause'] = 'other';
  if (/connection refused/i.test(message)) {
    cause = 'connection-refused';
  } else if (
    /deadline exceeded|timeout|timed out|Client\.Timeout/i.test(message)
  ) {
    cause = 'timeout';
  } else if (statusMatch) {
    cause = 'http-status';
  }
  const target =
    /Get "([^"]+)"/.exec(message)?.[1] ??
    /dial tcp ([^:\s]+:\d+)/.exec(message)?.[1];
  return {
    event,
    probe: kind[1].toLowerCase() as ProbeFailure['probe'],
    cause,
    target,
    status: statusMatch ? Number(statusMatch[1]) : undefined,
  };
}

/** The probe failures among pod events. */
export function probeFailures(events: PodEvent[]): ProbeFailure[] {
  return events
    .map(parseProbe)
    .filter((p): p is ProbeFailure => p !== undefined);
}

/** `Killing` events of the kubelet after failed liveness/startup probes. */
export function probeKills(events: PodEvent[]): PodEvent[] {
  return events.filter(
    e =>
      e.reason === 'Killing' &&
      /failed (liveness|startup) probe/i.test(e.message),
  );
}
