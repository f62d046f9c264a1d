import { Document, isMap, isSeq, YAMLMap } from 'yaml';

/**
 * The workload kinds whose pod template the actions edit.
 *
 * @public
 */
export const WORKLOAD_KINDS = [
  'Deployment',
  'StatefulSet',
  'DaemonSet',
] as const;

/**
 * One of {@link WORKLOAD_KINDS}.
 *
 * @public
 */
export type WorkloadKind = (typeof WORKLOAD_KINDS)[number];

/** The container to edit: of a workload of a kind (any when absent), by name. */
export interface ContainerSelector {
  kind?: WorkloadKind;
  name: string;
  container: string;
}

/** A container found in a document, with the path to its map. */
export interface ContainerLocation {
  docIndex: number;
  kind: WorkloadKind;
  path: Array<string | number>;
  map: YAMLMap;
}

/** What a search found: the containers, and the workloads of that name. */
export interface ContainerSearch {
  containers: ContainerLocation[];
  workloads: Array<{ kind: WorkloadKind; containerNames: string[] }>;
}

const CONTAINERS_PATH = ['spec', 'template', 'spec', 'containers'];

function isWorkloadKind(kind: unknown): kind is WorkloadKind {
  return (WORKLOAD_KINDS as readonly unknown[]).includes(kind);
}

/**
 * The selected container in each document that holds it: full manifests
 * and strategic-merge patches alike, since both name the workload in
 * `metadata.name` and its containers in `spec.template.spec.containers`.
 */
export function findContainers(
  docs: Document[],
  selector: ContainerSelector,
): ContainerSearch {
  const search: ContainerSearch = { containers: [], workloads: [] };
  docs.forEach((doc, docIndex) => {
    const kind = doc.get('kind');
    if (
      !isWorkloadKind(kind) ||
      (selector.kind && kind !== selector.kind) ||
      doc.getIn(['metadata', 'name']) !== selector.name
    ) {
      return;
    }
    const containers = doc.getIn(CONTAINERS_PATH, true);
    const items = isSeq(containers) ? containers.items : [];
    const containerNames: string[] = [];
    items.forEach((item, index) => {
      if (!isMap(item)) {
        return;
      }
      const name = item.get('name');
      containerNames.push(String(name));
      if (name === selector.container) {
        search.containers.push({
          docIndex,
          kind,
          path: [...CONTAINERS_PATH, index],
          map: item,
        });
      }
    });
    search.workloads.push({ kind, containerNames });
  });
  return search;
}

/** "Deployment web", or "Deployment, StatefulSet or DaemonSet named web". */
export function describeWorkload(selector: ContainerSelector): string {
  return selector.kind
    ? `${selector.kind} ${selector.name}`
    : `Deployment, StatefulSet or DaemonSet named ${selector.name}`;
}

/**
 * Why no container matched: "no Deployment named web with a container api
 * in deploy/app.yaml", with the containers the workload has when it is there.
 */
export function describeMissingContainer(
  selector: ContainerSelector,
  file: string,
  workloads: ContainerSearch['workloads'],
): string {
  const kinds = selector.kind ?? 'Deployment, StatefulSet or DaemonSet';
  const found = workloads
    .map(
      workload =>
        `${workload.kind} ${selector.name} has ${
          workload.containerNames.length > 0
            ? `containers ${workload.containerNames.join(', ')}`
            : 'no containers'
        }`,
    )
    .join('; ');
  return `no ${kinds} named ${selector.name} with a container ${
    selector.container
  } in ${file}${found ? ` (${found})` : ''}`;
}
