import {
  LoggerService,
  RootConfigService,
} from '@backstage/backend-plugin-api';
import {
  AksStrategy,
  AnonymousStrategy,
  AwsIamStrategy,
  AzureIdentityStrategy,
  GoogleServiceAccountStrategy,
  GoogleStrategy,
  OidcStrategy,
  ServiceAccountStrategy,
} from '@backstage/plugin-kubernetes-backend';
import type { AuthenticationStrategy } from '@backstage/plugin-kubernetes-node';

/**
 * The strategies of the stock Kubernetes plugin, keyed by the `authProvider`
 * they serve: the same map its backend builds, from its exported classes.
 */
export function stockAuthStrategies(options: {
  config: RootConfigService;
  logger: LoggerService;
}): Map<string, AuthenticationStrategy> {
  const { config, logger } = options;
  return new Map<string, AuthenticationStrategy>([
    ['aks', new AksStrategy()],
    ['aws', new AwsIamStrategy({ config })],
    ['azure', new AzureIdentityStrategy(logger)],
    ['google', new GoogleStrategy()],
    ['googleServiceAccount', new GoogleServiceAccountStrategy({ config })],
    ['localKubectlProxy', new AnonymousStrategy()],
    ['oidc', new OidcStrategy()],
    ['serviceAccount', new ServiceAccountStrategy()],
  ]);
}

/**
 * The auth providers whose credential the browser obtains for the user
 * (the stock frontend's `KubernetesAuthProviders` asks a sign-in API for
 * them); every other provider's credential is the backend's own.
 */
export const BROWSER_AUTH_PROVIDERS: ReadonlySet<string> = new Set([
  'oidc',
  'google',
  'aks',
]);
