import { ClusterWorld, SimPod } from '../world/cluster';
import { LogRecord, runLogRecords } from '../world/logs';
import { HttpRequest, HttpResponse } from '../server/types';
import { ApiError, badRequest, notFound } from './status';

/** Log records of one container run, honouring Job pods' own output. */
export function containerRecords(
  pod: SimPod,
  container: string,
  runIndex: number | 'current' | 'previous',
  fromMs: number,
  toMs: number,
): LogRecord[] | undefined {
  const c = pod.containers.find(x => x.model.name === container);
  if (!c) {
    return undefined;
  }
  if (pod.logOverride) {
    return pod
      .logOverride(container)
      .filter(r => r.ms >= fromMs && r.ms <= toMs);
  }
  const moment = c.timeline.at(toMs);
  if (!moment) {
    return [];
  }
  let run = moment.run;
  if (runIndex === 'previous') {
    // While waiting in back-off, "previous" is the run that just ended.
    run = moment.running ? moment.previous! : moment.run;
    if (!run) {
      return undefined;
    }
  }
  return runLogRecords(c.model, run, `${pod.uid}/${container}`, fromMs, toMs);
}

/** GET .../pods/<name>/log, as the kubelet serves it through the API. */
export function podLogResponse(
  cluster: ClusterWorld,
  namespace: string,
  name: string,
  req: HttpRequest,
): HttpResponse {
  const ms = cluster.clock.now();
  const pod = cluster
    .podsAt(ms)
    .find(p => p.namespace === namespace && p.name === name);
  if (!pod) {
    throw notFound('pods', name);
  }
  const names = pod.containers.map(c => c.model.name);
  let container = req.query.get('container') ?? undefined;
  if (!container) {
    if (names.length > 1) {
      throw badRequest(
        `a container name must be specified for pod ${name}, choose one of: [${names.join(
          ' ',
        )}]`,
      );
    }
    container = names[0];
  }
  if (!names.includes(container)) {
    throw badRequest(`container ${container} is not valid for pod ${name}`);
  }
  const previous = ['true', '1'].includes(req.query.get('previous') ?? '');
  const sinceSeconds = req.query.get('sinceSeconds');
  const sinceTime = req.query.get('sinceTime');
  let from = 0;
  if (sinceSeconds) {
    const s = Number(sinceSeconds);
    if (!Number.isInteger(s) || s < 1) {
      throw new ApiError(
        422,
        'Invalid',
        `PodLogOptions "${name}" is invalid: sinceSeconds: Invalid value: ${sinceSeconds}: must be greater than 0`,
      );
    }
    from = ms - s * 1000;
  } else if (sinceTime) {
    from = Date.parse(sinceTime);
  }
  const c = pod.containers.find(x => x.model.name === container)!;
  const moment = c.timeline.at(ms);
  if (!moment && !pod.logOverride) {
    throw badRequest(
      `container "${container}" in pod "${name}" is waiting to start: ContainerCreating`,
    );
  }
  const records = containerRecords(
    pod,
    container,
    previous ? 'previous' : 'current',
    from,
    ms,
  );
  if (!records) {
    throw badRequest(
      `previous terminated container "${container}" in pod "${name}" not found`,
    );
  }
  const timestamps = req.query.get('timestamps') === 'true';
  let lines = records.flatMap(r =>
    r.lines.map(line =>
      timestamps
        ? `${new Date(r.ms).toISOString().replace('Z', '000000Z')} ${line}`
        : line,
    ),
  );
  const tail = req.query.get('tailLines');
  if (tail !== null) {
    const n = Number(tail);
    lines = n >= 0 ? lines.slice(Math.max(0, lines.length - n)) : lines;
  }
  const limitBytes = Number(req.query.get('limitBytes') ?? 0);
  let body = lines.map(l => `${l}\n`).join('');
  if (limitBytes > 0) {
    body = body.slice(0, limitBytes);
  }
  if (req.query.get('follow') === 'true' && !previous) {
    return {
      status: 200,
      headers: { 'Content-Type': 'text/plain' },
      stream: io => {
        io.write(body);
        let last = ms;
        const timer = setInterval(() => {
          const now = cluster.clock.now();
          const more =
            containerRecords(pod, container!, 'current', last + 1, now) ?? [];
          last = now;
          for (const r of more) {
            io.write(r.lines.map(l => `${l}\n`).join(''));
          }
          if (pod.deletedMs !== undefined && now >= pod.deletedMs) {
            clearInterval(timer);
            io.end();
          }
        }, 250);
        io.onClose(() => clearInterval(timer));
      },
    };
  }
  return { status: 200, headers: { 'Content-Type': 'text/plain' }, body };
}
