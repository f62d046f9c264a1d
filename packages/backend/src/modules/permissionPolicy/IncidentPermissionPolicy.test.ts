import { AuthorizeResult } from '@backstage/plugin-permission-common';
import { PolicyQueryUser } from '@backstage/plugin-permission-node';
import { catalogEntityDeletePermission } from '@backstage/plugin-catalog-common/alpha';
import { incidentReadPermission } from '@observability-ir/plugin-observability-ir-common';
import { IncidentPermissionPolicy } from './IncidentPermissionPolicy';

function user(ownershipEntityRefs: string[]): PolicyQueryUser {
  return {
    identity: {
      type: 'user',
      userEntityRef: ownershipEntityRefs[0],
      ownershipEntityRefs,
    },
    info: { userEntityRef: ownershipEntityRefs[0], ownershipEntityRefs },
    token: 'token',
    credentials: {
      $$type: '@backstage/BackstageCredentials',
      principal: { type: 'user', userEntityRef: ownershipEntityRefs[0] },
    },
  } as PolicyQueryUser;
}

describe('IncidentPermissionPolicy', () => {
  const policy = new IncidentPermissionPolicy({
    platformTeamRefs: ['group:default/platform-team'],
  });

  it('lets platform team members read every entity incident', async () => {
    const decision = await policy.handle(
      { permission: incidentReadPermission },
      user(['user:default/jonas.berg', 'group:default/platform-team']),
    );
    expect(decision).toEqual({ result: AuthorizeResult.ALLOW });
  });

  it('limits everyone else to the incidents of entities they own', async () => {
    const decision = await policy.handle(
      { permission: incidentReadPermission },
      user(['user:default/guest', 'group:default/finance-team']),
    );
    expect(decision).toEqual({
      result: AuthorizeResult.CONDITIONAL,
      pluginId: 'catalog',
      resourceType: 'catalog-entity',
      conditions: {
        rule: 'IS_ENTITY_OWNER',
        resourceType: 'catalog-entity',
        params: {
          claims: ['user:default/guest', 'group:default/finance-team'],
        },
      },
    });
  });

  it('allows backend services, which act without a user', async () => {
    const decision = await policy.handle({
      permission: incidentReadPermission,
    });
    expect(decision).toEqual({ result: AuthorizeResult.ALLOW });
  });

  it('leaves other permissions allowed', async () => {
    const decision = await policy.handle(
      { permission: catalogEntityDeletePermission },
      user(['user:default/guest']),
    );
    expect(decision).toEqual({ result: AuthorizeResult.ALLOW });
  });
});
