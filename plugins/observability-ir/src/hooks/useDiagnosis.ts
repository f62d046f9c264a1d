import { DiagnosisResponse } from '@observability-ir/plugin-observability-ir-common';
import { EvidenceState, useEvidence } from './useEvidence';

/**
 * Fetches the ranked hypotheses of what is wrong with the entity, over the shared range of the Incident tab.
 *
 * @public
 */
export function useDiagnosis(): EvidenceState<DiagnosisResponse> {
  return useEvidence('getDiagnosis');
}
