import fs from 'node:fs';
import path from 'node:path';

// Backstage packages of different releases break each other at start-up
// (a plugin calling a core service method its backend-defaults lacks), so
// every @backstage/* package must resolve to exactly one version.
describe('Backstage release alignment', () => {
  it('resolves every @backstage package in yarn.lock to one version', () => {
    const lockfile = fs.readFileSync(
      path.resolve(__dirname, '../../../yarn.lock'),
      'utf8',
    );
    const versions = new Map<string, Set<string>>();
    const entry = /^"(@backstage\/[^@"]+)@npm:[^\n]*\n {2}version: (\S+)/gm;
    for (const [, name, version] of lockfile.matchAll(entry)) {
      versions.set(name, (versions.get(name) ?? new Set()).add(version));
    }

    const mixed = [...versions]
      .filter(([, found]) => found.size > 1)
      .map(([name, found]) => `${name}: ${[...found].join(', ')}`);

    expect(versions.size).toBeGreaterThan(50);
    expect(mixed).toEqual([]);
  });
});
