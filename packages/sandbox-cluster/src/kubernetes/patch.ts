/** JSON merge patch (RFC 7386) and a strategic merge patch subset. */

type Json = any;

function isObject(v: unknown): v is Record<string, Json> {
  return typeof v === 'object' && v !== null && !Array.isArray(v);
}

/** RFC 7386: objects merge recursively, null deletes, anything else replaces. */
export function jsonMergePatch(target: Json, patch: Json): Json {
  if (!isObject(patch)) {
    return patch;
  }
  const result: Record<string, Json> = isObject(target) ? { ...target } : {};
  for (const [key, value] of Object.entries(patch)) {
    if (value === null) {
      delete result[key];
    } else {
      result[key] = jsonMergePatch(result[key], value);
    }
  }
  return result;
}

/**
 * Merge keys of the list fields kubectl patches in the objects this server
 * stores; lists not listed here are replaced, as in the real schema.
 */
const MERGE_KEYS: Record<string, string> = {
  containers: 'name',
  initContainers: 'name',
  ephemeralContainers: 'name',
  env: 'name',
  volumes: 'name',
  volumeMounts: 'mountPath',
  ports: 'containerPort',
  imagePullSecrets: 'name',
  tolerations: 'key',
  ownerReferences: 'uid',
  conditions: 'type',
};

function mergeList(key: string, target: Json[], patch: Json[]): Json[] {
  const mergeKey = MERGE_KEYS[key];
  if (!mergeKey || !patch.every(isObject)) {
    return patch.filter(item => !(isObject(item) && '$patch' in item));
  }
  if (patch.some(item => isObject(item) && item.$patch === 'replace')) {
    return patch.filter(item => item.$patch !== 'replace');
  }
  const result = target.map(item => item);
  for (const item of patch) {
    const index = result.findIndex(
      t => isObject(t) && t[mergeKey] === item[mergeKey],
    );
    if (item.$patch === 'delete') {
      if (index >= 0) {
        result.splice(index, 1);
      }
    } else if (index >= 0) {
      result[index] = strategicMergePatch(result[index], item);
    } else {
      result.push(strategicMergePatch({}, item));
    }
  }
  return result;
}

/**
 * Strategic merge patch as kubectl sends it: objects merge, lists with a
 * merge key merge by that key, `$patch` and `$setElementOrder` directives
 * are honoured or ignored sensibly, `$retainKeys` is ignored.
 */
export function strategicMergePatch(target: Json, patch: Json): Json {
  if (!isObject(patch)) {
    return patch;
  }
  if (patch.$patch === 'replace') {
    const { $patch, ...rest } = patch;
    return rest;
  }
  const result: Record<string, Json> = isObject(target) ? { ...target } : {};
  const deletions: Record<string, Json[]> = {};
  for (const [key, value] of Object.entries(patch)) {
    if (key.startsWith('$deleteFromPrimitiveList/')) {
      deletions[key.slice('$deleteFromPrimitiveList/'.length)] =
        value as Json[];
      continue;
    }
    if (key.startsWith('$')) {
      continue;
    }
    if (value === null) {
      delete result[key];
    } else if (Array.isArray(value)) {
      result[key] = mergeList(
        key,
        Array.isArray(result[key]) ? result[key] : [],
        value,
      );
    } else if (isObject(value)) {
      result[key] = strategicMergePatch(result[key], value);
    } else {
      result[key] = value;
    }
  }
  for (const [key, values] of Object.entries(deletions)) {
    if (Array.isArray(result[key])) {
      result[key] = result[key].filter((v: Json) => !values.includes(v));
    }
  }
  return result;
}

/** RFC 6902 JSON patch (add, remove, replace, test) for completeness. */
export function jsonPatch(target: Json, operations: Json[]): Json {
  const doc = JSON.parse(JSON.stringify(target));
  for (const op of operations) {
    const path = String(op.path ?? '')
      .split('/')
      .slice(1)
      .map((s: string) => s.replace(/~1/g, '/').replace(/~0/g, '~'));
    const last = path.pop();
    let parent: Json = doc;
    for (const segment of path) {
      parent = parent?.[Array.isArray(parent) ? Number(segment) : segment];
    }
    if (parent === undefined || last === undefined) {
      throw new Error(`path ${op.path} does not exist`);
    }
    const key = Array.isArray(parent) && last !== '-' ? Number(last) : last;
    if (op.op === 'add') {
      if (Array.isArray(parent)) {
        parent.splice(
          key === '-' ? parent.length : (key as number),
          0,
          op.value,
        );
      } else {
        parent[key] = op.value;
      }
    } else if (op.op === 'replace') {
      parent[key] = op.value;
    } else if (op.op === 'remove') {
      if (Array.isArray(parent)) parent.splice(key as number, 1);
      else delete parent[key];
    } else if (op.op === 'test') {
      if (JSON.stringify(parent[key]) !== JSON.stringify(op.value)) {
        throw new Error(`test operation failed at ${op.path}`);
      }
    } else {
      throw new Error(`unsupported JSON patch operation "${op.op}"`);
    }
  }
  return doc;
}
