import { stringifyEntityRef } from '@backstage/catalog-model';
import { useEntity } from '@backstage/plugin-catalog-react';
import {
  createContext,
  ReactNode,
  useCallback,
  useContext,
  useMemo,
  useState,
} from 'react';
import { RawLogsDialog } from './RawLogsDialog';

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

const RawLogsContext = createContext<RawLogsContextValue | undefined>(
  undefined,
);

/**
 * Lets any panel of the Incident tab open the raw logs of one of the
 * entity's pods (with {@link useRawLogs}); renders the dialog.
 *
 * @public
 */
export function RawLogsProvider(props: { children: ReactNode }) {
  const { entity } = useEntity();
  const entityRef = stringifyEntityRef(entity);
  const [target, setTarget] = useState<RawLogsTarget>();
  const open = useCallback((next: RawLogsTarget) => setTarget(next), []);
  const value = useMemo(() => ({ open }), [open]);
  return (
    <RawLogsContext.Provider value={value}>
      {props.children}
      {target && (
        <RawLogsDialog
          // A new target starts afresh: its own search and tab.
          key={JSON.stringify(target)}
          entityRef={entityRef}
          target={target}
          onClose={() => setTarget(undefined)}
        />
      )}
    </RawLogsContext.Provider>
  );
}

/**
 * Opens the raw logs dialog: `useRawLogs()?.open({ pod, container, at })`.
 * Undefined outside a {@link RawLogsProvider}.
 *
 * @public
 */
export function useRawLogs(): RawLogsContextValue | undefined {
  return useContext(RawLogsContext);
}
