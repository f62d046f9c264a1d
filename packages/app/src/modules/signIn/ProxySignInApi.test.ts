import { SessionState } from '@backstage/frontend-plugin-api';
import { http, HttpResponse } from 'msw';
import { setupServer } from 'msw/node';
import { ProxySignInApi } from './ProxySignInApi';

const baseUrl = 'http://backstage.test/api/auth';
const discoveryApi = { getBaseUrl: async () => baseUrl };

/** A token shaped like a Backstage one, expiring at `expSeconds`. */
function token(sub: string, expSeconds: number) {
  const part = (value: object) =>
    Buffer.from(JSON.stringify(value)).toString('base64url');
  return `${part({ alg: 'ES256' })}.${part({ sub, exp: expSeconds })}.sig`;
}

const identity = {
  type: 'user',
  userEntityRef: 'user:default/platform-guest',
  ownershipEntityRefs: [
    'user:default/platform-guest',
    'group:default/platform-team',
  ],
};

describe('ProxySignInApi', () => {
  const server = setupServer();
  beforeAll(() => server.listen({ onUnhandledRequest: 'error' }));
  afterEach(() => server.resetHandlers());
  afterAll(() => server.close());

  let now = 1_000_000_000_000;
  let refreshes = 0;
  const answerAs = (sub: string, lifetimeSeconds: number) =>
    server.use(
      http.get(`${baseUrl}/platform-guest/refresh`, ({ request }) => {
        refreshes += 1;
        // What the backend's proxy providers require against CSRF.
        if (request.headers.get('x-requested-with') !== 'XMLHttpRequest') {
          return HttpResponse.json({}, { status: 401 });
        }
        return HttpResponse.json({
          profile: { displayName: 'Guest (platform team)' },
          backstageIdentity: {
            token: token(sub, now / 1000 + lifetimeSeconds),
            identity,
          },
        });
      }),
    );
  const api = () =>
    new ProxySignInApi({
      provider: 'platform-guest',
      discoveryApi,
      now: () => now,
    });

  beforeEach(() => {
    refreshes = 0;
  });

  it("signs in with the provider's refresh endpoint and keeps the session until it nears expiry", async () => {
    answerAs('user:default/platform-guest', 3600);
    const signIn = api();

    const first = await signIn.getBackstageIdentity({ instantPopup: true });
    expect(first?.identity).toEqual(identity);
    expect(first?.expiresAt).toEqual(new Date(now + 3600_000));
    expect(await signIn.getProfile()).toEqual({
      displayName: 'Guest (platform team)',
    });
    expect(refreshes).toBe(1);

    // Within the hour: the same session, asked for once.
    now += 30 * 60_000;
    expect((await signIn.getBackstageIdentity())?.token).toBe(first?.token);
    expect(refreshes).toBe(1);

    // A minute before the token expires: a new one.
    now += 29 * 60_000 + 1;
    const renewed = await signIn.getBackstageIdentity();
    expect(refreshes).toBe(2);
    expect(renewed?.token).not.toBe(first?.token);
  });

  it('answers nothing when asked optionally and refused, and the error otherwise', async () => {
    server.use(
      http.get(`${baseUrl}/platform-guest/refresh`, () =>
        HttpResponse.json(
          {
            error: {
              name: 'NotAllowedError',
              message: 'The platform guest sign-in is for development only',
            },
          },
          { status: 403 },
        ),
      ),
    );
    const signIn = api();
    await expect(
      signIn.getBackstageIdentity({ optional: true }),
    ).resolves.toBeUndefined();
    await expect(signIn.getBackstageIdentity()).rejects.toThrow(
      'Sign-in refused (403): The platform guest sign-in is for development only',
    );
  });

  it('reports its session state: signed in, then out', async () => {
    answerAs('user:default/platform-guest', 3600);
    const signIn = api();
    const states: SessionState[] = [];
    const subscription = signIn
      .sessionState$()
      .subscribe(state => states.push(state));

    await signIn.signIn();
    await signIn.signOut();
    subscription.unsubscribe();
    await signIn.signIn();

    expect(states).toEqual([
      SessionState.SignedOut,
      SessionState.SignedIn,
      SessionState.SignedOut,
    ]);
    expect(subscription.closed).toBe(true);
  });
});
