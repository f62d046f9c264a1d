/**
 * Roughly how many bytes a value of plain data holds: strings count their
 * length, numbers and booleans 8, every object and array 16 plus its keys.
 * Functions are skipped and shared objects counted once. Good enough to
 * bound a cache; not a heap measurement.
 */
export function approximateSize(value: unknown): number {
  const seen = new Set<object>();
  const stack: unknown[] = [value];
  let bytes = 0;
  while (stack.length > 0) {
    const item = stack.pop();
    switch (typeof item) {
      case 'string':
        bytes += item.length;
        break;
      case 'number':
      case 'boolean':
      case 'bigint':
        bytes += 8;
        break;
      case 'object': {
        if (item === null || seen.has(item)) break;
        seen.add(item);
        bytes += 16;
        if (item instanceof Date) break;
        if (Array.isArray(item)) {
          for (const element of item) stack.push(element);
        } else {
          for (const [key, element] of Object.entries(item)) {
            bytes += key.length;
            stack.push(element);
          }
        }
        break;
      }
      default:
    }
  }
  return bytes;
}
