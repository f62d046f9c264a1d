import { credentialsKey, readKubernetesRequestAuth } from './requestAuth';

describe('readKubernetesRequestAuth', () => {
  it('reads the headers of the stock frontend into the shape the stock strategies take', () => {
    expect(
      readKubernetesRequestAuth({
        'backstage-kubernetes-authorization-google': 'ya29.a0Af',
        'backstage-kubernetes-authorization-oidc-okta': 'eyJh.eyJz.c2ln',
        'backstage-kubernetes-authorization-oidc-keycloak': 'eyJk.eyJl.c2lo',
        authorization: 'Bearer backstage-token',
      }),
    ).toEqual({
      google: 'ya29.a0Af',
      oidc: { okta: 'eyJh.eyJz.c2ln', keycloak: 'eyJk.eyJl.c2lo' },
    });
  });

  it.each([
    [
      { 'backstage-kubernetes-authorization-oidc': 't' },
      'The header backstage-kubernetes-authorization-oidc names no known auth provider',
    ],
    [
      { 'backstage-kubernetes-authorization-google': 'a b' },
      'The header backstage-kubernetes-authorization-google is not a bearer token',
    ],
    [
      { 'backstage-kubernetes-authorization-aks': 'x'.repeat(8193) },
      'The header backstage-kubernetes-authorization-aks is longer than 8192 characters',
    ],
  ])('refuses %p without echoing the value', (headers, message) => {
    expect(() => readKubernetesRequestAuth(headers)).toThrow(message);
  });

  it('keys answers by the credentials without holding them', () => {
    const key = credentialsKey({ oidc: { okta: 'secret-id-token' } });
    expect(key).toMatch(/^[0-9a-f]{32}$/);
    expect(key).not.toBe(credentialsKey({ oidc: { okta: 'other-token' } }));
    expect(credentialsKey({})).toBe('');
  });
});
