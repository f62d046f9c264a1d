/**
 * How a runtime says that it ran out of memory, as the words it prints.
 *
 * @remarks
 * Each pattern names an error the runtime raises or prints when an
 * allocation fails, not words that merely mention memory: a config key such
 * as `-XX:+HeapDumpOnOutOfMemoryError` or a line like `memory usage 80%`
 * matches none of them.
 */
export const MEMORY_ERRORS: ReadonlyArray<{
  runtime: string;
  pattern: RegExp;
}> = [
  {
    // java.lang.OutOfMemoryError: Java heap space | Metaspace | GC overhead
    // limit exceeded | unable to create native thread ...
    runtime: 'JVM',
    pattern: /\bOutOfMemoryError\b|Java heap space|GC overhead limit exceeded/,
  },
  {
    // System.OutOfMemoryException, and its subclass
    // System.InsufficientMemoryException.
    runtime: '.NET',
    pattern: /\b(?:OutOfMemory|InsufficientMemory)Exception\b/,
  },
  {
    // MemoryError, and NumPy's subclass numpy.core._exceptions._ArrayMemoryError.
    runtime: 'Python',
    pattern: /\b(?:_Array)?MemoryError\b/,
  },
  {
    // `failed to allocate memory (NoMemoryError)`.
    runtime: 'Ruby',
    pattern: /\bNoMemoryError\b/,
  },
  {
    // `fatal error: runtime: out of memory`, `runtime: out of memory: cannot
    // allocate …-byte block`; Node.js's `… JavaScript heap out of memory`;
    // the kernel's `Out of memory: Killed process …`.
    runtime: 'Go, Node.js, Linux',
    pattern: /\bout of memory\b/i,
  },
  {
    // FATAL ERROR: Reached heap limit Allocation failed - …
    // FATAL ERROR: Ineffective mark-compacts near heap limit Allocation failed - …
    runtime: 'Node.js',
    pattern: /\bheap limit Allocation failed\b/,
  },
  {
    // The default allocation error hook: `memory allocation of 1048576 bytes
    // failed`; a grouped signature has the number masked.
    runtime: 'Rust',
    pattern: /\bmemory allocation of (?:\d+|<n>) bytes failed\b/,
  },
  {
    // terminate called after throwing an instance of 'std::bad_alloc'
    //   what():  std::bad_alloc
    runtime: 'C++',
    pattern: /\bstd::bad_alloc\b/,
  },
  {
    // strerror(ENOMEM), and glibc's and bison's `memory exhausted`.
    runtime: 'libc',
    pattern: /Cannot allocate memory|memory exhausted/i,
  },
  {
    // OOM, and a garbage collector's own warning before it gives up.
    runtime: 'any',
    pattern: /\bOOM\b|heap usage above/i,
  },
];

/** Whether a text says its process ran out of memory, in any runtime's words. */
export function isMemoryError(text: string): boolean {
  return MEMORY_ERRORS.some(({ pattern }) => pattern.test(text));
}
