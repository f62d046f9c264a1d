import { NotAllowedError } from '@backstage/errors';
import { createProxyAuthenticator } from '@backstage/plugin-auth-node';

/**
 * Authenticates anyone, and so only where `auth.environment` is
 * `development` (the demo, local development and the tests), unless
 * `auth.providers.<provider>.dangerouslyAllowOutsideDevelopment` says
 * otherwise.
 */
export const demoGuestAuthenticator = createProxyAuthenticator({
  defaultProfileTransform: async () => ({ profile: {} }),
  initialize({ config }) {
    return {
      allowed:
        config.getOptionalBoolean('dangerouslyAllowOutsideDevelopment') ===
          true || process.env.NODE_ENV === 'development',
    };
  },
  async authenticate(_, { allowed }) {
    if (!allowed) {
      throw new NotAllowedError('This guest sign-in is for development only');
    }
    return { result: {} };
  },
});
