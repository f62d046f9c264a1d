import {
  coreServices,
  createBackendModule,
} from '@backstage/backend-plugin-api';
import {
  authProvidersExtensionPoint,
  createProxyAuthProviderFactory,
} from '@backstage/plugin-auth-node';
import { platformGuestAuthenticator } from './authenticator';

/** The sign-in provider's id: `/api/auth/platform-guest/refresh`. */
export const PLATFORM_GUEST_PROVIDER_ID = 'platform-guest';

/**
 * A second guest-like sign-in for development and the demo: one click signs
 * you in as the catalog user `auth.providers.platform-guest.userEntityRef`
 * (in the demo `user:default/platform-guest`, a member of the platform
 * team), so the platform pages can be tried next to the finance on-call
 * guest. Like the guest provider it refuses to sign anyone in outside a
 * development environment, and the backend installs it only while its
 * config key is set.
 */
export default createBackendModule({
  pluginId: 'auth',
  moduleId: 'platform-guest-provider',
  register(reg) {
    reg.registerInit({
      deps: {
        providers: authProvidersExtensionPoint,
        config: coreServices.rootConfig,
      },
      async init({ providers, config }) {
        const userEntityRef = config.getString(
          `auth.providers.${PLATFORM_GUEST_PROVIDER_ID}.userEntityRef`,
        );
        providers.registerProvider({
          providerId: PLATFORM_GUEST_PROVIDER_ID,
          factory: createProxyAuthProviderFactory({
            authenticator: platformGuestAuthenticator,
            // Only a user the catalog knows: their groups are their claims.
            signInResolver: async (_, ctx) =>
              ctx.signInWithCatalogUser({ entityRef: userEntityRef }),
          }),
        });
      },
    });
  },
});
