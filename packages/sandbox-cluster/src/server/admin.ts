import { z } from 'zod';
import { World } from '../world/world';
import {
  listScenarioNames,
  loadScenario,
  ScenarioError,
} from '../scenario/loader';
import { RecordedApi, RequestLog } from './requestLog';
import { HttpRequest, HttpResponse, json } from './types';

/**
 * The sandbox's own controls, for tests and the demo: move the scenario
 * clock forward, or start the scenario over. They live under this prefix,
 * which no Kubernetes, Prometheus or Loki path uses.
 */
export const ADMIN_PREFIX = '/_sandbox/';

/** The longest single step of the clock: one day. */
const MAX_ADVANCE_SECONDS = 86_400;

const clockBody = z
  .object({
    advanceSeconds: z
      .number()
      .gt(0, 'must be more than 0')
      .max(
        MAX_ADVANCE_SECONDS,
        `must be at most ${MAX_ADVANCE_SECONDS} (one day)`,
      ),
  })
  .strict();

/** What the admin endpoints need of the server around them. */
export interface AdminHooks {
  /** Called after a reset: whatever still reads the old world must stop. */
  onReset(): void;
}

/**
 * Whether a client address is this machine. The admin endpoints change the
 * whole world, so they answer only callers on loopback, even when the
 * sandbox listens on another interface.
 */
export function isLoopback(address: string | undefined): boolean {
  if (!address) {
    return false;
  }
  const v4 = address.startsWith('::ffff:') ? address.slice(7) : address;
  return v4.startsWith('127.') || address === '::1';
}

function badRequest(message: string): HttpResponse {
  return json(400, { error: message });
}

function parseJson(body: Buffer): { value?: unknown; error?: string } {
  try {
    return { value: JSON.parse(body.toString('utf8')) };
  } catch (e) {
    return { error: `the body is not JSON: ${(e as Error).message}` };
  }
}

function state(world: World) {
  return {
    scenario: world.scenario.name,
    now: new Date(world.clock.now()).toISOString(),
  };
}

function advanceClock(world: World, req: HttpRequest): HttpResponse {
  const parsed = parseJson(req.body);
  if (parsed.error) {
    return badRequest(parsed.error);
  }
  const result = clockBody.safeParse(parsed.value);
  if (!result.success) {
    const issue = result.error.issues[0];
    const field = issue.path.join('.');
    return badRequest(
      field ? `${field}: ${issue.message}` : `body: ${issue.message}`,
    );
  }
  world.clock.advance(result.data.advanceSeconds * 1000);
  return json(200, state(world));
}

const RECORDED_APIS: RecordedApi[] = [
  'k8s',
  'prometheus',
  'loki',
  'alertmanager',
];

/**
 * `GET /_sandbox/requests[?since=<seq>][&api=k8s|prometheus|loki|alertmanager]`:
 * the requests the cluster APIs received, parsed; `DELETE` forgets them.
 */
function requests(req: HttpRequest, log: RequestLog): HttpResponse {
  if (req.method === 'DELETE') {
    log.clear();
    return json(200, { requests: [], lastSeq: log.lastSeq, dropped: 0 });
  }
  if (req.method !== 'GET') {
    return json(
      405,
      { error: `${req.path} takes GET or DELETE` },
      { Allow: 'GET, DELETE' },
    );
  }
  const since = req.query.get('since');
  if (since !== null && !/^\d{1,15}$/.test(since)) {
    return badRequest('since: must be a sequence number');
  }
  const api = req.query.get('api');
  if (api !== null && !RECORDED_APIS.includes(api as RecordedApi)) {
    return badRequest(`api: must be one of ${RECORDED_APIS.join(', ')}`);
  }
  return json(200, {
    requests: log.requests({
      ...(since === null ? {} : { since: Number(since) }),
      ...(api === null ? {} : { api: api as RecordedApi }),
    }),
    lastSeq: log.lastSeq,
    dropped: log.dropped,
  });
}

const resetBody = z
  .object({
    scenario: z.string().min(1, 'must name a shipped scenario').optional(),
  })
  .strict();

/**
 * Starts over, with the start-up scenario or, given `{ "scenario": name }`,
 * with that shipped scenario (by name only: never a path).
 */
function reset(
  world: World,
  req: HttpRequest,
  hooks: AdminHooks,
): HttpResponse {
  let name: string | undefined;
  if (req.body.length) {
    const parsed = parseJson(req.body);
    if (parsed.error) {
      return badRequest(parsed.error);
    }
    const result = resetBody.safeParse(parsed.value);
    if (!result.success) {
      const issue = result.error.issues[0];
      const field = issue.path.join('.');
      return badRequest(
        field ? `${field}: ${issue.message}` : `body: ${issue.message}`,
      );
    }
    name = result.data.scenario;
  }
  if (name !== undefined && !listScenarioNames().includes(name)) {
    return badRequest(
      `scenario: unknown scenario "${name}"; shipped scenarios: ${listScenarioNames().join(
        ', ',
      )}`,
    );
  }
  let scenario;
  try {
    scenario = name === undefined ? undefined : loadScenario(name);
  } catch (e) {
    if (e instanceof ScenarioError) {
      return badRequest(`scenario: ${e.message}`);
    }
    throw e;
  }
  world.reset(scenario);
  hooks.onReset();
  return json(200, state(world));
}

/**
 * Answers `POST /_sandbox/clock` (`{ "advanceSeconds": n }`, 0 < n ≤ 86400)
 * and `POST /_sandbox/reset` (optionally `{ "scenario": "<shipped name>" }`
 * to replay another scenario from now on). Both answer the scenario's name and the
 * simulated time after the change. `GET /_sandbox/requests` answers the
 * requests recorded (see {@link RequestLog}), `DELETE` clears them.
 */
export function handleAdmin(
  world: World,
  req: HttpRequest,
  hooks: AdminHooks,
  requestLog?: RequestLog,
): HttpResponse {
  const action = req.path.slice(ADMIN_PREFIX.length);
  if (action === 'requests' && requestLog) {
    return requests(req, requestLog);
  }
  if (action !== 'clock' && action !== 'reset') {
    return json(404, { error: `no sandbox endpoint ${req.path}` });
  }
  if (req.method !== 'POST') {
    return json(405, { error: `${req.path} takes POST` }, { Allow: 'POST' });
  }
  return action === 'clock'
    ? advanceClock(world, req)
    : reset(world, req, hooks);
}
