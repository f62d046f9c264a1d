import fs from 'node:fs';
import path from 'node:path';
import YAML from 'yaml';

/** The demo catalog's Components, as `npm start` loads them. */
const components = YAML.parseAllDocuments(
  fs.readFileSync(
    path.resolve(__dirname, '../../../../catalog/components.yaml'),
    'utf8',
  ),
)
  .map(d => d.toJS())
  .filter(d => d?.kind === 'Component');

/**
 * A Component of the demo catalog (`catalog/components.yaml`) by name, in
 * the default namespace as the catalog stores it.
 *
 * @throws when the catalog has no such Component.
 */
export function demoComponent(name: string) {
  const entity = components.find(d => d.metadata?.name === name);
  if (!entity) {
    throw new Error(`catalog/components.yaml has no Component ${name}`);
  }
  return { ...entity, metadata: { namespace: 'default', ...entity.metadata } };
}
