import { LinkButton } from '@backstage/core-components';
import { useRouteRef } from '@backstage/core-plugin-api';
import { MemoryLimitFix } from '@observability-ir/plugin-observability-ir-common';
import Box from '@material-ui/core/Box';
import Typography from '@material-ui/core/Typography';
import { scaffolderTemplateRouteRef } from '../../routes';

/** The scaffolder template that raises a memory limit, and its namespace. */
export const RAISE_MEMORY_LIMIT_TEMPLATE = {
  namespace: 'default',
  templateName: 'raise-memory-limit',
};

/**
 * The template page with the fix's values as the scaffolder reads them
 * from `formData`: through the app's routes when the scaffolder's template
 * page is bound, else at the scaffolder's usual `/create`.
 */
export function raiseMemoryLimitUrl(
  templatePath: string | undefined,
  entityRef: string,
  fix: MemoryLimitFix,
): string {
  const path =
    templatePath ??
    `/create/templates/${RAISE_MEMORY_LIMIT_TEMPLATE.namespace}/${RAISE_MEMORY_LIMIT_TEMPLATE.templateName}`;
  const formData = {
    entity: entityRef,
    container: fix.container,
    limit: fix.proposedLimit,
    cluster: fix.cluster,
    namespace: fix.namespace,
    workloadKind: fix.workloadKind,
    workloadName: fix.workloadName,
  };
  return `${path}?formData=${encodeURIComponent(JSON.stringify(formData))}`;
}

/**
 * The change the Fix step proposes for a memory limit, and the way to make
 * it: the scaffolder template, filled in, until the fix is made.
 */
export function MemoryLimitFixLink(props: {
  entityRef: string;
  fix: MemoryLimitFix;
  /** Whether to offer the template; not once the fix is seen. */
  offerTemplate?: boolean;
}) {
  const { entityRef, fix, offerTemplate = true } = props;
  const templateRoute = useRouteRef(scaffolderTemplateRouteRef);
  const url = raiseMemoryLimitUrl(
    templateRoute?.(RAISE_MEMORY_LIMIT_TEMPLATE),
    entityRef,
    fix,
  );
  return (
    <Box mt={1}>
      <Typography variant="body2">
        <strong>
          limits.memory: {fix.currentLimit} → {fix.proposedLimit}
        </strong>{' '}
        for container {fix.container} of {fix.workloadKind} {fix.workloadName}{' '}
        in {fix.namespace} (cluster {fix.cluster})
      </Typography>
      {offerTemplate && (
        <Box mt={1}>
          {/* It leads to another page: a link, though it looks like a button. */}
          <LinkButton
            to={url}
            role="link"
            variant="contained"
            color="primary"
            size="small"
          >
            Raise the limit with a template
          </LinkButton>
        </Box>
      )}
    </Box>
  );
}
