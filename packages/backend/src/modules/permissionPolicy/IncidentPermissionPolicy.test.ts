import {
  AuthorizeResult,
  createPermission,
} from '@backstage/plugin-permission-common';
import { PolicyQueryUser } from '@backstage/plugin-permission-node';
import {
  catalogEntityCreatePermission,
  catalogEntityDeletePermission,
  catalogEntityReadPermission,
  catalogEntityRefreshPermission,
  catalogLocationCreatePermission,
  catalogLocationDeletePermission,
} from '@backstage/plugin-catalog-common/alpha';
import {
  incidentReadPermission,
  observabilityIrFleetReadPermission,
  observabilityIrForensicsRunPermission,
} from '@observability-ir/plugin-observability-ir-common';
import { ConfigReader } from '@backstage/config';
import {
  IncidentPermissionPolicy,
  readRestrictions,
} from './IncidentPermissionPolicy';

function user(ownershipEntityRefs: string[]): PolicyQueryUser {
  const userEntityRef = ownershipEntityRefs[0];
  return {
    info: { userEntityRef, ownershipEntityRefs },
    credentials: {
      $$type: '@backstage/BackstageCredentials',
      principal: { type: 'user', userEntityRef },
    },
  };
}

// The demo's guest, on call for the finance team, and a platform engineer.
const guest = user(['user:default/guest', 'group:default/finance-team']);
const platformEngineer = user([
  'user:default/jonas.berg',
  'group:default/platform-team',
]);

const kubernetesProxyPermission = createPermission({
  name: 'kubernetes.proxy',
  attributes: {},
});
const kubernetesResourcesReadPermission = createPermission({
  name: 'kubernetes.resources.read',
  attributes: { action: 'read' },
});
const scaffolderTaskReadPermission = createPermission({
  name: 'scaffolder.task.read',
  attributes: { action: 'read' },
  resourceType: 'scaffolder-task',
});

const catalogWrites = [
  catalogEntityCreatePermission,
  catalogEntityDeletePermission,
  catalogEntityRefreshPermission,
  catalogLocationCreatePermission,
  catalogLocationDeletePermission,
];

describe('IncidentPermissionPolicy', () => {
  const policy = new IncidentPermissionPolicy({
    platformTeamRefs: ['group:default/platform-team'],
  });

  it('denies a permission it does not know, even to platform teams', async () => {
    const unknown = createPermission({
      name: 'some-plugin.secret.read',
      attributes: { action: 'read' },
    });
    for (const who of [guest, platformEngineer]) {
      expect(await policy.handle({ permission: unknown }, who)).toEqual({
        result: AuthorizeResult.DENY,
      });
    }
  });

  it('denies names of object prototype properties instead of failing', async () => {
    const permission = createPermission({
      name: 'constructor',
      attributes: {},
    });
    expect(await policy.handle({ permission }, platformEngineer)).toEqual({
      result: AuthorizeResult.DENY,
    });
  });

  it('denies everything to callers without a user, the unauthenticated', async () => {
    for (const permission of [
      catalogEntityReadPermission,
      kubernetesResourcesReadPermission,
      incidentReadPermission,
      observabilityIrForensicsRunPermission,
    ]) {
      expect(await policy.handle({ permission })).toEqual({
        result: AuthorizeResult.DENY,
      });
    }
  });

  it('lets every signed-in user read the catalog and the Kubernetes tab', async () => {
    for (const permission of [
      catalogEntityReadPermission,
      kubernetesResourcesReadPermission,
    ]) {
      expect(await policy.handle({ permission }, guest)).toEqual({
        result: AuthorizeResult.ALLOW,
      });
    }
  });

  it.each(catalogWrites.map(p => [p.name, p]))(
    'keeps %s to platform teams',
    async (_, permission) => {
      expect(await policy.handle({ permission }, guest)).toEqual({
        result: AuthorizeResult.DENY,
      });
      expect(await policy.handle({ permission }, platformEngineer)).toEqual({
        result: AuthorizeResult.ALLOW,
      });
    },
  );

  it('keeps the raw Kubernetes proxy to platform teams', async () => {
    const permission = kubernetesProxyPermission;
    expect(await policy.handle({ permission }, guest)).toEqual({
      result: AuthorizeResult.DENY,
    });
    expect(await policy.handle({ permission }, platformEngineer)).toEqual({
      result: AuthorizeResult.ALLOW,
    });
  });

  it('limits incident data to the entities a user owns', async () => {
    const decision = await policy.handle(
      { permission: incidentReadPermission },
      guest,
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

  it('lets platform teams read every entity incident', async () => {
    const decision = await policy.handle(
      { permission: incidentReadPermission },
      platformEngineer,
    );
    expect(decision).toEqual({ result: AuthorizeResult.ALLOW });
  });

  it('lets only the owners of an entity run node forensics on its pods', async () => {
    const decision = await policy.handle(
      { permission: observabilityIrForensicsRunPermission },
      guest,
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

  it('lets platform teams run node forensics on every entity', async () => {
    const decision = await policy.handle(
      { permission: observabilityIrForensicsRunPermission },
      platformEngineer,
    );
    expect(decision).toEqual({ result: AuthorizeResult.ALLOW });
  });

  it('shows the fleet pages to members of the platform team only', async () => {
    const permission = observabilityIrFleetReadPermission;
    expect(await policy.handle({ permission }, guest)).toEqual({
      result: AuthorizeResult.DENY,
    });
    expect(await policy.handle({ permission }, platformEngineer)).toEqual({
      result: AuthorizeResult.ALLOW,
    });
    // Owning services is not enough: the pages show every team's pods.
    const serviceOwner = user([
      'user:default/mara.lind',
      'group:default/storefront-team',
    ]);
    expect(await policy.handle({ permission }, serviceOwner)).toEqual({
      result: AuthorizeResult.DENY,
    });
    expect(await policy.handle({ permission })).toEqual({
      result: AuthorizeResult.DENY,
    });
  });

  it('shows users only the Software Template tasks they started', async () => {
    const decision = await policy.handle(
      { permission: scaffolderTaskReadPermission },
      guest,
    );
    expect(decision).toEqual({
      result: AuthorizeResult.CONDITIONAL,
      pluginId: 'scaffolder',
      resourceType: 'scaffolder-task',
      conditions: {
        rule: 'IS_TASK_OWNER',
        resourceType: 'scaffolder-task',
        params: { createdBy: ['user:default/guest'] },
      },
    });
  });

  it('takes the platform teams from its options', async () => {
    const financeRunsThePlatform = new IncidentPermissionPolicy({
      platformTeamRefs: ['group:default/finance-team'],
    });
    const permission = kubernetesProxyPermission;
    expect(await financeRunsThePlatform.handle({ permission }, guest)).toEqual({
      result: AuthorizeResult.ALLOW,
    });
    expect(
      await financeRunsThePlatform.handle({ permission }, platformEngineer),
    ).toEqual({ result: AuthorizeResult.DENY });
  });

  describe('restricted groups', () => {
    /** `permission.restrictedGroups` with one group and what it withholds. */
    const restrictions = (group: string, withhold: string[]) =>
      readRestrictions(
        new ConfigReader({
          permission: { restrictedGroups: [{ group, withhold }] },
        }),
      );

    // On the finance team and so an owner of its services, but a contractor.
    const contractor = user([
      'user:default/finance-contractor',
      'group:default/finance-team',
      'group:default/finance-contractors',
    ]);
    const restricted = new IncidentPermissionPolicy({
      platformTeamRefs: ['group:default/platform-team'],
      restrictions: restrictions('group:default/finance-contractors', [
        'observability-ir.forensics.run',
        'observability-ir.memory-limit.apply',
      ]),
    });

    it('refuses what a restriction withholds to its members, owners or not', async () => {
      expect(
        await restricted.handle(
          { permission: observabilityIrForensicsRunPermission },
          contractor,
        ),
      ).toEqual({ result: AuthorizeResult.DENY });
      // What it does not withhold is decided as for any owner.
      expect(
        await restricted.handle(
          { permission: incidentReadPermission },
          contractor,
        ),
      ).toMatchObject({
        result: AuthorizeResult.CONDITIONAL,
        conditions: { rule: 'IS_ENTITY_OWNER' },
      });
      // Their teammates keep the grant.
      expect(
        await restricted.handle(
          { permission: observabilityIrForensicsRunPermission },
          guest,
        ),
      ).toMatchObject({ result: AuthorizeResult.CONDITIONAL });
    });

    it('wins over membership of a platform team', async () => {
      const both = user([
        'user:default/temp.admin',
        'group:default/platform-team',
        'group:default/finance-contractors',
      ]);
      expect(
        await restricted.handle(
          { permission: observabilityIrForensicsRunPermission },
          both,
        ),
      ).toEqual({ result: AuthorizeResult.DENY });
      expect(
        await restricted.handle(
          { permission: kubernetesProxyPermission },
          both,
        ),
      ).toEqual({ result: AuthorizeResult.ALLOW });
    });

    it('matches the group whatever the case of the configured ref', async () => {
      const shouting = new IncidentPermissionPolicy({
        platformTeamRefs: [],
        restrictions: restrictions('group:default/Finance-Contractors', [
          'observability-ir.forensics.run',
        ]),
      });
      expect(
        await shouting.handle(
          { permission: observabilityIrForensicsRunPermission },
          contractor,
        ),
      ).toEqual({ result: AuthorizeResult.DENY });
    });

    it('refuses a configuration that names a permission it does not grant', () => {
      expect(() =>
        restrictions('group:default/finance-contractors', [
          'observability-ir.forensic.run',
        ]),
      ).toThrow(
        'permission.restrictedGroups[0].withhold names permissions this portal does not grant: observability-ir.forensic.run',
      );
    });

    it('refuses a group that is not a group entity ref', () => {
      expect(() =>
        restrictions('finance-contractors', ['observability-ir.forensics.run']),
      ).toThrow(/must be a group entity ref/);
      expect(readRestrictions(new ConfigReader({}))).toEqual([]);
    });
  });
});
