import type {
  ForensicsRunStatus,
  ForensicsSection,
  ForensicsVerdict,
} from '@observability-ir/plugin-observability-ir-common';

// Where a run is: one status for the store, the API and the Incident tab.
export type { ForensicsRunStatus };

/** The container a run looks at. */
export interface ForensicsRunTarget {
  cluster: string;
  namespace: string;
  pod: string;
  container: string;
}

/** A run as its history lists it: everything but the log and the sections. */
export interface ForensicsRunSummary extends ForensicsRunTarget {
  id: string;
  jobName: string;
  node?: string;
  entityRef: string;
  /** The user entity ref of who asked for it. */
  requestedBy: string;
  status: ForensicsRunStatus;
  /** Why it failed. */
  reason?: string;
  /** ISO 8601 timestamps. */
  createdAt: string;
  startedAt?: string;
  finishedAt?: string;
  updatedAt: string;
  verdict?: ForensicsVerdict;
  /** The stored log is the head of a longer one. */
  rawOutputTruncated: boolean;
  /** The backend instance that watches the run, while its lease lasts. */
  claimedBy?: string;
  leaseExpiresAt?: string;
}

/** A run with the parsed sections and the log. */
export interface ForensicsRun extends ForensicsRunSummary {
  sections?: ForensicsSection[];
  /** The Job's log, at most {@link FORENSICS_RAW_OUTPUT_MAX_BYTES}. */
  rawOutput?: string;
}

/** A new run, as the dispatcher records it after creating the Job. */
export interface NewForensicsRun {
  /** A UUID; one is generated when absent. */
  id?: string;
  jobName: string;
  target: ForensicsRunTarget;
  node?: string;
  entityRef: string;
  requestedBy: string;
  /** `pending` unless given. */
  status?: 'pending' | 'running';
  /** The creator watches the run itself: nobody else claims it meanwhile. */
  lease?: { owner: string; expiresAt: Date };
}

/** What changes as a run goes on. */
export interface ForensicsRunPatch {
  status?: ForensicsRunStatus;
  reason?: string;
  node?: string;
  verdict?: ForensicsVerdict;
  sections?: ForensicsSection[];
  /** Stored up to {@link FORENSICS_RAW_OUTPUT_MAX_BYTES}, the rest dropped. */
  rawOutput?: string;
}

/** The largest log a run stores, in UTF-8 bytes; the head is kept. */
export const FORENSICS_RAW_OUTPUT_MAX_BYTES = 256 * 1024;

/** The longest failure reason stored, in characters. */
export const FORENSICS_REASON_MAX_LENGTH = 1000;

/** How many runs {@link ForensicsRunStore.listForEntity} answers by default. */
export const FORENSICS_LIST_DEFAULT_LIMIT = 20;

/** The most runs {@link ForensicsRunStore.listForEntity} answers. */
export const FORENSICS_LIST_MAX_LIMIT = 100;

/**
 * The node-forensics runs, kept so that history survives a restart and a run
 * in flight is watched again by whichever backend instance claims it.
 */
export interface ForensicsRunStore {
  /** Records a new run; answers it as stored. */
  create(run: NewForensicsRun): Promise<ForensicsRun>;

  /** The run, or `undefined` when there is none with this id. */
  get(id: string): Promise<ForensicsRun | undefined>;

  /** The entity's runs, newest first, at most `limit` (bounded). */
  listForEntity(
    entityRef: string,
    options?: { limit?: number },
  ): Promise<ForensicsRunSummary[]>;

  /**
   * The newest run for the same container that is in flight or finished at
   * or after `since`: a new request answers it instead of starting another.
   */
  findRecent(
    target: ForensicsRunTarget,
    since: Date,
  ): Promise<ForensicsRun | undefined>;

  /**
   * How many runs are in flight (pending or running) on one node of one
   * cluster: what the per-node cap counts.
   */
  countInFlightOnNode(cluster: string, node: string): Promise<number>;

  /**
   * Changes a run. A status only moves forward (pending, running, then
   * succeeded or failed) and a finished run does not change any more: both
   * throw a `ConflictError`. An unknown id throws a `NotFoundError`.
   * Moving to `running` sets `startedAt`; a final status sets `finishedAt`
   * and ends the lease.
   */
  update(id: string, patch: ForensicsRunPatch): Promise<ForensicsRun>;

  /**
   * Claims up to `limit` runs in flight whose lease expired (or that nobody
   * holds) for `owner` until `now + leaseMs`, oldest first. Two instances
   * claiming at once get disjoint runs.
   */
  claimStale(
    owner: string,
    now: Date,
    leaseMs: number,
    limit: number,
  ): Promise<ForensicsRun[]>;

  /**
   * Extends `owner`'s lease on a run in flight to `now + leaseMs`; `false`
   * when the run finished or another instance holds it now.
   */
  renewLease(
    id: string,
    owner: string,
    now: Date,
    leaseMs: number,
  ): Promise<boolean>;

  /** Deletes the runs that finished before `date`; answers how many. */
  deleteFinishedBefore(date: Date): Promise<number>;
}
