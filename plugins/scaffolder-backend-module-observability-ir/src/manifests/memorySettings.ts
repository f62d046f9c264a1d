import { ConflictError, InputError } from '@backstage/errors';
import { posix } from 'node:path';
import YAML, {
  Document,
  isMap,
  isScalar,
  isSeq,
  Pair,
  Scalar,
  visit,
  YAMLMap,
} from 'yaml';
import { editInsideLiteralBlock } from './literalBlock';
import { editSettings, ScalarSettings } from './settingsEdits';
import { applyTextEdits, columnOf } from './textEdits';
import { verifyEdit } from './verifyEdit';
import {
  ContainerLocation,
  ContainerSelector,
  describeMissingContainer,
  describeWorkload,
  findContainers,
} from './workloads';

/**
 * Where a container's memory settings live in a file: the map that holds
 * them (a container, or the root of a Helm values file) and the keys below
 * it. For a Kustomize inline patch, the map is inside the patch text.
 */
export interface MemorySettingsSite {
  /** The YAML text the map was parsed from: the file, or an inline patch. */
  source: string;
  docs: Document.Parsed[];
  docIndex: number;
  mapPath: Array<string | number>;
  map: YAMLMap;
  limitKeys: string[];
  /** Absent when a Helm `valuesPath` leaves the request's place unknown. */
  requestKeys?: string[];
  /** Manifests get `resources.limits` when missing; Helm values never. */
  createMissing: boolean;
  /** For messages: "container app of Deployment web in deploy/app.yaml". */
  where: string;
  /** For an inline patch: where its text is in the file. */
  inlinePatch?: {
    docIndex: number;
    path: Array<string | number>;
    scalar: Scalar;
    what: string;
  };
}

/** The memory settings a file holds now, as written. */
export interface MemorySettings {
  limit?: string;
  request?: string;
}

/** Where to look: the file (for messages), the container, Helm's path. */
export interface MemorySettingsQuery {
  file: string;
  selector: ContainerSelector;
  /** Dot-separated path of the limit in a Helm values file. */
  valuesPath?: string;
}

const LIMIT_KEYS = ['resources', 'limits', 'memory'];
const REQUEST_KEYS = ['resources', 'requests', 'memory'];
const DEFAULT_VALUES_PATH = LIMIT_KEYS.join('.');
const KUSTOMIZATION_FILES = [
  'kustomization.yaml',
  'kustomization.yml',
  'Kustomization',
];

function parseDocuments(source: string, what: string): Document.Parsed[] {
  const docs = YAML.parseAllDocuments(source);
  const broken = docs.find(doc => doc.errors.length > 0);
  if (broken) {
    throw new InputError(
      `${what} is not valid YAML: ${broken.errors[0].message}`,
    );
  }
  return docs;
}

/**
 * The value of a scalar below a map as written (`1Gi`, `1073741824`), or
 * undefined when it is absent or empty.
 */
function readScalar(map: YAMLMap, keys: string[], where: string) {
  const node = map.getIn(keys, true);
  if (node === undefined || node === null) {
    return undefined;
  }
  if (!isScalar(node)) {
    throw new InputError(
      `${keys.join('.')} of ${where} is not a single value; edit it by hand`,
    );
  }
  return node.value === null ? undefined : String(node.value);
}

/** The memory limit and request a site holds now. */
export function readMemorySettings(site: MemorySettingsSite): MemorySettings {
  return {
    limit: readScalar(site.map, site.limitKeys, site.where),
    request: site.requestKeys
      ? readScalar(site.map, site.requestKeys, site.where)
      : undefined,
  };
}

/**
 * The one container to edit among several matches: the only one that
 * already sets a memory limit (a kustomization may patch a container twice,
 * once for its resources), else none.
 */
function pickContainer<T extends { location: ContainerLocation }>(
  candidates: T[],
  selector: ContainerSelector,
  file: string,
): T | undefined {
  if (candidates.length <= 1) {
    return candidates[0];
  }
  const withLimit = candidates.filter(
    candidate => candidate.location.map.getIn(LIMIT_KEYS) !== undefined,
  );
  if (withLimit.length === 1) {
    return withLimit[0];
  }
  const hint = selector.kind
    ? 'edit it by hand'
    : 'give workloadKind to choose one';
  throw new ConflictError(
    `${candidates.length} places in ${file} set container ${
      selector.container
    } of ${describeWorkload(selector)}; ${hint}`,
  );
}

function containerSite(
  location: ContainerLocation,
  source: string,
  docs: Document.Parsed[],
  query: MemorySettingsQuery,
): MemorySettingsSite {
  return {
    source,
    docs,
    docIndex: location.docIndex,
    mapPath: location.path,
    map: location.map,
    limitKeys: LIMIT_KEYS,
    requestKeys: REQUEST_KEYS,
    createMissing: true,
    where: `container ${query.selector.container} of ${location.kind} ${query.selector.name} in ${query.file}`,
  };
}

function locateInManifests(
  source: string,
  docs: Document.Parsed[],
  query: MemorySettingsQuery,
): MemorySettingsSite {
  const search = findContainers(docs, query.selector);
  const picked = pickContainer(
    search.containers.map(location => ({ location })),
    query.selector,
    query.file,
  );
  if (!picked) {
    throw new InputError(
      describeMissingContainer(query.selector, query.file, search.workloads),
    );
  }
  return containerSite(picked.location, source, docs, query);
}

/**
 * A container in one of the inline strategic-merge patches of a
 * kustomization (`patches: [{ patch: |- ... }]`).
 */
function locateInKustomization(
  docs: Document.Parsed[],
  query: MemorySettingsQuery,
): MemorySettingsSite {
  const docIndex = Math.max(
    0,
    docs.findIndex(doc => doc.get('kind') === 'Kustomization'),
  );
  const patches = docs[docIndex].get('patches', true);
  const candidates: Array<{
    location: ContainerLocation;
    site: MemorySettingsSite;
  }> = [];
  const patchFiles: string[] = [];
  const workloads: ReturnType<typeof findContainers>['workloads'] = [];

  (isSeq(patches) ? patches.items : []).forEach((entry, index) => {
    if (!isMap(entry)) {
      return;
    }
    const patchFile = entry.get('path');
    if (typeof patchFile === 'string') {
      patchFiles.push(posix.join(posix.dirname(query.file), patchFile));
    }
    const patch = entry.get('patch', true);
    if (!isScalar(patch) || typeof patch.value !== 'string') {
      return;
    }
    const what = `the inline patch patches[${index}] of ${query.file}`;
    const patchDocs = YAML.parseAllDocuments(patch.value);
    if (patchDocs.some(doc => doc.errors.length > 0)) {
      return;
    }
    const search = findContainers(patchDocs, query.selector);
    workloads.push(...search.workloads);
    for (const location of search.containers) {
      const site = containerSite(location, patch.value, patchDocs, {
        ...query,
        file: what,
      });
      site.inlinePatch = {
        docIndex,
        path: ['patches', index, 'patch'],
        scalar: patch,
        what,
      };
      candidates.push({ location, site });
    }
  });

  const picked = pickContainer(candidates, query.selector, query.file);
  if (!picked) {
    const hint =
      patchFiles.length > 0
        ? `; its patches from files (${patchFiles.join(
            ', ',
          )}) are edited by giving one of them as path`
        : '';
    throw new InputError(
      `${describeMissingContainer(
        query.selector,
        `the inline patches of ${query.file}`,
        workloads,
      )}${hint}`,
    );
  }
  return picked.site;
}

/**
 * The limit at `valuesPath` (default `resources.limits.memory`) of a Helm
 * values file, and the request beside it when the path ends in
 * `limits.memory`. The path must exist: a chart reads its own keys, and a
 * key it does not read would change nothing.
 */
function locateInHelmValues(
  source: string,
  docs: Document.Parsed[],
  query: MemorySettingsQuery,
): MemorySettingsSite {
  const valuesPath = query.valuesPath ?? DEFAULT_VALUES_PATH;
  const keys = valuesPath.split('.');
  if (keys.some(key => key.trim() === '')) {
    throw new InputError(
      `valuesPath "${valuesPath}" is not a dot-separated path such as checkoutApi.resources.limits.memory`,
    );
  }
  const root = docs.length === 1 ? docs[0].contents : undefined;
  if (!isMap(root)) {
    throw new InputError(
      `${query.file} names no Kubernetes kind and is not a Helm values file (one YAML map)`,
    );
  }
  const parent = keys.length > 1 ? root.getIn(keys.slice(0, -1), true) : root;
  const present =
    isMap(parent) &&
    parent.items.some(
      (pair: Pair<unknown, unknown>) =>
        isScalar(pair.key) && String(pair.key.value) === keys[keys.length - 1],
    );
  if (!present) {
    throw new InputError(
      `${query.file} has no ${valuesPath}; give the valuesPath of the memory limit your chart reads, such as checkoutApi.resources.limits.memory`,
    );
  }
  const endsInLimit = keys.slice(-2).join('.') === 'limits.memory';
  return {
    source,
    docs,
    docIndex: 0,
    mapPath: [],
    map: root,
    limitKeys: keys,
    requestKeys: endsInLimit
      ? [...keys.slice(0, -2), 'requests', 'memory']
      : undefined,
    createMissing: false,
    where: `the Helm values ${query.file}`,
  };
}

/**
 * Where the selected container's memory settings are in a file: a
 * manifest (one document or several), a strategic-merge patch, an inline
 * patch of a kustomization, or a Helm values file (a file with no `kind`).
 */
export function locateMemorySettings(
  source: string,
  query: MemorySettingsQuery,
): MemorySettingsSite {
  const docs = parseDocuments(source, query.file);
  const isKustomization =
    KUSTOMIZATION_FILES.includes(posix.basename(query.file)) ||
    docs.some(doc => doc.get('kind') === 'Kustomization');
  const hasKinds = docs.some(doc => isMap(doc.contents) && doc.has('kind'));
  if ((isKustomization || hasKinds) && query.valuesPath !== undefined) {
    throw new InputError(
      `valuesPath is for Helm values files; ${query.file} holds Kubernetes manifests`,
    );
  }
  if (isKustomization) {
    return locateInKustomization(docs, query);
  }
  if (hasKinds) {
    return locateInManifests(source, docs, query);
  }
  return locateInHelmValues(source, docs, query);
}

/** Spaces per nesting level in a document, from its first nested block map. */
function indentStepOf(source: string, doc: Document): number {
  let step = 2;
  visit(doc, {
    Pair(_, pair) {
      const child = pair.value;
      if (
        isScalar(pair.key) &&
        pair.key.range &&
        isMap(child) &&
        !child.flow &&
        isScalar(child.items[0]?.key) &&
        child.items[0].key.range
      ) {
        const nested =
          columnOf(source, child.items[0].key.range[0]) -
          columnOf(source, pair.key.range[0]);
        if (nested > 0) {
          step = nested;
          return visit.BREAK;
        }
      }
      return undefined;
    },
  });
  return step;
}

function nestSettings(
  entries: Array<[string[] | undefined, string | undefined]>,
): ScalarSettings {
  const settings: ScalarSettings = {};
  for (const [keys, text] of entries) {
    if (!keys || text === undefined) {
      continue;
    }
    let node = settings;
    keys.slice(0, -1).forEach(key => {
      node[key] = (node[key] as ScalarSettings | undefined) ?? {};
      node = node[key] as ScalarSettings;
    });
    node[keys[keys.length - 1]] = text;
  }
  return settings;
}

/**
 * The file's text with the memory limit and/or request of a site set, and
 * every other byte as it was. Checked by reading the result back.
 */
export function editMemorySettings(
  fileSource: string,
  site: MemorySettingsSite,
  change: MemorySettings,
): string {
  if (change.request !== undefined && !site.requestKeys) {
    throw new InputError(
      `cannot set a memory request in ${site.where}: its valuesPath does not end in limits.memory, so the request's place is unknown`,
    );
  }
  const settings = nestSettings([
    [site.limitKeys, change.limit],
    [site.requestKeys, change.request],
  ]);
  const { edits, sets } = editSettings(site.map, settings, {
    source: site.source,
    createMissing: site.createMissing,
    indentStep: indentStepOf(site.source, site.docs[site.docIndex]),
    where: site.where,
  });
  const edited = applyTextEdits(site.source, edits);
  verifyEdit(
    site.source,
    edited,
    sets.map(set => ({
      docIndex: site.docIndex,
      path: [...site.mapPath, ...set.keys],
      value: set.value,
    })),
    site.where,
  );
  if (!site.inlinePatch) {
    return edited;
  }
  const { inlinePatch } = site;
  const fileEdited = applyTextEdits(
    fileSource,
    editInsideLiteralBlock(
      fileSource,
      inlinePatch.scalar,
      edits,
      inlinePatch.what,
    ),
  );
  verifyEdit(
    fileSource,
    fileEdited,
    [{ docIndex: inlinePatch.docIndex, path: inlinePatch.path, value: edited }],
    inlinePatch.what,
  );
  return fileEdited;
}
