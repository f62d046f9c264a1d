import { createApiRef } from '@backstage/core-plugin-api';
import { EntityWorkload } from '@observability-ir/plugin-observability-ir-common';

/**
 * Client of the observability-ir backend.
 *
 * @public
 */
export interface ObservabilityIrApi {
  /** Which pods belong to an entity, and where the backend looks for them. */
  getWorkload(entityRef: string): Promise<EntityWorkload>;
}

/**
 * Reference to the {@link ObservabilityIrApi}.
 *
 * @public
 */
export const observabilityIrApiRef = createApiRef<ObservabilityIrApi>({
  id: 'plugin.observability-ir.client',
});
