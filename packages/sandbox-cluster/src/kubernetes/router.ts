import YAML from 'yaml';
import { ClusterWorld } from '../world/cluster';
import { HttpRequest, HttpResponse, json } from '../server/types';
import {
  apiGroup,
  apiGroupList,
  apiResourceList,
  apiVersions,
  VERSION_INFO,
} from './discovery';
import { openApiResponse } from './openapi';
import { jsonMergePatch, jsonPatch, strategicMergePatch } from './patch';
import { podLogResponse } from './podLogs';
import { K8sObject } from './render';
import {
  findResource,
  ResourceType,
  Scope,
  UnrenderedObject,
} from './resources';
import { parseFieldSelector, parseLabelSelector } from './selectors';
import { ApiError, badRequest, invalid, notFound } from './status';
import { toTable } from './table';
import { validateDeploymentChange } from './validation';

/** Options of the Kubernetes API handler. */
export interface KubernetesApiOptions {
  /** When set, requests must carry `Authorization: Bearer <token>`. */
  token?: string;
}

interface Target {
  resource: ResourceType;
  namespace?: string;
  name?: string;
  subresource?: string;
}

function parseTarget(segments: string[]): Target | undefined {
  let group = '';
  let version: string;
  let rest: string[];
  if (segments[0] === 'api') {
    version = segments[1];
    rest = segments.slice(2);
  } else {
    group = segments[1];
    version = segments[2];
    rest = segments.slice(3);
  }
  let namespace: string | undefined;
  if (rest[0] === 'namespaces' && rest.length >= 3) {
    namespace = rest[1];
    rest = rest.slice(2);
  }
  const resource = findResource(group, version, rest[0]);
  if (!resource || rest.length > 3) {
    return undefined;
  }
  return { resource, namespace, name: rest[1], subresource: rest[2] };
}

function wantsTable(req: HttpRequest) {
  return /as=Table/.test(String(req.headers.accept ?? ''));
}

function listKind(r: ResourceType) {
  return `${r.kind}List`;
}

function apiVersionOf(r: ResourceType) {
  return r.group ? `${r.group}/${r.version}` : r.version;
}

/** Built-in lists omit kind and apiVersion on items, custom resources keep them. */
function asListItem(r: ResourceType, obj: K8sObject) {
  if (r.group === 'monitoring.coreos.com') {
    return obj;
  }
  const { kind, apiVersion, ...rest } = obj;
  return rest;
}

/** How objects are ordered in lists: by namespace, then name. */
const byKey = new Intl.Collator().compare;

/**
 * The objects a list or watch selects, in list order, not yet rendered
 * where the resource can name and label them without rendering.
 */
function selectUnrendered(
  cluster: ClusterWorld,
  target: Target,
  req: HttpRequest,
  ms: number,
): UnrenderedObject[] {
  const { resource } = target;
  const scope: Scope = {
    namespace: resource.namespaced ? target.namespace : undefined,
  };
  const labelSelector = req.query.get('labelSelector');
  const fieldSelector = req.query.get('fieldSelector');
  const byLabels = labelSelector
    ? parseLabelSelector(labelSelector)
    : () => true;
  const byFields = fieldSelector
    ? parseFieldSelector(fieldSelector, resource.plural, {
        'metadata.name': o => o.metadata.name,
        ...(resource.namespaced
          ? { 'metadata.namespace': (o: K8sObject) => o.metadata.namespace }
          : {}),
        ...(resource.fields ?? {}),
      })
    : undefined;
  // Field selectors need the rendered object.
  const objects: UnrenderedObject[] =
    resource.listUnrendered && !byFields
      ? resource.listUnrendered(cluster, scope, ms)
      : resource
          .list(cluster, scope, ms)
          .filter(o => !byFields || byFields(o))
          .map(o => ({
            namespace: o.metadata.namespace,
            name: o.metadata.name,
            labels: o.metadata.labels ?? {},
            render: () => o,
          }));
  return objects
    .filter(o => byLabels(o.labels))
    .map(o => ({ key: `${o.namespace ?? ''}/${o.name}`, o }))
    .sort((a, b) => byKey(a.key, b.key))
    .map(({ o }) => o);
}

function selectObjects(
  cluster: ClusterWorld,
  target: Target,
  req: HttpRequest,
  ms: number,
) {
  return selectUnrendered(cluster, target, req, ms).map(o => o.render());
}

function listResponse(
  cluster: ClusterWorld,
  target: Target,
  req: HttpRequest,
): HttpResponse {
  const ms = cluster.clock.now();
  const { resource } = target;
  let items = selectUnrendered(cluster, target, req, ms);
  const rv = cluster.resourceVersion(ms);
  const metadata: Record<string, unknown> = { resourceVersion: rv };
  const limit = Number(req.query.get('limit') ?? 0);
  const token = req.query.get('continue');
  let offset = 0;
  if (token) {
    try {
      offset = JSON.parse(Buffer.from(token, 'base64').toString('utf8')).start;
    } catch {
      throw badRequest(
        'continue key is not valid: illegal base64 data at input byte 0',
      );
    }
    if (!Number.isInteger(offset) || offset < 0) {
      throw badRequest(
        'continue key is not valid: incorrect encoded start resourceVersion (version meta.k8s.io/v1)',
      );
    }
  }
  items = items.slice(offset);
  if (limit > 0 && items.length > limit) {
    metadata.continue = Buffer.from(
      JSON.stringify({
        v: 'meta.k8s.io/v1',
        rv: Number(rv),
        start: offset + limit,
      }),
    ).toString('base64');
    metadata.remainingItemCount = items.length - limit;
    items = items.slice(0, limit);
  }
  const rendered = items.map(o => o.render());
  if (wantsTable(req)) {
    return json(200, toTable(resource.plural, rendered, ms, metadata));
  }
  return json(200, {
    kind: listKind(resource),
    apiVersion: apiVersionOf(resource),
    metadata,
    items: rendered.map(o => asListItem(resource, o)),
  });
}

function watchResponse(
  cluster: ClusterWorld,
  target: Target,
  req: HttpRequest,
): HttpResponse {
  const timeoutSeconds = Math.min(
    Number(req.query.get('timeoutSeconds') ?? 1800),
    3600,
  );
  const sendInitial =
    !req.query.get('resourceVersion') ||
    req.query.get('resourceVersion') === '0';
  // Validate selectors before the stream starts so errors are a proper 400.
  selectObjects(cluster, target, req, cluster.clock.now());
  const fingerprint = (o: K8sObject) =>
    JSON.stringify({
      ...o,
      metadata: { ...o.metadata, resourceVersion: undefined },
    });
  return {
    status: 200,
    headers: {
      'Content-Type': 'application/json',
      'Transfer-Encoding': 'chunked',
    },
    stream: io => {
      const known = new Map<string, string>();
      const table = wantsTable(req);
      // kubectl get -w asks for Tables: each event then carries a one-row Table.
      const emit = (type: string, object: K8sObject) => {
        const ms = cluster.clock.now();
        const payload = table
          ? toTable(target.resource.plural, [object], ms, {
              resourceVersion: cluster.resourceVersion(ms),
            })
          : object;
        io.write(`${JSON.stringify({ type, object: payload })}\n`);
      };
      const poll = (first: boolean) => {
        const ms = cluster.clock.now();
        const objects = selectObjects(cluster, target, req, ms);
        const seen = new Set<string>();
        for (const o of objects) {
          const key = `${o.metadata.namespace}/${o.metadata.name}`;
          seen.add(key);
          const print = fingerprint(o);
          const before = known.get(key);
          // A watch from a resourceVersion starts from the current state
          // (the client listed it); without one, existing objects are ADDED.
          if (before === undefined) {
            if (!first || sendInitial) {
              emit('ADDED', o);
            }
          } else if (before !== print) {
            emit('MODIFIED', o);
          }
          known.set(key, print);
        }
        for (const [key, print] of known) {
          if (!seen.has(key)) {
            known.delete(key);
            emit('DELETED', JSON.parse(print));
          }
        }
      };
      poll(true);
      const timer = setInterval(() => poll(false), 200);
      const stop = setTimeout(() => {
        clearInterval(timer);
        io.end();
      }, timeoutSeconds * 1000);
      io.onClose(() => {
        clearInterval(timer);
        clearTimeout(stop);
      });
    },
  };
}

function getObject(
  cluster: ClusterWorld,
  target: Target,
  ms = cluster.clock.now(),
): K8sObject {
  const { resource, namespace, name } = target;
  const found = resource.list(
    cluster,
    { namespace: resource.namespaced ? namespace : undefined, name },
    ms,
  )[0];
  if (!found) {
    throw notFound(resource.plural, name!, resource.group);
  }
  return found;
}

function parseBody(req: HttpRequest): any {
  const type = String(req.headers['content-type'] ?? 'application/json')
    .split(';')[0]
    .trim();
  const raw = req.body.toString('utf8');
  try {
    return type === 'application/apply-patch+yaml' ||
      type === 'application/yaml'
      ? YAML.parse(raw)
      : JSON.parse(raw);
  } catch (e) {
    throw badRequest(`error decoding patch: ${(e as Error).message}`);
  }
}

/** A Deployment, StatefulSet or DaemonSet that PATCH and PUT change. */
interface Changeable {
  object: K8sObject;
  store(next: K8sObject): void;
}

const CHANGEABLE = ['deployments', 'statefulsets', 'daemonsets'];

function findChangeable(
  cluster: ClusterWorld,
  target: Target,
): Changeable | undefined {
  const namespace = target.namespace!;
  const name = target.name!;
  if (target.resource.plural === 'deployments') {
    const d = cluster.findDeployment(namespace, name);
    return (
      d && {
        object: d.object,
        store: next => cluster.updateDeployment(d, next),
      }
    );
  }
  const kind =
    target.resource.plural === 'statefulsets' ? 'StatefulSet' : 'DaemonSet';
  const w = cluster.findWorkload(kind, namespace, name);
  return (
    w && { object: w.object, store: next => cluster.updateWorkload(w, next) }
  );
}

function patchDeployment(
  cluster: ClusterWorld,
  target: Target,
  req: HttpRequest,
): HttpResponse {
  const deployment = findChangeable(cluster, target);
  const type = String(req.headers['content-type'] ?? '')
    .split(';')[0]
    .trim();
  if (!deployment) {
    throw notFound(target.resource.plural, target.name!, 'apps');
  }
  const patchTypes = [
    'application/strategic-merge-patch+json',
    'application/merge-patch+json',
    'application/json-patch+json',
    'application/apply-patch+yaml',
  ];
  if (!patchTypes.includes(type)) {
    throw new ApiError(
      415,
      'UnsupportedMediaType',
      `the body of the request was in an unknown format - accepted media types include: ${patchTypes.join(
        ', ',
      )}`,
    );
  }
  const current = JSON.parse(JSON.stringify(deployment.object));
  const body = parseBody(req);
  let next: K8sObject;
  switch (type) {
    case 'application/strategic-merge-patch+json':
      next = strategicMergePatch(current, body);
      break;
    case 'application/merge-patch+json':
      next = jsonMergePatch(current, body);
      break;
    case 'application/json-patch+json':
      try {
        next = jsonPatch(current, body);
      } catch (e) {
        throw new ApiError(422, 'Invalid', (e as Error).message);
      }
      break;
    case 'application/apply-patch+yaml': {
      const manager = req.query.get('fieldManager');
      if (!manager) {
        throw badRequest(
          'PatchOptions.meta.k8s.io "" is invalid: fieldManager: Required value: is required for apply patch',
        );
      }
      if (body?.kind && body.kind !== target.resource.kind) {
        throw badRequest(
          `the body of the request was in an unknown format - accepted media types include: application/json-patch+json, application/merge-patch+json, application/apply-patch+yaml`,
        );
      }
      const { status, ...applied } = body ?? {};
      next = strategicMergePatch(current, applied);
      next.metadata.managedFields = [
        ...(current.metadata.managedFields ?? []).filter(
          (f: any) => f.manager !== manager,
        ),
        {
          manager,
          operation: 'Apply',
          apiVersion: 'apps/v1',
          time: new Date(cluster.clock.now())
            .toISOString()
            .replace(/\.\d+Z/, 'Z'),
          fieldsType: 'FieldsV1',
          fieldsV1: {},
        },
      ];
      break;
    }
    default:
      throw new ApiError(
        415,
        'UnsupportedMediaType',
        `the body of the request was in an unknown format - accepted media types include: application/json-patch+json, application/merge-patch+json, application/apply-patch+yaml, application/strategic-merge-patch+json`,
      );
  }
  return storeDeployment(cluster, target, deployment, current, next, req);
}

function storeDeployment(
  cluster: ClusterWorld,
  target: Target,
  deployment: Changeable,
  current: K8sObject,
  next: K8sObject,
  req: HttpRequest,
): HttpResponse {
  next.metadata.name = current.metadata.name;
  next.metadata.namespace = current.metadata.namespace;
  next.metadata.uid = current.metadata.uid;
  next.metadata.creationTimestamp = current.metadata.creationTimestamp;
  next.metadata.generation = current.metadata.generation;
  delete next.status;
  const problems = validateDeploymentChange(next);
  if (problems.length) {
    throw invalid(target.resource.kind, target.name!, problems, 'apps');
  }
  const dryRun = req.query.getAll('dryRun').includes('All');
  if (!dryRun) {
    deployment.store(next);
  }
  const ms = cluster.clock.now();
  return json(200, dryRun ? next : getObject(cluster, target, ms));
}

function replaceDeployment(
  cluster: ClusterWorld,
  target: Target,
  req: HttpRequest,
): HttpResponse {
  const deployment = findChangeable(cluster, target);
  if (!deployment) {
    throw notFound(target.resource.plural, target.name!, 'apps');
  }
  const body = parseBody(req);
  const current = JSON.parse(JSON.stringify(deployment.object));
  const rv = body?.metadata?.resourceVersion;
  if (
    rv &&
    rv !== cluster.resourceVersion() &&
    Number(rv) < Number(cluster.resourceVersion()) - 10
  ) {
    throw new ApiError(
      409,
      'Conflict',
      `Operation cannot be fulfilled on ${target.resource.plural}.apps "${target.name}": the object has been modified; please apply your changes to the latest version and try again`,
      { name: target.name, group: 'apps', kind: target.resource.plural },
    );
  }
  return storeDeployment(
    cluster,
    target,
    deployment,
    current,
    { ...body, metadata: { ...current.metadata, ...body.metadata } },
    req,
  );
}

function methodNotAllowed(): never {
  throw new ApiError(
    405,
    'MethodNotAllowed',
    'the server does not allow this method on the requested resource',
  );
}

function handleResource(
  cluster: ClusterWorld,
  target: Target,
  req: HttpRequest,
): HttpResponse {
  const { resource, namespace, name, subresource } = target;
  if (
    resource.namespaced &&
    name === undefined &&
    namespace === undefined &&
    req.method !== 'GET'
  ) {
    methodNotAllowed();
  }
  if (
    subresource === 'log' &&
    resource.plural === 'pods' &&
    req.method === 'GET'
  ) {
    return podLogResponse(cluster, namespace!, name!, req);
  }
  if (subresource && subresource !== 'status') {
    throw new ApiError(
      404,
      'NotFound',
      'the server could not find the requested resource',
    );
  }
  switch (req.method) {
    case 'GET':
      if (name === undefined) {
        return req.query.get('watch') === 'true' ||
          req.query.get('watch') === '1'
          ? watchResponse(cluster, target, req)
          : listResponse(cluster, target, req);
      }
      if (req.query.get('watch') === 'true') {
        return watchResponse(
          cluster,
          { ...target, name: undefined },
          {
            ...req,
            query: new URLSearchParams([
              ...req.query,
              ['fieldSelector', `metadata.name=${name}`],
            ]),
          },
        );
      }
      {
        const ms = cluster.clock.now();
        const obj = getObject(cluster, target, ms);
        return json(
          200,
          wantsTable(req)
            ? toTable(resource.plural, [obj], ms, {
                resourceVersion: cluster.resourceVersion(ms),
              })
            : obj,
        );
      }
    case 'POST':
      if (resource.plural !== 'jobs' || name !== undefined) {
        methodNotAllowed();
      }
      if (!cluster.namespaces.some(n => n.name === namespace)) {
        throw notFound('namespaces', namespace!);
      }
      return json(201, cluster.jobs.create(namespace!, parseBody(req)));
    case 'DELETE': {
      if (name === undefined) {
        methodNotAllowed();
      }
      if (resource.plural === 'jobs') {
        let policy = req.query.get('propagationPolicy') ?? '';
        if (!policy && req.body.length) {
          policy = parseBody(req)?.propagationPolicy ?? '';
        }
        return json(
          200,
          cluster.jobs.remove(namespace!, name, policy || 'Orphan'),
        );
      }
      if (resource.plural === 'pods') {
        const pod = cluster
          .podsAt(cluster.clock.now())
          .find(p => p.namespace === namespace && p.name === name);
        if (!pod) {
          throw notFound('pods', name);
        }
        const obj = getObject(cluster, target);
        pod.deletedMs = cluster.clock.now();
        cluster.touch();
        return json(200, obj);
      }
      return methodNotAllowed();
    }
    case 'PATCH':
      if (
        !CHANGEABLE.includes(resource.plural) ||
        name === undefined ||
        subresource
      ) {
        methodNotAllowed();
      }
      return patchDeployment(cluster, target, req);
    case 'PUT':
      if (
        !CHANGEABLE.includes(resource.plural) ||
        name === undefined ||
        subresource
      ) {
        methodNotAllowed();
      }
      return replaceDeployment(cluster, target, req);
    default:
      return methodNotAllowed();
  }
}

const NOT_FOUND_PAGE = {
  status: 404,
  headers: { 'Content-Type': 'text/plain; charset=utf-8' },
  body: '404 page not found\n',
};

/**
 * As an API server with token authentication and anonymous requests off:
 * a missing or unknown bearer token is 401 with an `Unauthorized` Status.
 */
function checkToken(req: HttpRequest, options: KubernetesApiOptions) {
  if (!options.token) {
    return;
  }
  const header = String(req.headers.authorization ?? '');
  if (header !== `Bearer ${options.token}`) {
    throw new ApiError(401, 'Unauthorized', 'Unauthorized');
  }
}

/** Serves the Kubernetes API of one cluster (paths relative to its root). */
export function handleKubernetes(
  cluster: ClusterWorld,
  req: HttpRequest,
  options: KubernetesApiOptions = {},
): HttpResponse {
  try {
    checkToken(req, options);
    const segments = req.path
      .split('/')
      .filter(Boolean)
      .map(decodeURIComponent);
    const path = `/${segments.join('/')}`;
    if (path === '/version') {
      return json(200, VERSION_INFO);
    }
    if (path === '/healthz' || path === '/readyz' || path === '/livez') {
      return {
        status: 200,
        headers: { 'Content-Type': 'text/plain' },
        body: 'ok',
      };
    }
    if (segments[0] === 'openapi') {
      return openApiResponse(segments, req);
    }
    if (path === '/api') {
      return json(200, apiVersions());
    }
    if (path === '/apis') {
      return json(200, apiGroupList());
    }
    if (segments[0] === 'api' && segments.length === 2) {
      const list = apiResourceList('', segments[1]);
      return list ? json(200, list) : NOT_FOUND_PAGE;
    }
    if (segments[0] === 'apis' && segments.length === 2) {
      const group = apiGroup(segments[1]);
      return group ? json(200, group) : NOT_FOUND_PAGE;
    }
    if (segments[0] === 'apis' && segments.length === 3) {
      const list = apiResourceList(segments[1], segments[2]);
      return list ? json(200, list) : NOT_FOUND_PAGE;
    }
    if (segments[0] !== 'api' && segments[0] !== 'apis') {
      return NOT_FOUND_PAGE;
    }
    const target = parseTarget(segments);
    if (!target) {
      return NOT_FOUND_PAGE;
    }
    return handleResource(cluster, target, req);
  } catch (e) {
    if (e instanceof ApiError) {
      return json(e.code, e.toStatus());
    }
    throw e;
  }
}
