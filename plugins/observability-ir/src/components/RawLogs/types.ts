/**
 * Which logs to show: a pod of the entity, optionally one of its
 * containers, around a moment.
 *
 * @public
 */
export interface RawLogsTarget {
  pod: string;
  /** One container of the pod; every container when left out (Loki). */
  container?: string;
  /** The moment to read around (RFC 3339), e.g. a termination; now when left out. */
  at?: string;
  /** What the moment is, e.g. `last termination`, shown next to it. */
  atLabel?: string;
  /** Where the pod runs, when the entity is read from several clusters. */
  cluster?: string;
  namespace?: string;
}

/**
 * What {@link useRawLogs} gives a panel.
 *
 * @public
 */
export interface RawLogsContextValue {
  /** Opens the raw logs dialog on a pod of the entity. */
  open(target: RawLogsTarget): void;
}
