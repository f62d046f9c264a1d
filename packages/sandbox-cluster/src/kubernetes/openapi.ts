import { HttpRequest, HttpResponse, json } from '../server/types';
import { RESOURCES } from './resources';

const NOT_FOUND: HttpResponse = {
  status: 404,
  headers: { 'Content-Type': 'text/plain; charset=utf-8' },
  body: '404 page not found\n',
};

function groupVersions() {
  return [
    ...new Set(
      RESOURCES.map(r =>
        r.group ? `apis/${r.group}/${r.version}` : `api/${r.version}`,
      ),
    ),
  ];
}

const PARAMS = ['dryRun', 'fieldManager', 'fieldValidation', 'force'].map(
  name => ({
    name,
    in: 'query',
    description: name,
    schema: {
      type: name === 'force' ? 'boolean' : 'string',
      uniqueItems: true,
    },
  }),
);

/**
 * A minimal OpenAPI v3 document per group version. It carries no schemas,
 * only the operations and query parameters, which is what kubectl looks up
 * to learn that the server validates fields itself (so it sends
 * `fieldValidation=Strict` instead of validating client-side); for patch
 * computation kubectl then falls back to its built-in types.
 */
function groupVersionDoc(gv: string) {
  const paths: Record<string, unknown> = {};
  for (const r of RESOURCES) {
    const key = r.group ? `apis/${r.group}/${r.version}` : `api/${r.version}`;
    if (key !== gv) {
      continue;
    }
    const base = `/${key}${r.namespaced ? '/namespaces/{namespace}' : ''}/${
      r.plural
    }`;
    const gvk = { group: r.group, version: r.version, kind: r.kind };
    const op = (action: string) => ({
      operationId: `${action}${r.kind}`,
      'x-kubernetes-action': action,
      'x-kubernetes-group-version-kind': gvk,
      parameters: PARAMS,
      responses: { '200': { description: 'OK' } },
    });
    paths[base] = { get: op('list'), post: op('create') };
    paths[`${base}/{name}`] = {
      get: op('get'),
      patch: op('patch'),
      put: op('update'),
      delete: op('delete'),
    };
  }
  return {
    openapi: '3.0.0',
    info: { title: 'Kubernetes', version: 'v1.32.4' },
    paths,
    components: { schemas: {} },
  };
}

/** Serves `/openapi/v3` and its group version documents; v2 is not served. */
export function openApiResponse(
  segments: string[],
  req: HttpRequest,
): HttpResponse {
  if (segments[1] !== 'v3') {
    return NOT_FOUND;
  }
  const prefix = new URL(req.baseUrl || 'http://x').pathname.replace(/\/$/, '');
  if (segments.length === 2) {
    const paths: Record<string, { serverRelativeURL: string }> = {};
    for (const gv of groupVersions()) {
      paths[gv] = {
        serverRelativeURL: `${prefix}/openapi/v3/${gv}?hash=${Buffer.from(gv)
          .toString('hex')
          .slice(0, 32)
          .toUpperCase()}`,
      };
    }
    return json(200, { paths });
  }
  const gv = segments.slice(2).join('/');
  if (!groupVersions().includes(gv)) {
    return NOT_FOUND;
  }
  return json(200, groupVersionDoc(gv), {
    'Cache-Control': 'public, immutable',
  });
}
