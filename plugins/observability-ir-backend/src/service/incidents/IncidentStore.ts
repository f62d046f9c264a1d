import type {
  HypothesisId,
  IncidentAction,
  IncidentRecord,
} from '@observability-ir/plugin-observability-ir-common';

/** The longest action message kept; longer ones are cut. */
export const INCIDENT_ACTION_MESSAGE_MAX_LENGTH = 1_000;

/** The most actions one incident keeps; past that, the oldest notes go. */
export const INCIDENT_MAX_ACTIONS = 500;

/**
 * The memory limit of each of the entity's containers, by container name,
 * in bytes (containers without a limit are absent).
 */
export type ContainerMemoryLimits = Record<string, number>;

/** A fix the verification watches, once the backend saw it in the cluster. */
export interface ObservedFix {
  /** RFC 3339: when the backend first saw it. */
  seenAt: string;
  /** What changed, in one sentence. */
  description: string;
  /** The memory limits the containers carry with the fix. */
  memoryLimits: ContainerMemoryLimits;
}

/** Where the current verification watch is. */
export interface VerificationState {
  /** RFC 3339: when the current watch began. */
  since: string;
  /** Each replica's restart count when the watch began, by `pod/container`. */
  restarts: Record<string, number>;
}

/** What the verification saw when it passed. */
export interface VerifiedState {
  memoryLimits: ContainerMemoryLimits;
}

/**
 * An incident as the store keeps it: the record the API shows, and what
 * the verification needs between two looks at the cluster.
 */
export interface StoredIncident extends IncidentRecord {
  baseline: ContainerMemoryLimits;
  fix?: ObservedFix;
  verification?: VerificationState;
  verified?: VerifiedState;
}

/** What opening an incident takes. */
export interface NewIncident {
  entityRef: string;
  hypothesis: HypothesisId;
  title: string;
  openedAt: Date;
  baseline: ContainerMemoryLimits;
  /** The first action, `opened`, as the backend saw it. */
  message: string;
}

/**
 * The incident records of the plugin, in its database. Every backend
 * instance shares them: at most one incident per entity is open at a time,
 * enforced by the database, so two instances opening one at once agree.
 */
export interface IncidentStore {
  /**
   * Opens an incident for the entity, or answers the one already open
   * (`created: false`), whoever opened it.
   */
  open(incident: NewIncident): Promise<{
    incident: StoredIncident;
    created: boolean;
  }>;
  /** The entity's open incident, else its most recent one, else none. */
  latest(entityRef: string): Promise<StoredIncident | undefined>;
  /** Appends an action to an incident. */
  addAction(incidentId: string, action: IncidentAction): Promise<void>;
  /** Records the fix seen in the cluster; only the first one counts. */
  recordFix(incidentId: string, fix: ObservedFix): Promise<boolean>;
  /** Starts (or restarts) the verification watch of an open incident. */
  setVerification(
    incidentId: string,
    verification: VerificationState,
  ): Promise<void>;
  /**
   * Closes an open incident; `false` when it was already closed (by another
   * instance), in which case nothing is recorded twice.
   */
  close(
    incidentId: string,
    closed: { at: Date; verified: VerifiedState; message: string },
  ): Promise<boolean>;
}
