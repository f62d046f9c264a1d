import {
  ApiBlueprint,
  ApiRef,
  createApiRef,
  createFrontendModule,
  discoveryApiRef,
  BackstageIdentityApi,
  ProfileInfoApi,
  SessionApi,
} from '@backstage/frontend-plugin-api';
import { SignInPageBlueprint } from '@backstage/plugin-app-react';
import { ProxySignInApi } from './ProxySignInApi';

type DemoSignInApi = ProfileInfoApi & BackstageIdentityApi & SessionApi;

/**
 * The demo's platform team member: the backend's `platform-guest` sign-in
 * (development only, like the guest), as `user:default/platform-guest`.
 */
export const platformGuestAuthApiRef = createApiRef<DemoSignInApi>().with({
  id: 'platform-guest-auth',
  pluginId: 'app',
});

/**
 * The demo's finance contractor: the backend's `contractor-guest` sign-in
 * (development only), as `user:default/contractor-guest`, who reads the
 * finance team's incidents but may not run node forensics.
 */
export const contractorGuestAuthApiRef = createApiRef<DemoSignInApi>().with({
  id: 'contractor-guest-auth',
  pluginId: 'app',
});

/** The API of one demo sign-in, talking to the backend's `provider`. */
function demoSignInApi(
  name: string,
  api: ApiRef<DemoSignInApi>,
  provider: string,
) {
  return ApiBlueprint.make({
    name,
    params: defineParams =>
      defineParams({
        api,
        deps: { discoveryApi: discoveryApiRef },
        factory: ({ discoveryApi }) =>
          new ProxySignInApi({ provider, discoveryApi }),
      }),
  });
}

const platformGuestAuthApi = demoSignInApi(
  'platform-guest-auth',
  platformGuestAuthApiRef,
  'platform-guest',
);

const contractorGuestAuthApi = demoSignInApi(
  'contractor-guest-auth',
  contractorGuestAuthApiRef,
  'contractor-guest',
);

/**
 * The sign-in page: the guest (on call for the finance team), the platform
 * guest (a platform team member, who sees the fleet pages) and the
 * contractor guest (reads the finance team's incidents, runs no forensics).
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
            {
              id: 'contractor-guest',
              title: 'Contractor guest',
              message:
                "Enter as a contractor on the finance team: its services' incidents, without node forensics or the limit fix. Development only.",
              apiRef: contractorGuestAuthApiRef,
            },
          ]}
        />
      );
    },
  },
});

export const signInModule = createFrontendModule({
  pluginId: 'app',
  extensions: [platformGuestAuthApi, contractorGuestAuthApi, signInPage],
});
