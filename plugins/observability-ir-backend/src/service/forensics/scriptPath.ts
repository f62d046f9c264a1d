import { resolvePackagePath } from '@backstage/backend-plugin-api';

/**
 * The node-forensics script, a fixed file shipped with the package (its
 * `files`); a Job runs it with arguments only.
 */
export const NODE_FORENSICS_SCRIPT = resolvePackagePath(
  '@observability-ir/plugin-observability-ir-backend',
  'forensics/node-forensics.sh',
);
