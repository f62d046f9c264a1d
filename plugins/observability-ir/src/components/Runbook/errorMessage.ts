import { ResponseError } from '@backstage/errors';

/** What went wrong, in the backend's own words when it said. */
export function errorMessage(error: Error): string {
  if (error instanceof ResponseError) {
    const said = error.body?.error?.message?.trim();
    return said ? `${said} (${error.statusCode})` : error.message;
  }
  return error.message;
}
