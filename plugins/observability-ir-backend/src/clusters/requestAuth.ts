import { createHash } from 'node:crypto';
import { InputError } from '@backstage/errors';
import type { KubernetesRequestAuth } from '@backstage/plugin-kubernetes-common';
import { KUBERNETES_AUTH_HEADER_PREFIX } from '@observability-ir/plugin-observability-ir-common';

/** The longest credential header accepted; ID tokens are far shorter. */
export const MAX_CREDENTIAL_LENGTH = 8192;
/** The most credential headers one request may carry. */
export const MAX_CREDENTIAL_HEADERS = 8;

const PREFIX = `${KUBERNETES_AUTH_HEADER_PREFIX.toLowerCase()}-`;
/** An auth provider or OIDC provider name, as the stock frontend sends it. */
const NAME = /^[a-z0-9_.]{1,64}$/;
/** A bearer token: token68 characters (RFC 7235), e.g. a JWT. */
const TOKEN = /^[A-Za-z0-9\-._~+/]+=*$/;

/**
 * The Kubernetes credentials the browser sent for the user, one header per
 * auth provider (`Backstage-Kubernetes-Authorization-google`,
 * `...-oidc-<provider>`), in the shape the stock strategies read
 * (`{ google: token, oidc: { okta: token } }`). A header too long, of odd
 * characters or too many of them is refused naming the header, never its
 * value.
 */
export function readKubernetesRequestAuth(
  headers: Record<string, string | string[] | undefined>,
): KubernetesRequestAuth {
  const auth: Record<string, string | Record<string, string>> = {};
  const names = Object.keys(headers).filter(name =>
    name.toLowerCase().startsWith(PREFIX),
  );
  if (names.length > MAX_CREDENTIAL_HEADERS) {
    throw new InputError(
      `At most ${MAX_CREDENTIAL_HEADERS} ${KUBERNETES_AUTH_HEADER_PREFIX}-* headers are accepted, got ${names.length}`,
    );
  }
  for (const name of names) {
    const [provider, ...rest] = name
      .toLowerCase()
      .slice(PREFIX.length)
      .split('-');
    const oidcProvider = rest.join('-');
    const value = headers[name];
    if (
      !NAME.test(provider) ||
      (oidcProvider && (provider !== 'oidc' || !NAME.test(oidcProvider))) ||
      (provider === 'oidc' && !oidcProvider)
    ) {
      throw new InputError(`The header ${name} names no known auth provider`);
    }
    if (typeof value !== 'string') {
      throw new InputError(`The header ${name} must be sent once`);
    }
    if (value.length > MAX_CREDENTIAL_LENGTH) {
      throw new InputError(
        `The header ${name} is longer than ${MAX_CREDENTIAL_LENGTH} characters`,
      );
    }
    if (!TOKEN.test(value)) {
      throw new InputError(`The header ${name} is not a bearer token`);
    }
    if (provider === 'oidc') {
      const oidc = (auth.oidc ?? {}) as Record<string, string>;
      oidc[oidcProvider] = value;
      auth.oidc = oidc;
    } else {
      auth[provider] = value;
    }
  }
  return auth;
}

/**
 * A short digest of the credentials, to key what was read with them: two
 * users with different tokens never share an answer, and no token is kept
 * in a key. Empty when there are none.
 */
export function credentialsKey(auth: KubernetesRequestAuth): string {
  const entries = Object.entries(auth).sort(([a], [b]) => a.localeCompare(b));
  if (entries.length === 0) {
    return '';
  }
  const canonical = JSON.stringify(
    entries.map(([key, value]) =>
      value && typeof value === 'object' && !Array.isArray(value)
        ? [key, Object.entries(value).sort(([a], [b]) => a.localeCompare(b))]
        : [key, value],
    ),
  );
  return createHash('sha256').update(canonical).digest('hex').slice(0, 32);
}
