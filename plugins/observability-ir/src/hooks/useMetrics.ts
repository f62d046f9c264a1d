import { MetricsResponse } from '@observability-ir/plugin-observability-ir-common';
import { EvidenceState, useEvidence } from './useEvidence';

/**
 * Fetches memory and CPU series of the entity's containers, over the shared range of the Incident tab.
 *
 * @public
 */
export function useMetrics(): EvidenceState<MetricsResponse> {
  return useEvidence('getMetrics');
}
