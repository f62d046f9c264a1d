'use strict';
/*
 * Finds import cycles among the repository's TypeScript sources: relative
 * imports and imports of the workspace's own packages, type-only imports
 * included (a type cycle still ties modules together).
 */

const fs = require('node:fs');
const path = require('node:path');
const ts = require('typescript');

const SOURCE = /\.(ts|tsx)$/;
const CANDIDATES = ['', '.ts', '.tsx', '/index.ts', '/index.tsx'];

/** Every .ts/.tsx file under `dir`, without node_modules, dist or .d.ts. */
function sourceFiles(dir) {
  const files = [];
  for (const entry of fs.readdirSync(dir, { withFileTypes: true })) {
    const full = path.join(dir, entry.name);
    if (entry.isDirectory()) {
      if (!['node_modules', 'dist', 'dist-types'].includes(entry.name)) {
        files.push(...sourceFiles(full));
      }
    } else if (SOURCE.test(entry.name) && !entry.name.endsWith('.d.ts')) {
      files.push(full);
    }
  }
  return files;
}

function existingFile(base) {
  for (const suffix of CANDIDATES) {
    const candidate = base + suffix;
    if (fs.existsSync(candidate) && fs.statSync(candidate).isFile()) {
      return candidate;
    }
  }
  return undefined;
}

/**
 * The import graph of `roots` (folders): file → files it imports.
 * `packages` maps a workspace package name to its folder, whose `src/` the
 * package name and its subpaths resolve to.
 */
function importGraph(roots, packages = {}) {
  const graph = new Map();
  for (const file of roots.flatMap(sourceFiles)) {
    const text = fs.readFileSync(file, 'utf8');
    const { importedFiles } = ts.preProcessFile(text, true, true);
    const targets = new Set();
    for (const { fileName: spec } of importedFiles) {
      let target;
      if (spec.startsWith('.')) {
        target = existingFile(path.resolve(path.dirname(file), spec));
      } else {
        const name = Object.keys(packages).find(
          pkg => spec === pkg || spec.startsWith(`${pkg}/`),
        );
        if (name) {
          const subpath = spec.slice(name.length + 1);
          target = existingFile(
            path.join(packages[name], 'src', subpath || 'index'),
          );
        }
      }
      if (target && target !== file) targets.add(target);
    }
    graph.set(file, [...targets]);
  }
  return graph;
}

/** Each cycle once, as the list of files around it. */
function findCycles(graph) {
  const state = new Map(); // file → 'open' while on the path, 'done' after
  const stack = [];
  const cycles = [];
  const visit = file => {
    state.set(file, 'open');
    stack.push(file);
    for (const next of graph.get(file) ?? []) {
      if (state.get(next) === 'open') {
        cycles.push(stack.slice(stack.indexOf(next)));
      } else if (!state.has(next)) {
        visit(next);
      }
    }
    stack.pop();
    state.set(file, 'done');
  };
  for (const file of graph.keys()) {
    if (!state.has(file)) visit(file);
  }
  return cycles;
}

/** The workspace packages of the repository at `root`, name → folder. */
function workspacePackages(root) {
  const packages = {};
  for (const group of ['packages', 'plugins']) {
    const dir = path.join(root, group);
    if (!fs.existsSync(dir)) continue;
    for (const name of fs.readdirSync(dir)) {
      const manifest = path.join(dir, name, 'package.json');
      if (fs.existsSync(manifest)) {
        packages[JSON.parse(fs.readFileSync(manifest, 'utf8')).name] =
          path.join(dir, name);
      }
    }
  }
  return packages;
}

module.exports = { findCycles, importGraph, workspacePackages };
