'use strict';

const assert = require('node:assert/strict');
const fs = require('node:fs');
const path = require('node:path');
const { test } = require('node:test');
const {
  findCycles,
  importGraph,
  workspacePackages,
} = require('./importCycles');
const { tempDir } = require('./testing/tempDir');

const ROOT = path.resolve(__dirname, '../..');

test('no module of the repository imports itself through others', () => {
  const packages = workspacePackages(ROOT);
  const roots = [
    ...Object.values(packages).map(dir => path.join(dir, 'src')),
    path.join(ROOT, 'e2e-tests'),
  ].filter(dir => fs.existsSync(dir));
  const graph = importGraph(roots, packages);
  assert.ok(graph.size > 200, `read only ${graph.size} files`);
  const cycles = findCycles(graph).map(cycle =>
    cycle.map(file => path.relative(ROOT, file)).join(' → '),
  );
  assert.deepEqual(cycles, []);
});

test('finds a cycle through relative, type-only and package imports', () => {
  const root = tempDir('cycles-');
  const write = (file, text) => {
    fs.mkdirSync(path.dirname(path.join(root, file)), { recursive: true });
    fs.writeFileSync(path.join(root, file), text);
  };
  write('a/src/index.ts', "export { b } from './b';\n");
  write(
    'a/src/b.ts',
    "import type { C } from '@x/c/types';\nexport const b = 1;\n",
  );
  write(
    'c/src/types/index.ts',
    "import { b } from '@x/a';\nexport type C = typeof b;\n",
  );
  write('c/src/free.ts', "import fs from 'node:fs';\nexport const f = fs;\n");

  const packages = {
    '@x/a': path.join(root, 'a'),
    '@x/c': path.join(root, 'c'),
  };
  const graph = importGraph(
    [path.join(root, 'a/src'), path.join(root, 'c/src')],
    packages,
  );
  const cycles = findCycles(graph).map(cycle =>
    cycle.map(file => path.relative(root, file)).sort(),
  );
  assert.deepEqual(cycles, [
    ['a/src/b.ts', 'a/src/index.ts', 'c/src/types/index.ts'],
  ]);
});
