import { stringifyEntityRef } from '@backstage/catalog-model';
import { useEntity } from '@backstage/plugin-catalog-react';
import { usePermission } from '@backstage/plugin-permission-react';
import {
  ForensicsRun,
  ForensicsRunsResponse,
  observabilityIrForensicsRunPermission,
  Replica,
} from '@observability-ir/plugin-observability-ir-common';
import {
  createContext,
  ReactNode,
  useCallback,
  useContext,
  useMemo,
  useState,
} from 'react';
import { ForensicsRequestError } from '../../api';
import { useForensicsRuns } from '../../hooks';
import { ForensicsDialog } from './ForensicsDialog';
import { ForensicsDialogState, NodeForensicsContextValue } from './types';

const NodeForensicsContext = createContext<
  NodeForensicsContextValue | undefined
>(undefined);

/** Why forensics is off: the backend's own words (`disabled`, or its 503). */
function describeUnavailable(
  answer: ForensicsRunsResponse | undefined,
  error: unknown,
): string | undefined {
  if (answer?.disabled) {
    return answer.disabled;
  }
  if (error instanceof ForensicsRequestError && error.unavailable) {
    return error.statusCode === 503
      ? error.message
      : 'Node forensics is not available: this Backstage backend does not offer it.';
  }
  return undefined;
}

/**
 * Offers node forensics to the replica table inside it: a "Run node
 * forensics" action per replica, the confirmation and run dialog, and the
 * entity's run history. Forensics counts as off when the backend says so
 * with the history (`disabled`), answers it with 503 or does not know it.
 *
 * @public
 */
export function NodeForensicsProvider(props: { children: ReactNode }) {
  const { entity } = useEntity();
  const entityRef = stringifyEntityRef(entity);
  const permission = usePermission({
    permission: observabilityIrForensicsRunPermission,
    resourceRef: entityRef,
  });
  const runs = useForensicsRuns(entityRef);
  const [dialog, setDialog] = useState<ForensicsDialogState>();

  const confirm = useCallback(
    (replica: Replica) => setDialog({ kind: 'confirm', replica }),
    [],
  );
  const open = useCallback(
    (run: ForensicsRun, how: { existing?: boolean } = {}) =>
      setDialog({ kind: 'run', run, ...how }),
    [],
  );
  const { retry } = runs;
  const onSettled = useCallback(() => retry(), [retry]);

  const value = useMemo(
    () => ({
      entityRef,
      permission: {
        loading: permission.loading,
        allowed: permission.allowed,
      },
      unavailable: describeUnavailable(runs.value, runs.error),
      runs,
      confirm,
      open,
    }),
    [entityRef, permission.loading, permission.allowed, runs, confirm, open],
  );

  return (
    <NodeForensicsContext.Provider value={value}>
      {props.children}
      {dialog && (
        <ForensicsDialog
          state={dialog}
          entityRef={entityRef}
          onStarted={(run, existing) => {
            open(run, { existing });
            onSettled();
          }}
          onSettled={onSettled}
          onClose={() => setDialog(undefined)}
        />
      )}
    </NodeForensicsContext.Provider>
  );
}

/**
 * Node forensics of the page's entity, or `undefined` outside a
 * {@link NodeForensicsProvider}.
 *
 * @public
 */
export function useNodeForensics(): NodeForensicsContextValue | undefined {
  return useContext(NodeForensicsContext);
}
