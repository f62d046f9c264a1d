import {
  ApiBlueprint,
  createApiRef,
  createFrontendModule,
  discoveryApiRef,
  BackstageIdentityApi,
  ProfileInfoApi,
  SessionApi,
} from '@backstage/frontend-plugin-api';
import { SignInPageBlueprint } from '@backstage/plugin-app-react';
import { ProxySignInApi } from './ProxySignInApi';

/**
 * The demo's platform team member: the backend's `platform-guest` sign-in
 * (development only, like the guest), as `user:default/platform-guest`.
 */
export const platformGuestAuthApiRef = createApiRef<
  ProfileInfoApi & BackstageIdentityApi & SessionApi
>().with({ id: 'platform-guest-auth', pluginId: 'app' });

const platformGuestAuthApi = ApiBlueprint.make({
  name: 'platform-guest-auth',
  params: defineParams =>
    defineParams({
      api: platformGuestAuthApiRef,
      deps: { discoveryApi: discoveryApiRef },
      factory: ({ discoveryApi }) =>
        new ProxySignInApi({ provider: 'platform-guest', discoveryApi }),
    }),
});

/**
 * The sign-in page: the guest (on call for the finance team) and the
 * platform guest (a platform team member, who sees the fleet pages).
 */
const signInPage = SignInPageBlueprint.make({
  params: {
    loader: async () => {
      const { SignInPage } = await import('@backstage/core-components');
      return props => (
        <SignInPage
          {...props}
          providers={[
            'guest',
            {
              id: 'platform-guest',
              title: 'Platform guest',
              message:
                'Enter as a member of the platform team: the fleet pages and every service. Development only.',
              apiRef: platformGuestAuthApiRef,
            },
          ]}
        />
      );
    },
  },
});

export const signInModule = createFrontendModule({
  pluginId: 'app',
  extensions: [platformGuestAuthApi, signInPage],
});
