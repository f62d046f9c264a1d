import { ExecutedQuery } from './metrics';
import { TimeRange } from './request';
import { SourceStatus } from './sources';

/**
 * The most alerts one `GET /v1/alerts` answer lists; `truncated` says when
 * more were found.
 *
 * @public
 */
export const MAX_ALERTS = 100;

/**
 * Where an alert was read:
 * `prometheus`: Prometheus' `/api/v1/alerts` (firing and pending now);
 * `history`: the `ALERTS` series over the range (firing intervals);
 * `alertmanager`: Alertmanager's `/api/v2/alerts` (firing now).
 *
 * @public
 */
export type AlertOrigin = 'prometheus' | 'history' | 'alertmanager';

/**
 * One alert about the entity's pods or workload, or one firing interval of
 * it in the range.
 *
 * @public
 */
export interface IncidentAlert {
  /** `alertname`. */
  name: string;
  /** The `severity` label, when the rule sets one. */
  severity?: string;
  /**
   * `firing`: firing at the end of the range; `pending`: its expression
   * holds, waiting for the rule's `for`; `resolved`: it stopped firing
   * within the range (at `endsAt`).
   */
  state: 'firing' | 'pending' | 'resolved';
  /**
   * RFC 3339: when it started firing (for a pending alert, when it became
   * pending). When it fired since before the range and no live source
   * says since when, the range's start.
   */
  startsAt: string;
  /** RFC 3339: when it stopped firing; absent while firing or pending. */
  endsAt?: string;
  cluster: string;
  namespace: string;
  /** The `pod` label, for alerts about one pod. */
  pod?: string;
  /** The `container` label, when there is one. */
  container?: string;
  /** The `summary` annotation, shortened. */
  summary?: string;
  /** The `description` annotation (or `message`), shortened. */
  description?: string;
  /**
   * The alert's labels (without `alertname` and `alertstate`), at most 20,
   * each value shortened: what tells two alerts of one rule apart.
   */
  labels: Record<string, string>;
  /** Where it was read, in the order of {@link AlertOrigin}. */
  origins: AlertOrigin[];
}

/**
 * `GET /v1/alerts`: alerts about the entity's pods and workload, firing or
 * pending now, and the firing intervals of the range.
 *
 * @public
 */
export interface AlertsResponse {
  entityRef: string;
  range: TimeRange;
  /**
   * Firing first, then pending, then resolved; within each, the newest
   * start first. At most {@link MAX_ALERTS}.
   */
  alerts: IncidentAlert[];
  /** More alerts were found than {@link MAX_ALERTS}; the oldest resolved ones are left out. */
  truncated: boolean;
  /** The PromQL and Alertmanager filters sent, per cluster. */
  queries: ExecutedQuery[];
  sources: SourceStatus[];
}
