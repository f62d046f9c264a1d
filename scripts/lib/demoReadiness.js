/*
 * When the demo is usable: the backend is ready, the catalog has ingested the
 * demo organisation (so that signing in as guest gives a token that carries
 * the guest's teams), and, for `npm start`, the frontend answers.
 *
 * The backend's readiness endpoint turns green before the catalog has
 * processed catalog/org.yaml; a guest who signs in in between gets a token
 * without the finance team and is refused on the team's own services until
 * they sign in again. So readiness here asks the guest provider itself, the
 * same way the frontend's sign-in does.
 *
 * Used by scripts/demo.js and by the end-to-end tests' global setup; nothing
 * but Node.js built-ins.
 */
'use strict';

/** The group the guest must carry, as catalog/org.yaml declares. */
const GUEST_GROUP = 'group:default/finance-team';

async function get(fetchImpl, url, headers, requestTimeoutMs) {
  return fetchImpl(url, {
    headers,
    signal: AbortSignal.timeout(requestTimeoutMs),
  });
}

/**
 * Looks once. Resolves to `{ ready: true }` or `{ ready: false, detail }`,
 * where detail says what is still missing; never rejects.
 */
async function probeDemo({
  backendUrl,
  appUrl,
  group = GUEST_GROUP,
  fetchImpl = fetch,
  requestTimeoutMs = 5000,
}) {
  const attempt = async (what, fn) => {
    try {
      return await fn();
    } catch (error) {
      const cause = error?.cause?.code ?? error?.name ?? String(error);
      throw new Error(`${what}: no answer (${cause})`);
    }
  };
  try {
    const readiness = await attempt('backend', () =>
      get(
        fetchImpl,
        `${backendUrl}/.backstage/health/v1/readiness`,
        {},
        requestTimeoutMs,
      ),
    );
    if (!readiness.ok) {
      return {
        ready: false,
        detail: `backend readiness answered ${readiness.status}`,
      };
    }

    // What the frontend's guest sign-in asks for (see
    // @backstage/plugin-auth-node's proxy provider: GET /refresh answers
    // { backstageIdentity: { identity: { ownershipEntityRefs } } }).
    const refresh = await attempt('guest sign-in', () =>
      get(
        fetchImpl,
        `${backendUrl}/api/auth/guest/refresh`,
        { 'X-Requested-With': 'XMLHttpRequest' },
        requestTimeoutMs,
      ),
    );
    if (!refresh.ok) {
      return {
        ready: false,
        detail: `guest sign-in answered ${refresh.status}`,
      };
    }
    const body = await refresh.json();
    const refs = body?.backstageIdentity?.identity?.ownershipEntityRefs;
    if (!Array.isArray(refs) || !refs.includes(group)) {
      return {
        ready: false,
        detail:
          `guest sign-in does not carry ${group} yet ` +
          `(ownership: ${Array.isArray(refs) ? refs.join(', ') : 'none'}); ` +
          'the catalog has not ingested the demo organisation',
      };
    }

    if (appUrl) {
      const app = await attempt('frontend', () =>
        get(fetchImpl, appUrl, {}, requestTimeoutMs),
      );
      if (!app.ok) {
        return { ready: false, detail: `frontend answered ${app.status}` };
      }
    }
    return { ready: true };
  } catch (error) {
    return { ready: false, detail: error.message };
  }
}

/**
 * Looks every `intervalMs` until the demo is usable. Rejects after
 * `timeoutMs` with an error whose `detail` is the last thing missing, or as
 * soon as `shouldStop()` returns true.
 */
async function waitForDemo({
  timeoutMs,
  intervalMs = 1000,
  shouldStop = () => false,
  onProgress = () => {},
  now = Date.now,
  sleep = ms => new Promise(resolve => setTimeout(resolve, ms)),
  ...probeOptions
}) {
  const started = now();
  let lastDetail;
  for (;;) {
    if (shouldStop()) {
      const error = new Error('stopped while waiting for the demo');
      error.detail = lastDetail;
      throw error;
    }
    const result = await probeDemo(probeOptions);
    if (result.ready) {
      return { elapsedMs: now() - started };
    }
    if (result.detail !== lastDetail) {
      lastDetail = result.detail;
      onProgress(result.detail);
    }
    if (now() - started >= timeoutMs) {
      const error = new Error(
        `not ready within ${Math.round(timeoutMs / 1000)} s: ${lastDetail}`,
      );
      error.detail = lastDetail;
      error.timedOut = true;
      throw error;
    }
    await sleep(intervalMs);
  }
}

module.exports = { GUEST_GROUP, probeDemo, waitForDemo };
