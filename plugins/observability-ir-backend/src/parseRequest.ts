import { InputError } from '@backstage/errors';
import { z } from 'zod';

/**
 * A request's query or body, parsed once with its schema from -common; a
 * 400 naming every field that is wrong otherwise.
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
  return parsed.data;
}
