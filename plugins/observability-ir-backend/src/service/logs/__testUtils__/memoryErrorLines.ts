/** One runtime's out-of-memory error as it reaches Loki, and how it groups. */
export interface MemoryErrorSample {
  runtime: string;
  /** Where the format comes from. */
  source: string;
  /** The log entry: its first line, then any lines a multiline parser kept. */
  text: string;
  /** The group it should fall in. */
  signature: string;
}

/**
 * Memory errors written as each runtime prints them to stderr (one entry per
 * line unless a multiline parser keeps a trace together).
 */
export const MEMORY_ERROR_SAMPLES: MemoryErrorSample[] = [
  {
    runtime: 'JVM',
    source:
      'HotSpot\'s uncaught-exception handler: `Exception in thread "<name>" <exception>`',
    text: [
      'Exception in thread "main" java.lang.OutOfMemoryError: Java heap space',
      '\tat java.base/java.util.Arrays.copyOf(Arrays.java:3537)',
      '\tat com.example.Catalog.load(Catalog.java:88)',
    ].join('\n'),
    signature: 'java.lang.OutOfMemoryError: Java heap space',
  },
  {
    runtime: 'JVM',
    source: 'HotSpot, class metadata space exhausted (Java 8+)',
    text: 'java.lang.OutOfMemoryError: Metaspace',
    signature: 'java.lang.OutOfMemoryError: Metaspace',
  },
  {
    runtime: 'JVM',
    source: 'HotSpot parallel GC, -XX:+UseGCOverheadLimit',
    text: 'Exception in thread "worker-3" java.lang.OutOfMemoryError: GC overhead limit exceeded',
    signature: 'java.lang.OutOfMemoryError: GC overhead limit exceeded',
  },
  {
    runtime: 'JVM',
    source: 'HotSpot, thread creation failed (JDK 11+ wording)',
    text: 'Exception in thread "main" java.lang.OutOfMemoryError: unable to create native thread: possibly out of memory or process/resource limits reached',
    signature:
      'java.lang.OutOfMemoryError: unable to create native thread: possibly out of memory or process/resource limits reached',
  },
  {
    runtime: 'Python',
    source:
      'CPython, an uncaught exception kept with its traceback by a multiline parser; the bare exception is the last line',
    text: [
      'Traceback (most recent call last):',
      '  File "/app/worker.py", line 12, in <module>',
      '    buffer = bytearray(64 * 1024 ** 3)',
      'MemoryError',
    ].join('\n'),
    signature: 'MemoryError',
  },
  {
    runtime: 'Python',
    source:
      'CPython, the last traceback line alone, with a message (e.g. raised by a C extension)',
    text: 'MemoryError: Unable to allocate 7.45 GiB for an array with shape (1000000000,) and data type float64',
    signature:
      'MemoryError: Unable to allocate <n> GiB for an array with shape (<n>,) and data type float<n>',
  },
  {
    runtime: 'Python',
    source: "NumPy 1.17+, its MemoryError subclass's full name",
    text: 'numpy.core._exceptions._ArrayMemoryError: Unable to allocate 7.45 GiB for an array with shape (1000000000,) and data type float64',
    signature:
      'numpy.core._exceptions._ArrayMemoryError: Unable to allocate <n> GiB for an array with shape (<n>,) and data type float<n>',
  },
  {
    runtime: 'Python',
    source:
      'CPython, os.fork() or mmap failing with ENOMEM: strerror(12) in an OSError',
    text: 'OSError: [Errno 12] Cannot allocate memory',
    signature: 'OSError: [Errno <n>] Cannot allocate memory',
  },
  {
    runtime: 'Go',
    source:
      'runtime.throw from sysMap when mmap fails (runtime/mem_linux.go), then the runtime stack and goroutine dump',
    text: [
      'fatal error: runtime: out of memory',
      '',
      'runtime stack:',
      'runtime.throw({0x4f6c1b?, 0x2000?})',
      '\t/usr/local/go/src/runtime/panic.go:1047 +0x5d fp=0x7ffd4a7e4a28 sp=0x7ffd4a7e49f8 pc=0x4350fd',
      'runtime.sysMapOS(0xc000400000, 0x4000000?)',
      '\t/usr/local/go/src/runtime/mem_linux.go:187 +0x11b fp=0x7ffd4a7e4a70 sp=0x7ffd4a7e4a28 pc=0x417a3b',
      '',
      'goroutine 1 [running]:',
      'main.main()',
      '\t/app/main.go:14 +0x45 fp=0xc000068f80 sp=0xc000068f50 pc=0x45d4a5',
    ].join('\n'),
    signature: 'fatal error: runtime: out of memory',
  },
  {
    runtime: 'Go',
    source:
      'runtime.(*mheap).grow / largeAlloc: the line printed before `fatal error: out of memory`',
    text: 'runtime: out of memory: cannot allocate 4194304-byte block (3758096384 in use)',
    signature:
      'runtime: out of memory: cannot allocate <n>-byte block (<n> in use)',
  },
  {
    runtime: 'Node.js',
    source:
      "V8's fatal OOM handler (Node.js 12+), after `<--- JS stacktrace --->`",
    text: [
      'FATAL ERROR: Reached heap limit Allocation failed - JavaScript heap out of memory',
      ' 1: 0xb09c10 node::Abort() [node]',
      ' 2: 0xa1c193 node::FatalError(char const*, char const*) [node]',
    ].join('\n'),
    signature:
      'FATAL ERROR: Reached heap limit Allocation failed - JavaScript heap out of memory',
  },
  {
    runtime: 'Node.js',
    source: "V8's fatal OOM handler when mark-compact frees too little",
    text: 'FATAL ERROR: Ineffective mark-compacts near heap limit Allocation failed - JavaScript heap out of memory',
    signature:
      'FATAL ERROR: Ineffective mark-compacts near heap limit Allocation failed - JavaScript heap out of memory',
  },
  {
    runtime: '.NET',
    source:
      "The runtime's unhandled-exception output (.NET Core 3.0+): `Unhandled exception. <type>: <message>`",
    text: [
      "Unhandled exception. System.OutOfMemoryException: Exception of type 'System.OutOfMemoryException' was thrown.",
      '   at Program.<Main>$(String[] args) in /src/Program.cs:line 3',
    ].join('\n'),
    signature:
      "System.OutOfMemoryException: Exception of type 'System.OutOfMemoryException' was thrown.",
  },
  {
    runtime: '.NET',
    source: 'The exception logged by an application, e.g. through ILogger',
    text: 'System.OutOfMemoryException: Insufficient memory to continue the execution of the program.',
    signature:
      'System.OutOfMemoryException: Insufficient memory to continue the execution of the program.',
  },
  {
    runtime: 'Rust',
    source:
      "std's default allocation error hook (std::alloc::default_alloc_error_hook), before the abort",
    text: 'memory allocation of 1048576 bytes failed',
    signature: 'memory allocation of <n> bytes failed',
  },
  {
    runtime: 'C++',
    source: "libstdc++'s verbose terminate handler, an uncaught std::bad_alloc",
    text: [
      "terminate called after throwing an instance of 'std::bad_alloc'",
      '  what():  std::bad_alloc',
    ].join('\n'),
    signature:
      "terminate called after throwing an instance of 'std::bad_alloc'",
  },
  {
    runtime: 'C++',
    source: 'The same handler, its second line in an entry of its own',
    text: '  what():  std::bad_alloc',
    signature: 'what(): std::bad_alloc',
  },
];

/** Lines that mention memory, allocation or OutOfMemoryError but report no memory error. */
export const NOT_MEMORY_ERRORS: string[] = [
  'memory usage 80%',
  'allocated 1024 bytes',
  'no memory leak found',
  'Picked up JAVA_TOOL_OPTIONS: -Xmx512m -XX:+HeapDumpOnOutOfMemoryError -XX:HeapDumpPath=/tmp',
  'JVM flags: -XX:+ExitOnOutOfMemoryError',
  'ERROR cache refresh failed: upstream returned 503',
  'Loaded 42 entries into the room booking cache',
];
