import { RESOURCES, ResourceType } from './resources';

/** Server version: the sandbox speaks the 1.32 API. */
export const VERSION_INFO = {
  major: '1',
  minor: '32',
  gitVersion: 'v1.32.4',
  gitCommit: '59526cd4867447956156ae3a602fcbac5d7a37d4',
  gitTreeState: 'clean',
  buildDate: '2025-04-22T16:03:04Z',
  goVersion: 'go1.23.6',
  compiler: 'gc',
  platform: 'linux/amd64',
};

function groups() {
  const names = [...new Set(RESOURCES.map(r => r.group).filter(Boolean))];
  return names.map(name => {
    const versions = [
      ...new Set(RESOURCES.filter(r => r.group === name).map(r => r.version)),
    ];
    return {
      name,
      versions: versions.map(v => ({
        groupVersion: `${name}/${v}`,
        version: v,
      })),
      preferredVersion: {
        groupVersion: `${name}/${versions[0]}`,
        version: versions[0],
      },
    };
  });
}

export function apiVersions() {
  return {
    kind: 'APIVersions',
    versions: ['v1'],
    serverAddressByClientCIDRs: [
      { clientCIDR: '0.0.0.0/0', serverAddress: '127.0.0.1:6443' },
    ],
  };
}

export function apiGroupList() {
  return { kind: 'APIGroupList', apiVersion: 'v1', groups: groups() };
}

export function apiGroup(name: string) {
  const group = groups().find(g => g.name === name);
  return group ? { kind: 'APIGroup', apiVersion: 'v1', ...group } : undefined;
}

const SUBRESOURCES: Record<
  string,
  Array<{ name: string; kind: string; verbs: string[] }>
> = {
  pods: [
    { name: 'log', kind: 'Pod', verbs: ['get'] },
    { name: 'status', kind: 'Pod', verbs: ['get'] },
  ],
  deployments: [{ name: 'status', kind: 'Deployment', verbs: ['get'] }],
  jobs: [{ name: 'status', kind: 'Job', verbs: ['get'] }],
  statefulsets: [{ name: 'status', kind: 'StatefulSet', verbs: ['get'] }],
  daemonsets: [{ name: 'status', kind: 'DaemonSet', verbs: ['get'] }],
  horizontalpodautoscalers: [
    { name: 'status', kind: 'HorizontalPodAutoscaler', verbs: ['get'] },
  ],
  cronjobs: [{ name: 'status', kind: 'CronJob', verbs: ['get'] }],
};

function resourceEntries(r: ResourceType) {
  const main = {
    name: r.plural,
    singularName: r.singular,
    namespaced: r.namespaced,
    kind: r.kind,
    verbs: r.verbs,
    ...(r.shortNames ? { shortNames: r.shortNames } : {}),
    ...(r.categories ? { categories: r.categories } : {}),
    storageVersionHash: Buffer.from(`${r.group}/${r.plural}`)
      .toString('base64')
      .slice(0, 11),
  };
  const subs = (SUBRESOURCES[r.plural] ?? []).map(s => ({
    name: `${r.plural}/${s.name}`,
    singularName: '',
    namespaced: r.namespaced,
    kind: s.kind,
    verbs: s.verbs,
  }));
  return [main, ...subs];
}

/** The APIResourceList of a group version, or undefined if not served. */
export function apiResourceList(group: string, version: string) {
  const resources = RESOURCES.filter(
    r => r.group === group && r.version === version,
  );
  if (!resources.length) {
    return undefined;
  }
  return {
    kind: 'APIResourceList',
    apiVersion: 'v1',
    groupVersion: group ? `${group}/${version}` : version,
    resources: resources.flatMap(resourceEntries),
  };
}
