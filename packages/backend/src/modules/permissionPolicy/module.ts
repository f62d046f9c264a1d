import {
  coreServices,
  createBackendModule,
} from '@backstage/backend-plugin-api';
import { policyExtensionPoint } from '@backstage/plugin-permission-node/alpha';
import {
  IncidentPermissionPolicy,
  readRestrictions,
} from './IncidentPermissionPolicy';

/**
 * Installs {@link IncidentPermissionPolicy}. The platform teams, which hold
 * every grant, come from `permission.platformTeams` (group entity refs),
 * `group:default/platform-team` when unset; the permissions withheld from
 * some groups' members come from `permission.restrictedGroups`.
 */
export default createBackendModule({
  pluginId: 'permission',
  moduleId: 'incident-policy',
  register(reg) {
    reg.registerInit({
      deps: { policy: policyExtensionPoint, config: coreServices.rootConfig },
      async init({ policy, config }) {
        const platformTeamRefs = config.getOptionalStringArray(
          'permission.platformTeams',
        ) ?? ['group:default/platform-team'];
        policy.setPolicy(
          new IncidentPermissionPolicy({
            platformTeamRefs,
            restrictions: readRestrictions(config),
          }),
        );
      },
    });
  },
});
