import {
  AuthRequestOptions,
  BackstageIdentityApi,
  BackstageIdentityResponse,
  DiscoveryApi,
  ProfileInfo,
  ProfileInfoApi,
  SessionApi,
  SessionState,
} from '@backstage/frontend-plugin-api';

type Observable<T> = ReturnType<SessionApi['sessionState$']> &
  Record<symbol, () => Observable<T>>;
interface Observer<T> {
  next?(value: T): void;
}

/** A session is refreshed this long before its token expires. */
const REFRESH_MARGIN_MS = 60_000;

/** What `GET /api/auth/<provider>/refresh` answers. */
interface ProxySession {
  profile: ProfileInfo;
  backstageIdentity: BackstageIdentityResponse;
}

/** When a Backstage token expires, in milliseconds since the epoch. */
function tokenExpiryMs(token: string): number | undefined {
  try {
    const payload = token.split('.')[1].replace(/-/g, '+').replace(/_/g, '/');
    const { exp } = JSON.parse(atob(payload));
    return typeof exp === 'number' ? exp * 1000 : undefined;
  } catch {
    return undefined;
  }
}

/**
 * Signs in through a backend auth provider that needs no pop-up, one that
 * answers `GET /api/auth/<provider>/refresh` with a Backstage identity for
 * whoever asks (a proxy provider, such as the guest one). The session is
 * kept until shortly before its token expires, then asked for again.
 */
export class ProxySignInApi
  implements ProfileInfoApi, BackstageIdentityApi, SessionApi
{
  private session?: Promise<ProxySession>;
  private expiresAtMs = 0;
  private state: SessionState = SessionState.SignedOut;
  private readonly observers = new Set<Observer<SessionState>>();

  constructor(
    private readonly options: {
      provider: string;
      discoveryApi: DiscoveryApi;
      now?: () => number;
    },
  ) {}

  async getBackstageIdentity(
    options: AuthRequestOptions = {},
  ): Promise<BackstageIdentityResponse | undefined> {
    return (await this.currentSession(options))?.backstageIdentity;
  }

  async getProfile(
    options: AuthRequestOptions = {},
  ): Promise<ProfileInfo | undefined> {
    return (await this.currentSession(options))?.profile;
  }

  async signIn(): Promise<void> {
    await this.currentSession({});
  }

  async signOut(): Promise<void> {
    this.session = undefined;
    this.expiresAtMs = 0;
    this.setState(SessionState.SignedOut);
  }

  sessionState$(): Observable<SessionState> {
    const observable: Observable<SessionState> = {
      [Symbol.observable]: () => observable,
      subscribe: (
        observerOrNext?:
          | Observer<SessionState>
          | ((value: SessionState) => void),
      ) => {
        const observer: Observer<SessionState> =
          typeof observerOrNext === 'function'
            ? { next: observerOrNext }
            : observerOrNext ?? {};
        this.observers.add(observer);
        observer.next?.(this.state);
        let closed = false;
        return {
          get closed() {
            return closed;
          },
          unsubscribe: () => {
            closed = true;
            this.observers.delete(observer);
          },
        };
      },
    } as Observable<SessionState>;
    return observable;
  }

  /**
   * The session, asked for when there is none or it is about to expire.
   * With `optional`, a failure to get one is `undefined` rather than an
   * error: the sign-in page asks so on load, to find a session it can keep.
   */
  private async currentSession(
    options: AuthRequestOptions,
  ): Promise<ProxySession | undefined> {
    const now = (this.options.now ?? Date.now)();
    if (!this.session || now >= this.expiresAtMs - REFRESH_MARGIN_MS) {
      this.session = this.fetchSession();
      this.session.catch(() => {
        this.session = undefined;
      });
    }
    try {
      const session = await this.session;
      this.setState(SessionState.SignedIn);
      return session;
    } catch (error) {
      this.setState(SessionState.SignedOut);
      if (options.optional) {
        return undefined;
      }
      throw error;
    }
  }

  private async fetchSession(): Promise<ProxySession> {
    const baseUrl = await this.options.discoveryApi.getBaseUrl('auth');
    const response = await fetch(
      `${baseUrl}/${this.options.provider}/refresh`,
      {
        headers: { 'X-Requested-With': 'XMLHttpRequest' },
        credentials: 'include',
      },
    );
    if (!response.ok) {
      // The backend's error body: { error: { name, message } }.
      const message = await response
        .json()
        .then(body => body?.error?.message)
        .catch(() => undefined);
      throw new Error(
        `Sign-in refused (${response.status})${message ? `: ${message}` : ''}`,
      );
    }
    const body = await response.json();
    const identity = body?.backstageIdentity;
    if (typeof identity?.token !== 'string' || !identity.identity) {
      throw new Error(
        `The ${this.options.provider} sign-in answered without an identity`,
      );
    }
    const expiresAtMs =
      tokenExpiryMs(identity.token) ??
      (this.options.now ?? Date.now)() + 3600_000;
    this.expiresAtMs = expiresAtMs;
    return {
      profile: body.profile ?? {},
      backstageIdentity: {
        token: identity.token,
        identity: identity.identity,
        expiresAt: new Date(expiresAtMs),
      },
    };
  }

  private setState(state: SessionState) {
    if (state === this.state) {
      return;
    }
    this.state = state;
    for (const observer of this.observers) {
      observer.next?.(state);
    }
  }
}
