import {
  BackstageCredentials,
  BackstageServicePrincipal,
  BackstageUserPrincipal,
} from '@backstage/backend-plugin-api';

/**
 * Who a request counts against (a rate limit, a waiting read): the user's
 * entity ref, or `service:<subject>` for a calling service.
 */
export function callerOf(credentials: BackstageCredentials): string {
  const { principal } = credentials as BackstageCredentials<
    BackstageUserPrincipal | BackstageServicePrincipal
  >;
  return principal.type === 'user'
    ? principal.userEntityRef
    : `service:${principal.subject}`;
}
