import { createBackendModule } from '@backstage/backend-plugin-api';
import {
  authProvidersExtensionPoint,
  createProxyAuthProviderFactory,
  createProxyAuthenticator,
} from '@backstage/plugin-auth-node';
import { createPortalBackend } from '../backend';

/*
 * The portal's backend for tests that need users other than the guest. It
 * adds a sign-in provider, `named-user`, that signs in as the catalog user
 * named in the X-Sign-In-As header and resolves their groups through the
 * catalog, as a real provider does. Anyone can be anyone with it: it is
 * active only with `auth.providers.named-user` configured, and only this
 * entry point installs it.
 */
const namedUserSignIn = createBackendModule({
  pluginId: 'auth',
  moduleId: 'named-user-provider',
  register(reg) {
    reg.registerInit({
      deps: { providers: authProvidersExtensionPoint },
      async init({ providers }) {
        providers.registerProvider({
          providerId: 'named-user',
          factory: createProxyAuthProviderFactory({
            authenticator: createProxyAuthenticator({
              defaultProfileTransform: async () => ({ profile: {} }),
              initialize: () => undefined,
              async authenticate({ req }) {
                return { result: { name: req.header('x-sign-in-as') ?? '' } };
              },
            }),
            signInResolver: async ({ result }, ctx) =>
              ctx.signInWithCatalogUser({ entityRef: { name: result.name } }),
          }),
        });
      },
    });
  },
});

const backend = createPortalBackend();
backend.add(namedUserSignIn);
backend.start();
