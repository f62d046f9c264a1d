/** What a primitive weighs; 0 for objects, functions and the rest. */
function primitiveSize(value: unknown): number {
  switch (typeof value) {
    case 'string':
      return value.length;
    case 'number':
    case 'boolean':
    case 'bigint':
      return 8;
    default:
      return 0;
  }
}

/**
 * Roughly how many bytes a value of plain data holds: strings count their
 * length, numbers and booleans 8, every object and array 16 plus its keys.
 * Functions are skipped and shared objects counted once. Good enough to
 * bound a cache; not a heap measurement.
 *
 * It runs on every answer the evidence cache keeps, some of them megabytes
 * of samples, so primitives are weighed where they are found, a pair of
 * primitives (a sample) at once, and only other objects go on the stack: a
 * pair that is shared is counted where it appears, which errs on the heavy
 * side.
 */
export function approximateSize(value: unknown): number {
  if (typeof value !== 'object' || value === null) {
    return primitiveSize(value);
  }
  const seen = new Set<object>([value]);
  const stack: object[] = [value];
  let bytes = 0;
  const visit = (element: unknown) => {
    if (typeof element === 'object' && element !== null) {
      // A [time, value] pair has nothing in it to share: weighed at once.
      if (
        Array.isArray(element) &&
        element.length === 2 &&
        typeof element[0] !== 'object' &&
        typeof element[1] !== 'object'
      ) {
        bytes += 16 + primitiveSize(element[0]) + primitiveSize(element[1]);
      } else if (!seen.has(element)) {
        seen.add(element);
        stack.push(element);
      }
    } else {
      bytes += primitiveSize(element);
    }
  };
  while (stack.length > 0) {
    const item = stack.pop()!;
    bytes += 16;
    if (item instanceof Date) continue;
    if (Array.isArray(item)) {
      for (let i = 0; i < item.length; i++) visit(item[i]);
    } else {
      for (const key in item) {
        if (!Object.hasOwn(item, key)) continue;
        bytes += key.length;
        visit((item as Record<string, unknown>)[key]);
      }
    }
  }
  return bytes;
}
