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
import type { RawLogsContextValue, RawLogsTarget } from './types';

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
