import { KubernetesValidatorFunctions } from '@backstage/catalog-model';
import { InputError } from '@backstage/errors';
import { z } from 'zod';
import { isDnsLabel, isDnsSubdomain } from './queries/kubernetesNames';

/**
 * The shapes of the fields that name something in a cluster or the
 * catalog, whichever request carries them: a value of another shape names
 * nothing there, so it is refused before it reaches a URL path, a selector
 * or a query.
 */
const NAMED_FIELDS: Record<
  string,
  { valid(v: string): boolean; rule: string }
> = {
  entityRef: {
    valid: isEntityRef,
    rule: 'must be an entity ref, [kind:][namespace/]name, as the catalog names entities',
  },
  namespace: {
    valid: isDnsLabel,
    rule: 'must be a Kubernetes namespace name (lowercase letters, digits and "-", at most 63)',
  },
  pod: {
    valid: isDnsSubdomain,
    rule: 'must be a Kubernetes pod name (lowercase letters, digits, "-" and ".", at most 253)',
  },
  workloadName: {
    valid: isDnsSubdomain,
    rule: 'must be a Kubernetes workload name (lowercase letters, digits, "-" and ".", at most 253)',
  },
  container: {
    valid: isDnsLabel,
    rule: 'must be a Kubernetes container name (lowercase letters, digits and "-", at most 63)',
  },
};

/**
 * Whether `ref` is `[kind:][namespace/]name` with each part as the
 * catalog's default rules allow it (refs are compared case-insensitively,
 * so the namespace is checked in lowercase).
 */
function isEntityRef(ref: string): boolean {
  const match = /^(?:([^:/]+):)?(?:([^:/]+)\/)?([^:/]+)$/.exec(ref);
  if (!match) return false;
  const [, kind, namespace, name] = match;
  return (
    (kind === undefined || KubernetesValidatorFunctions.isValidKind(kind)) &&
    (namespace === undefined ||
      KubernetesValidatorFunctions.isValidNamespace(namespace.toLowerCase())) &&
    KubernetesValidatorFunctions.isValidObjectName(name)
  );
}

/**
 * A request's query or body, parsed once with its schema from -common; a
 * 400 naming every field that is wrong otherwise. Fields that name an
 * entity or a Kubernetes object (`entityRef`, `namespace`, `pod`,
 * `workloadName`, `container`) must also have that object's shape.
 */
export function parseRequest<T>(
  schema: z.ZodType<T, z.ZodTypeDef, unknown>,
  value: unknown,
  what: 'query' | 'body',
): T {
  const parsed = schema.safeParse(value);
  if (!parsed.success) {
    const issues = parsed.error.issues
      .map(issue => `${issue.path.join('.') || what}: ${issue.message}`)
      .join('; ');
    throw new InputError(`Invalid request: ${issues}`);
  }
  const data = parsed.data as Record<string, unknown>;
  if (data && typeof data === 'object') {
    const issues = Object.entries(NAMED_FIELDS)
      .filter(([field, shape]) => {
        const v = data[field];
        return typeof v === 'string' && !shape.valid(v);
      })
      .map(([field, shape]) => `${field}: ${shape.rule}`);
    if (issues.length > 0) {
      throw new InputError(`Invalid request: ${issues.join('; ')}`);
    }
  }
  return parsed.data;
}
