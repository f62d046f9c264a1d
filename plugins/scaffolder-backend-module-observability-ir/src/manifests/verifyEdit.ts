import { isDeepStrictEqual } from 'node:util';
import YAML from 'yaml';

/** A value an edit sets: in which document, at which path. */
export interface ExpectedValue {
  docIndex: number;
  path: Array<string | number>;
  value: unknown;
}

function setPath(
  root: unknown,
  path: Array<string | number>,
  value: unknown,
): unknown {
  if (path.length === 0) {
    return value;
  }
  const [key, ...rest] = path;
  const node =
    root !== null && typeof root === 'object'
      ? (root as Record<string | number, unknown>)
      : {};
  node[key] = setPath(node[key], rest, value);
  return node;
}

/**
 * Checks that an edited YAML text reads as the original with only the
 * expected values set: a last guard, so that a file is never written with
 * any other change, whatever its layout.
 */
export function verifyEdit(
  before: string,
  after: string,
  expected: ExpectedValue[],
  what: string,
): void {
  const beforeDocs = YAML.parseAllDocuments(before);
  const afterDocs = YAML.parseAllDocuments(after);
  const broken = afterDocs.find(doc => doc.errors.length > 0);
  if (broken || afterDocs.length !== beforeDocs.length) {
    throw new Error(
      `refusing to edit ${what}: the result would not be valid YAML${
        broken ? ` (${broken.errors[0].message})` : ''
      }`,
    );
  }
  const wanted = beforeDocs.map(doc => doc.toJS());
  for (const { docIndex, path, value } of expected) {
    wanted[docIndex] = setPath(wanted[docIndex], path, value);
  }
  afterDocs.forEach((doc, index) => {
    if (!isDeepStrictEqual(doc.toJS(), wanted[index])) {
      throw new Error(
        `refusing to edit ${what}: the edit would change more than its memory settings`,
      );
    }
  });
}
