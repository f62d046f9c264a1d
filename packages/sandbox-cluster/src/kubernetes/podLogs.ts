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

/** The query of a pod log request, checked as the API server checks it. */
interface PodLogOptions {
  previous: boolean;
  sinceSeconds?: number;
  sinceTime?: number;
  tailLines?: number;
  limitBytes?: number;
}

/** An integer query parameter, or 400 as the API server's decoder answers. */
function integerParam(req: HttpRequest, key: string): number | undefined {
  const text = req.query.get(key);
  if (text === null) {
    return undefined;
  }
  if (!/^[+-]?\d+$/.test(text)) {
    throw badRequest(`strconv.ParseInt: parsing "${text}": invalid syntax`);
  }
  return Number(text);
}

/**
 * `PodLogOptions` from the query, validated with the API server's rules
 * and words: 422 Invalid naming every bad field (in brackets when there
 * are several).
 */
function podLogOptions(name: string, req: HttpRequest): PodLogOptions {
  const tailLines = integerParam(req, 'tailLines');
  const limitBytes = integerParam(req, 'limitBytes');
  const sinceSeconds = integerParam(req, 'sinceSeconds');
  const sinceTimeText = req.query.get('sinceTime');
  let sinceTime: number | undefined;
  if (sinceTimeText !== null) {
    sinceTime = Date.parse(sinceTimeText);
    if (Number.isNaN(sinceTime)) {
      throw badRequest(
        `parsing time "${sinceTimeText}" as "2006-01-02T15:04:05Z07:00": cannot parse "${sinceTimeText}" as "2006"`,
      );
    }
  }
  const causes: Array<{ reason: string; field: string; message: string }> = [];
  if (tailLines !== undefined && tailLines < 0) {
    causes.push({
      reason: 'FieldValueInvalid',
      field: 'tailLines',
      message: `Invalid value: ${tailLines}: must be greater than or equal to 0`,
    });
  }
  if (limitBytes !== undefined && limitBytes < 1) {
    causes.push({
      reason: 'FieldValueInvalid',
      field: 'limitBytes',
      message: `Invalid value: ${limitBytes}: must be greater than 0`,
    });
  }
  if (sinceSeconds !== undefined && sinceTime !== undefined) {
    causes.push({
      reason: 'FieldValueForbidden',
      field: '',
      message:
        'Forbidden: at most one of `sinceTime` or `sinceSeconds` may be specified',
    });
  } else if (sinceSeconds !== undefined && sinceSeconds < 1) {
    causes.push({
      reason: 'FieldValueInvalid',
      field: 'sinceSeconds',
      message: `Invalid value: ${sinceSeconds}: must be greater than 0`,
    });
  }
  if (causes.length > 0) {
    const each = causes.map(c => `${c.field}: ${c.message}`);
    throw new ApiError(
      422,
      'Invalid',
      `PodLogOptions "${name}" is invalid: ${
        each.length === 1 ? each[0] : `[${each.join(', ')}]`
      }`,
      { name, kind: 'PodLogOptions', causes },
    );
  }
  return {
    previous: ['true', '1'].includes(req.query.get('previous') ?? ''),
    sinceSeconds,
    sinceTime,
    tailLines,
    limitBytes,
  };
}

/** GET .../pods/<name>/log, as the kubelet serves it through the API. */
export function podLogResponse(
  cluster: ClusterWorld,
  namespace: string,
  name: string,
  req: HttpRequest,
): HttpResponse {
  // The API server checks the options before it looks for the pod.
  const options = podLogOptions(name, req);
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
  const { previous, sinceSeconds, sinceTime, tailLines, limitBytes } = options;
  let from = 0;
  if (sinceSeconds !== undefined) {
    from = ms - sinceSeconds * 1000;
  } else if (sinceTime !== undefined) {
    from = sinceTime;
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
  if (tailLines !== undefined) {
    lines = lines.slice(Math.max(0, lines.length - tailLines));
  }
  let body = lines.map(l => `${l}\n`).join('');
  if (limitBytes !== undefined) {
    // The kubelet stops after limitBytes bytes, mid-line or mid-character.
    const bytes = Buffer.from(body, 'utf8');
    if (bytes.length > limitBytes) {
      body = bytes.subarray(0, limitBytes).toString('utf8');
    }
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
