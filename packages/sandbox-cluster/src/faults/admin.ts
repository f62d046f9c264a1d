import { z } from 'zod';
import { HttpRequest, HttpResponse, json } from '../server/types';
import {
  FaultRegistry,
  FaultSpec,
  faultSpecSchema,
  parseFault,
} from './registry';

/** Where the faults are set, beside the sandbox's other controls. */
export const FAULTS_PATH = '/_sandbox/faults';

const body = z
  .object({
    faults: z.array(z.union([z.string(), faultSpecSchema])),
  })
  .strict();

function readSpecs(req: HttpRequest): FaultSpec[] | HttpResponse {
  let value: unknown;
  try {
    value = JSON.parse(req.body.toString('utf8'));
  } catch (e) {
    return json(400, {
      error: `the body is not JSON: ${(e as Error).message}`,
    });
  }
  const parsed = body.safeParse(value);
  if (!parsed.success) {
    const issue = parsed.error.issues[0];
    return json(400, {
      error: `${issue.path.join('.') || 'body'}: ${issue.message}`,
    });
  }
  try {
    return parsed.data.faults.map(f =>
      typeof f === 'string' ? parseFault(f) : f,
    );
  } catch (e) {
    return json(400, { error: (e as Error).message });
  }
}

/**
 * `/_sandbox/faults`: `GET` lists the faults in force (with how often each
 * struck), `PUT` replaces them, `POST` adds to them (both take
 * `{ "faults": [...] }`, each a flag string such as
 * `"prometheus:latency=500ms"` or an object), `DELETE` clears them all.
 * Every answer lists the faults in force afterwards.
 */
export function handleFaultsAdmin(
  faults: FaultRegistry,
  req: HttpRequest,
): HttpResponse {
  switch (req.method) {
    case 'GET':
      break;
    case 'DELETE':
      faults.clear();
      break;
    case 'PUT':
    case 'POST': {
      const specs = readSpecs(req);
      if (!Array.isArray(specs)) {
        return specs;
      }
      if (req.method === 'PUT') {
        faults.set(specs);
      } else {
        specs.forEach(s => faults.add(s));
      }
      break;
    }
    default:
      return json(
        405,
        { error: `${FAULTS_PATH} takes GET, PUT, POST or DELETE` },
        { Allow: 'GET, PUT, POST, DELETE' },
      );
  }
  return json(200, { faults: faults.list() });
}
