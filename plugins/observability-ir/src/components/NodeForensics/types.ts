import {
  ForensicsRun,
  ForensicsRunsResponse,
  Replica,
} from '@observability-ir/plugin-observability-ir-common';
import { AsyncStateRetry } from 'react-use/esm/useAsyncRetry';

/** What the dialog shows: the plan of a run to confirm, or a run. */
export type ForensicsDialogState =
  | { kind: 'confirm'; replica: Replica }
  | { kind: 'run'; run: ForensicsRun; existing?: boolean };

/**
 * Node forensics for the entity of the page: whether the user may run it,
 * whether this Backstage offers it, the entity's runs and the dialog.
 */
export interface NodeForensicsContextValue {
  entityRef: string;
  permission: { loading: boolean; allowed: boolean };
  /** Why forensics cannot run here at all (off in this Backstage), if so. */
  unavailable?: string;
  runs: AsyncStateRetry<ForensicsRunsResponse>;
  /** Shows what a run on this replica would do, to confirm. */
  confirm(replica: Replica): void;
  /** Shows a run: its progress, then its verdict. */
  open(run: ForensicsRun, how?: { existing?: boolean }): void;
}
