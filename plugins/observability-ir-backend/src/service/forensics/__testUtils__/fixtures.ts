import { readFileSync } from 'node:fs';
import { resolve } from 'node:path';

/** A fixture of `../__fixtures__` (see its README for how each was captured). */
export function fixture(name: string): string {
  return readFileSync(resolve(__dirname, '../__fixtures__', name), 'utf8');
}
