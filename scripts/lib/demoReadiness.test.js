'use strict';

const assert = require('node:assert/strict');
const http = require('node:http');
const { after, before, test } = require('node:test');
const { probeDemo, waitForDemo } = require('./demoReadiness');

// A stand-in for the backend and the frontend: readiness, the guest
// provider's refresh endpoint (as @backstage/plugin-auth-node's proxy
// provider answers it) and the app's index page.
const state = { readiness: 503, ownership: undefined, app: 200, requests: [] };
let server;
let url;

before(async () => {
  server = http.createServer((req, res) => {
    state.requests.push({
      path: req.url,
      requestedWith: req.headers['x-requested-with'],
    });
    if (req.url === '/.backstage/health/v1/readiness') {
      res.writeHead(state.readiness).end();
    } else if (req.url === '/api/auth/guest/refresh') {
      if (!state.ownership) {
        res.writeHead(404).end();
        return;
      }
      res.writeHead(200, { 'Content-Type': 'application/json' });
      res.end(
        JSON.stringify({
          profile: {},
          backstageIdentity: {
            token: 'x.y.z',
            identity: {
              type: 'user',
              userEntityRef: 'user:default/guest',
              ownershipEntityRefs: state.ownership,
            },
          },
        }),
      );
    } else if (req.url === '/app') {
      res.writeHead(state.app).end('<html></html>');
    } else {
      res.writeHead(404).end();
    }
  });
  await new Promise(resolve => server.listen(0, '127.0.0.1', resolve));
  url = `http://127.0.0.1:${server.address().port}`;
});

after(() => server.close());

test('tells what is missing, step by step, until a guest sign-in carries the finance team', async () => {
  const probe = () => probeDemo({ backendUrl: url, appUrl: `${url}/app` });

  Object.assign(state, { readiness: 503, ownership: undefined, app: 200 });
  assert.deepEqual(await probe(), {
    ready: false,
    detail: 'backend readiness answered 503',
  });

  state.readiness = 200;
  assert.deepEqual(await probe(), {
    ready: false,
    detail: 'guest sign-in answered 404',
  });

  // Signed in before the catalog has the guest: only the user itself.
  state.ownership = ['user:default/guest'];
  const early = await probe();
  assert.equal(early.ready, false);
  assert.match(
    early.detail,
    /does not carry group:default\/finance-team yet \(ownership: user:default\/guest\)/,
  );

  state.ownership = ['user:default/guest', 'group:default/finance-team'];
  state.app = 502;
  assert.deepEqual(await probe(), {
    ready: false,
    detail: 'frontend answered 502',
  });

  state.app = 200;
  state.requests = [];
  assert.deepEqual(await probe(), { ready: true });
  const refresh = state.requests.find(
    r => r.path === '/api/auth/guest/refresh',
  );
  assert.equal(refresh.requestedWith, 'XMLHttpRequest');
});

test('says when nothing listens', async () => {
  const closed = http.createServer();
  await new Promise(resolve => closed.listen(0, '127.0.0.1', resolve));
  const port = closed.address().port;
  await new Promise(resolve => closed.close(resolve));
  assert.deepEqual(
    await probeDemo({ backendUrl: `http://127.0.0.1:${port}` }),
    {
      ready: false,
      detail: 'backend: no answer (ECONNREFUSED)',
    },
  );
});

test('waits until ready, and gives up after its timeout with the last thing missing', async () => {
  Object.assign(state, {
    readiness: 200,
    ownership: ['user:default/guest'],
    app: 200,
  });
  const progress = [];
  setTimeout(() => {
    state.ownership = ['user:default/guest', 'group:default/finance-team'];
  }, 150);
  const { elapsedMs } = await waitForDemo({
    backendUrl: url,
    timeoutMs: 5000,
    intervalMs: 20,
    onProgress: detail => progress.push(detail),
  });
  assert.ok(elapsedMs >= 100, `ready after ${elapsedMs} ms`);
  assert.equal(progress.length, 1);

  state.ownership = ['user:default/guest'];
  await assert.rejects(
    waitForDemo({ backendUrl: url, timeoutMs: 100, intervalMs: 20 }),
    error => {
      assert.equal(error.timedOut, true);
      assert.match(
        error.message,
        /^not ready within 0 s: guest sign-in does not carry/,
      );
      return true;
    },
  );

  let stop = false;
  setTimeout(() => (stop = true), 50);
  await assert.rejects(
    waitForDemo({
      backendUrl: url,
      timeoutMs: 60_000,
      intervalMs: 10,
      shouldStop: () => stop,
    }),
    /stopped while waiting/,
  );
});
