import {
  AuthService,
  BackstageCredentials,
  DiscoveryService,
} from '@backstage/backend-plugin-api';
import {
  AuthenticationError,
  ConflictError,
  InputError,
  NotAllowedError,
  NotFoundError,
  ServiceUnavailableError,
} from '@backstage/errors';
import {
  DiagnosisResponse,
  EVIDENCE_PATHS,
  MemoryLimitFixRequest,
  MemoryLimitFixResponse,
  RUNBOOK_PATHS,
  RunbookActionRequest,
} from '@observability-ir/plugin-observability-ir-common';

const PLUGIN_ID = 'observability-ir';

/** No call to the backend waits longer; a fix patches one workload. */
const REQUEST_TIMEOUT_MS = 60_000;

/** The errors the backend names in `{ error: { name, message } }`. */
const KNOWN_ERRORS: Record<string, new (message: string) => Error> = {
  InputError,
  AuthenticationError,
  NotAllowedError,
  NotFoundError,
  ConflictError,
  ServiceUnavailableError,
};

/** Options of every call: on whose behalf, and when to give up. */
export interface ObservabilityIrCallOptions {
  credentials: BackstageCredentials;
  signal?: AbortSignal;
}

/**
 * The observability-ir backend, called on behalf of the person who runs a
 * template, so that the backend checks that person's permissions.
 */
export class ObservabilityIrClient {
  private readonly discovery: DiscoveryService;
  private readonly auth: AuthService;

  constructor(options: { discovery: DiscoveryService; auth: AuthService }) {
    this.discovery = options.discovery;
    this.auth = options.auth;
  }

  /** `GET /v1/diagnosis`: the entity's diagnosis and recommendation. */
  getDiagnosis(
    entityRef: string,
    options: ObservabilityIrCallOptions,
  ): Promise<DiagnosisResponse> {
    const query = new URLSearchParams({ entityRef });
    return this.call(
      'GET',
      `${EVIDENCE_PATHS.diagnosis}?${query}`,
      undefined,
      options,
    );
  }

  /** `POST /v1/runbook/actions`: records a step of the entity's incident. */
  async recordRunbookAction(
    action: RunbookActionRequest,
    options: ObservabilityIrCallOptions,
  ): Promise<void> {
    await this.call('POST', RUNBOOK_PATHS.actions, action, options);
  }

  /** `POST /v1/fixes/memory-limit`: sets a limit in the cluster. */
  applyMemoryLimitFix(
    request: MemoryLimitFixRequest,
    options: ObservabilityIrCallOptions,
  ): Promise<MemoryLimitFixResponse> {
    return this.call('POST', RUNBOOK_PATHS.memoryLimitFix, request, options);
  }

  private async call<T>(
    method: 'GET' | 'POST',
    path: string,
    body: unknown,
    { credentials, signal }: ObservabilityIrCallOptions,
  ): Promise<T> {
    const baseUrl = await this.discovery.getBaseUrl(PLUGIN_ID);
    const { token } = await this.auth.getPluginRequestToken({
      onBehalfOf: credentials,
      targetPluginId: PLUGIN_ID,
    });
    const timeout = AbortSignal.timeout(REQUEST_TIMEOUT_MS);
    let response: Response;
    try {
      response = await fetch(`${baseUrl}${path}`, {
        method,
        headers: {
          Authorization: `Bearer ${token}`,
          ...(body === undefined ? {} : { 'Content-Type': 'application/json' }),
        },
        body: body === undefined ? undefined : JSON.stringify(body),
        signal: signal ? AbortSignal.any([signal, timeout]) : timeout,
      });
    } catch (error) {
      throw new ServiceUnavailableError(
        `could not reach the observability-ir backend for ${method} ${
          path.split('?')[0]
        }: ${(error as Error).message}`,
      );
    }
    if (!response.ok) {
      throw await errorOf(response, method, path.split('?')[0]);
    }
    return (await response.json()) as T;
  }
}

/** The backend's own error, with its class and message, when it sent one. */
async function errorOf(
  response: Response,
  method: string,
  path: string,
): Promise<Error> {
  const text = await response.text().catch(() => '');
  let body: { error?: { name?: unknown; message?: unknown } } | undefined;
  try {
    body = JSON.parse(text);
  } catch {
    body = undefined;
  }
  const name = body?.error?.name;
  const message = body?.error?.message;
  if (typeof message !== 'string' || message === '') {
    return new Error(
      `observability-ir answered ${response.status} ${response.statusText} to ${method} ${path}`,
    );
  }
  const ErrorClass = typeof name === 'string' ? KNOWN_ERRORS[name] : undefined;
  if (ErrorClass) {
    return new ErrorClass(message);
  }
  const error = new Error(message);
  if (typeof name === 'string') {
    error.name = name;
  }
  return error;
}
