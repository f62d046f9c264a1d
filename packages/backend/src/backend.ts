import { createBackend } from '@backstage/backend-defaults';
import {
  coreServices,
  createBackendFeatureLoader,
} from '@backstage/backend-plugin-api';

/**
 * This portal's backend: every plugin and module, not yet started. The
 * entry point starts it; tests start it with a sign-in provider of their own.
 */
export function createPortalBackend() {
  const backend = createBackend();

  backend.add(import('@backstage/plugin-app-backend'));

  backend.add(import('@backstage/plugin-auth-backend'));
  // Guest sign-ins only where they are configured: local development and the
  // demo. app-config.production.yaml removes them, so production has no guest.
  backend.add(
    createBackendFeatureLoader({
      deps: { config: coreServices.rootConfig },
      *loader({ config }) {
        if (config.has('auth.providers.guest')) {
          yield import('@backstage/plugin-auth-backend-module-guest-provider');
        }
        // The demo's other identities: a platform team member, a contractor.
        if (
          config.has('auth.providers.platform-guest') ||
          config.has('auth.providers.contractor-guest')
        ) {
          yield import('./modules/demoSignIn/module');
        }
      },
    }),
  );

  backend.add(import('@backstage/plugin-catalog-backend'));
  backend.add(
    import('@backstage/plugin-catalog-backend-module-scaffolder-entity-model'),
  );
  backend.add(import('@backstage/plugin-catalog-backend-module-logs'));

  // Permissions, decided by this portal's own policy.
  backend.add(import('@backstage/plugin-permission-backend'));
  backend.add(import('./modules/permissionPolicy/module'));

  backend.add(import('@backstage/plugin-scaffolder-backend'));
  // Pull requests from templates, where a GitHub integration is configured.
  backend.add(import('@backstage/plugin-scaffolder-backend-module-github'));
  backend.add(
    import(
      '@observability-ir/plugin-scaffolder-backend-module-observability-ir'
    ),
  );

  backend.add(import('@backstage/plugin-search-backend'));
  backend.add(import('@backstage/plugin-search-backend-module-catalog'));

  backend.add(import('@backstage/plugin-kubernetes-backend'));

  // User settings, kept in sync across tabs through signals.
  backend.add(import('@backstage/plugin-user-settings-backend'));
  backend.add(import('@backstage/plugin-signals-backend'));
  // Notifications (the owners of OOMKilled entities), live through signals.
  backend.add(import('@backstage/plugin-notifications-backend'));

  backend.add(import('@observability-ir/plugin-observability-ir-backend'));

  return backend;
}
