import { ReplicasResponse } from '@observability-ir/plugin-observability-ir-common';
import { EvidenceState, useEvidence } from './useEvidence';

/**
 * Fetches every container of the entity: health, restarts, last terminations, over the shared range of the Incident tab.
 *
 * @public
 */
export function useReplicas(): EvidenceState<ReplicasResponse> {
  return useEvidence('getReplicas');
}
