import { resolvePackagePath } from '@backstage/backend-plugin-api';
import type { Knex } from 'knex';

/** The plugin's knex migrations, shipped with the package (its `files`). */
export const pluginMigrationsDir = resolvePackagePath(
  '@observability-ir/plugin-observability-ir-backend',
  'migrations',
);

/** Brings every table of the plugin up to date. */
export async function migratePluginDatabase(db: Knex): Promise<void> {
  await db.migrate.latest({ directory: pluginMigrationsDir });
}
