import { LogsResponse } from '@observability-ir/plugin-observability-ir-common';
import { EvidenceState, useEvidence } from './useEvidence';

/**
 * Fetches the entity's error log lines, grouped by signature, over the shared range of the Incident tab.
 *
 * @public
 */
export function useLogs(): EvidenceState<LogsResponse> {
  return useEvidence('getLogs');
}
