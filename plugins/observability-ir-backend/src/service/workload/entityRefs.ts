import { parseEntityRef, stringifyEntityRef } from '@backstage/catalog-model';
import { InputError } from '@backstage/errors';

/** The full `kind:namespace/name` form of a ref; components by default. */
export function normalizeEntityRef(entityRef: string): string {
  try {
    return stringifyEntityRef(
      parseEntityRef(entityRef, { defaultKind: 'component' }),
    );
  } catch (error) {
    throw new InputError(
      `Invalid entity ref "${entityRef}": ${(error as Error).message}`,
    );
  }
}
