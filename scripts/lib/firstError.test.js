'use strict';

const assert = require('node:assert/strict');
const { test } = require('node:test');
const {
  createErrorCatcher,
  firstErrorIn,
  lineSplitter,
} = require('./firstError');

test('keeps the first error with its stack, not later ones', () => {
  const catcher = createErrorCatcher();
  const backend = [
    '2026-12-02T04:30:00.100Z backend info Plugin initialization started',
    "\u001b[31m2026-12-02T04:30:01.200Z backend error Plugin 'catalog' startup failed; caused by Error: The module '/repo/node_modules/better-sqlite3/build/Release/better_sqlite3.node'\u001b[39m",
    'was compiled against a different Node.js version using',
    'NODE_MODULE_VERSION 115. This version of Node.js requires',
    'NODE_MODULE_VERSION 127.',
    '    at Module._extensions..node (node:internal/modules/cjs/loader:1586:18)',
    '2026-12-02T04:30:02.000Z backend error Something else',
  ];
  catcher.feed('sandbox', 'sandbox-cluster listening on http://127.0.0.1:7008');
  for (const line of backend) catcher.feed('backend', line);
  assert.deepEqual(catcher.firstError(), {
    source: 'backend',
    lines: [
      "2026-12-02T04:30:01.200Z backend error Plugin 'catalog' startup failed; caused by Error: The module '/repo/node_modules/better-sqlite3/build/Release/better_sqlite3.node'",
      'was compiled against a different Node.js version using',
      'NODE_MODULE_VERSION 115. This version of Node.js requires',
      'NODE_MODULE_VERSION 127.',
      '    at Module._extensions..node (node:internal/modules/cjs/loader:1586:18)',
    ],
  });
});

test('recognises thrown errors and ignores words that only contain "Error"', () => {
  assert.equal(
    firstErrorIn(
      'loki: java.lang.OutOfMemoryError: Java heap space\njava.lang.OutOfMemoryError: Java heap space\n0 errors',
    ),
    undefined,
  );
  assert.deepEqual(
    firstErrorIn(
      'ok\nTypeError: x is not a function\n    at y (z.js:1:1)\n\nlater',
    ),
    {
      source: 'log',
      lines: ['TypeError: x is not a function', '    at y (z.js:1:1)'],
    },
  );
  assert.equal(firstErrorIn('everything is fine'), undefined);
});

test('ends the first error at the next message after its stack', () => {
  const log = [
    "Acquire connection error: Error: The module 'better_sqlite3.node'",
    'was compiled against a different Node.js version using',
    'NODE_MODULE_VERSION 137. This version of Node.js requires',
    'NODE_MODULE_VERSION 127.',
    '    at Object..node (node:internal/modules/cjs/loader:1939:18)',
    '    at new Database (better-sqlite3/lib/database.js:48:64)',
    "Acquire connection error: Error: Module did not self-register: 'better_sqlite3.node'.",
    '    at Object..node (node:internal/modules/cjs/loader:1939:18)',
  ].join('\n');
  assert.deepEqual(firstErrorIn(log).lines, log.split('\n').slice(0, 6));
});

test('lines from another source do not join the first error', () => {
  const catcher = createErrorCatcher({ maxLines: 3 });
  catcher.feed('backend', 'Error: boom');
  catcher.feed('frontend', '  compiled');
  catcher.feed('backend', '    at a');
  catcher.feed('backend', '    at b');
  catcher.feed('backend', '    at c');
  assert.deepEqual(catcher.firstError().lines, [
    'Error: boom',
    '    at a',
    '    at b',
  ]);
});

test('splits chunks into lines', () => {
  const lines = [];
  const splitter = lineSplitter(line => lines.push(line));
  splitter.write('one\ntw');
  splitter.write(Buffer.from('o\r\nthree'));
  assert.deepEqual(lines, ['one', 'two']);
  splitter.end();
  assert.deepEqual(lines, ['one', 'two', 'three']);
});
