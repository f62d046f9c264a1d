import {
  coreServices,
  createBackendModule,
} from '@backstage/backend-plugin-api';
import {
  authProvidersExtensionPoint,
  createProxyAuthProviderFactory,
} from '@backstage/plugin-auth-node';
import { demoGuestAuthenticator } from './authenticator';

/**
 * The demo's guest-like sign-ins besides the guest, by provider id
 * (`/api/auth/<id>/refresh`), each signing you in as one catalog user:
 *
 * - `platform-guest`: a member of the platform team, who holds every grant
 *   and sees the fleet pages;
 * - `contractor-guest`: a contractor on the finance team, who reads its
 *   incidents but is refused node forensics and the limit fix by
 *   `permission.restrictedGroups`.
 */
export const DEMO_SIGN_IN_PROVIDER_IDS = [
  'platform-guest',
  'contractor-guest',
] as const;

/**
 * Installs each demo sign-in whose `auth.providers.<id>.userEntityRef` is
 * set (the demo's app-config.yaml; app-config.production.yaml removes them).
 * Like the guest provider they refuse to sign anyone in outside a
 * development environment.
 */
export default createBackendModule({
  pluginId: 'auth',
  moduleId: 'demo-sign-in-providers',
  register(reg) {
    reg.registerInit({
      deps: {
        providers: authProvidersExtensionPoint,
        config: coreServices.rootConfig,
      },
      async init({ providers, config }) {
        for (const providerId of DEMO_SIGN_IN_PROVIDER_IDS) {
          const userEntityRef = config.getOptionalString(
            `auth.providers.${providerId}.userEntityRef`,
          );
          if (!userEntityRef) continue;
          providers.registerProvider({
            providerId,
            factory: createProxyAuthProviderFactory({
              authenticator: demoGuestAuthenticator,
              // Only a user the catalog knows: their groups are their claims.
              signInResolver: async (_, ctx) =>
                ctx.signInWithCatalogUser({ entityRef: userEntityRef }),
            }),
          });
        }
      },
    });
  },
});
