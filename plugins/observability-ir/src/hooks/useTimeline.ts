import { TimelineResponse } from '@observability-ir/plugin-observability-ir-common';
import { EvidenceState, useEvidence } from './useEvidence';

/**
 * Fetches terminations and error bursts of the entity, and how they line up, over the shared range of the Incident tab.
 *
 * @public
 */
export function useTimeline(): EvidenceState<TimelineResponse> {
  return useEvidence('getTimeline');
}
