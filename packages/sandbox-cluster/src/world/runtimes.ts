import fs from 'node:fs';
import path from 'node:path';
import YAML from 'yaml';
import { z, ZodError } from 'zod';
import { Runtime, RUNTIMES } from '../scenario/schema';

/**
 * Runtime log profiles: what a container's process prints, in its runtime's
 * own formats, when it starts, serves, warms up, runs out of memory, is
 * OOMKilled, is stopped and crashes. The profiles are data files in
 * `runtimes/<runtime>.yaml`; every section carries a `source` note saying
 * where its format comes from.
 */

/** Directory of the shipped profiles, found through the package manifest. */
export const RUNTIMES_DIR = path.join(
  path.dirname(
    require.resolve('@observability-ir/sandbox-cluster/package.json'),
  ),
  'runtimes',
);

/** Placeholders a profile's templates may use. */
export const PLACEHOLDERS = [
  'app',
  'App',
  'pkg',
  'module',
  'crate',
  'Namespace',
  'port',
  'ms',
  'n',
  'heap',
  'page',
  'worker',
  'startSeconds',
  'uptimeSeconds',
  'heapLimit',
  'allocBytes',
  'message',
] as const;

const PLACEHOLDER = /\{([A-Za-z]+)(?::([<>~]\d+|json))?\}/g;

const source = z
  .string({ required_error: 'is required: say where the format comes from' })
  .trim()
  .min(
    20,
    'must say where the format comes from (a runtime, library or document, at least 20 characters)',
  )
  .refine(
    v => !/\b(todo|tbd|fixme|unknown|n\/a)\b/i.test(v),
    'must say where the format comes from, not a placeholder',
  );

const level = z.enum(['DEBUG', 'INFO', 'WARN', 'ERROR']);

/** One log record: a formatted first line and/or raw lines after it. */
const record = z
  .object({
    level: level.default('INFO'),
    thread: z.string().default('main'),
    logger: z.string().default(''),
    event: z.number().int().default(0),
    /** Extra structured fields a JSON or key=value format puts before the message. */
    fields: z.string().default(''),
    /** Formatted with the profile's line format when present. */
    message: z.string().optional(),
    /** Written as they are (stack traces, a runtime's own stderr output). */
    lines: z.array(z.string()).optional(),
    /** ms after start (start-up) or before the end (termination sections). */
    at: z.number().min(0).optional(),
  })
  .strict()
  .refine(r => r.message !== undefined || (r.lines?.length ?? 0) > 0, {
    message: 'a record needs a message or lines',
  });

const records = z.array(record);
const section = z.object({ source, records }).strict();
const nonEmptySection = z
  .object({ source, records: records.min(1, 'needs at least one record') })
  .strict();
const exitSection = z
  .object({
    source,
    exitCode: z.number().int().min(1).max(255),
    records: records.min(1, 'needs at least one record'),
  })
  .strict();

export const runtimeProfileSchema = z
  .object({
    runtime: z.enum(RUNTIMES),
    description: z.string().min(1),
    line: z
      .object({
        source,
        /** `{time} {level} {thread} {logger} {event} {fields} {message}`; `\n` splits lines. */
        format: z.string().min(1),
        time: z.enum(['iso', 'iso-micro', 'python', 'epoch-ms', 'none']),
        /** How the level names print, e.g. WARN: WARNING. */
        levels: z.record(level, z.string()).default({}),
      })
      .strict(),
    startup: nonEmptySection,
    /** Written when the process starts listening, the last one at that moment. */
    ready: nonEmptySection,
    /** Periodic records while it starts, before it listens. */
    starting: nonEmptySection,
    /** Periodic records while it serves; `slow` wraps one when CPU-throttled. */
    serving: z
      .object({
        source,
        records: records.min(1, 'needs at least one record'),
        slow: record,
      })
      .strict(),
    /** A memory-leak container: a record at start-up, then periodic progress. */
    warmup: z
      .object({
        source,
        startup: records,
        records: records.min(1, 'needs at least one record'),
      })
      .strict(),
    /** The runtime's own heap or allocator failing (behavior.heapLimit). */
    memoryError: exitSection,
    /** The kernel's SIGKILL at limits.memory. */
    oomKill: z
      .object({
        source,
        /** What the process prints at the SIGKILL itself: nothing. */
        atKill: z.literal('nothing', {
          errorMap: () => ({
            message:
              'must be "nothing": a SIGKILLed process cannot print anything',
          }),
        }),
        /** Records the runtime writes before the kill, if any. */
        records,
      })
      .strict(),
    /** SIGTERM from the kubelet (failed liveness probe). */
    shutdown: section,
    crash: z
      .object({
        'null-pointer': exitSection,
        'missing-config': exitSection,
      })
      .strict(),
  })
  .strict();

export type RuntimeProfile = z.infer<typeof runtimeProfileSchema>;
export type ProfileRecord = z.infer<typeof record>;
export type CrashKind = keyof RuntimeProfile['crash'];

/** Raised when a runtime profile cannot be read or is invalid. */
export class RuntimeProfileError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'RuntimeProfileError';
  }
}

function formatPath(segments: Array<string | number>): string {
  return segments
    .map((s, i) => {
      if (typeof s === 'number') return `[${s}]`;
      return i ? `.${s}` : s;
    })
    .join('');
}

function describe(file: string, error: ZodError): string {
  const lines = error.issues.map(
    issue => `  ${formatPath(issue.path) || '(root)'}: ${issue.message}`,
  );
  return `invalid runtime profile ${file}:\n${lines.join('\n')}`;
}

/** Every template string of a profile, with where it is. */
function templates(
  value: unknown,
  at: Array<string | number>,
  out: Array<{ at: Array<string | number>; text: string }>,
) {
  if (typeof value === 'string') {
    out.push({ at, text: value });
  } else if (Array.isArray(value)) {
    value.forEach((v, i) => templates(v, [...at, i], out));
  } else if (value && typeof value === 'object') {
    for (const [k, v] of Object.entries(value)) {
      if (k !== 'source' && k !== 'description') {
        templates(v, [...at, k], out);
      }
    }
  }
  return out;
}

/**
 * Validates a parsed profile document; `file` names it in errors, which
 * name the offending field, e.g. `crash.null-pointer.source: is required`.
 */
export function parseRuntimeProfile(
  document: unknown,
  file: string,
): RuntimeProfile {
  const result = runtimeProfileSchema.safeParse(document);
  if (!result.success) {
    throw new RuntimeProfileError(describe(file, result.error));
  }
  const profile = result.data;
  const problems: string[] = [];
  const expected = path.basename(file).replace(/\.ya?ml$/, '');
  if (RUNTIMES.includes(expected as Runtime) && profile.runtime !== expected) {
    problems.push(
      `  runtime: "${profile.runtime}" does not match the file name "${expected}"`,
    );
  }
  const known = new Set<string>([
    ...PLACEHOLDERS,
    'time',
    'level',
    'thread',
    'logger',
    'event',
    'fields',
  ]);
  for (const t of templates(document, [], [])) {
    for (const m of t.text.matchAll(PLACEHOLDER)) {
      if (!known.has(m[1])) {
        problems.push(
          `  ${formatPath(t.at)}: unknown placeholder {${m[1]}} (known: ${[
            ...PLACEHOLDERS,
          ].join(', ')})`,
        );
      }
    }
  }
  if (problems.length) {
    throw new RuntimeProfileError(
      `invalid runtime profile ${file}:\n${problems.join('\n')}`,
    );
  }
  return profile;
}

/** Reads and validates a profile file. */
export function readRuntimeProfile(file: string): RuntimeProfile {
  let document: unknown;
  try {
    document = YAML.parse(fs.readFileSync(file, 'utf8'));
  } catch (e) {
    throw new RuntimeProfileError(
      `cannot read runtime profile ${file}: ${(e as Error).message}`,
    );
  }
  return parseRuntimeProfile(document, file);
}

const cache = new Map<Runtime, RuntimeProfile>();

/** The shipped profile of a runtime (read once). */
export function runtimeProfile(runtime: Runtime = 'java'): RuntimeProfile {
  let profile = cache.get(runtime);
  if (!profile) {
    profile = readRuntimeProfile(path.join(RUNTIMES_DIR, `${runtime}.yaml`));
    cache.set(runtime, profile);
  }
  return profile;
}

/** Values the placeholders of a record stand for. */
export type TemplateValues = Partial<
  Record<(typeof PLACEHOLDERS)[number], string>
>;

/** Replaces `{name}` placeholders; `{name:json}` escapes for a JSON string. */
export function substitute(template: string, values: TemplateValues): string {
  return template.replace(PLACEHOLDER, (whole, key: string, spec?: string) => {
    const value = (values as Record<string, string | undefined>)[key];
    if (value === undefined) {
      return whole;
    }
    return spec === 'json' ? JSON.stringify(value).slice(1, -1) : value;
  });
}

/** Shortens a logger name to `width` characters the way logback does. */
function abbreviate(logger: string, width: number): string {
  const parts = logger.split('.');
  for (let i = 0; i < parts.length - 1 && parts.join('.').length > width; i++) {
    parts[i] = parts[i].charAt(0);
  }
  return parts.join('.');
}

function pad(value: string, spec?: string): string {
  if (!spec) {
    return value;
  }
  if (spec === 'json') {
    return JSON.stringify(value).slice(1, -1);
  }
  const width = Number(spec.slice(1));
  switch (spec[0]) {
    case '>':
      // Right-aligned, keeping the last characters (logback's %15.15t).
      return value.padStart(width).slice(-width);
    case '<':
      return value.padEnd(width);
    default:
      return abbreviate(value, width).padEnd(width);
  }
}

function timestamp(ms: number, style: RuntimeProfile['line']['time']) {
  const iso = new Date(ms).toISOString();
  switch (style) {
    case 'iso':
      return iso;
    case 'iso-micro':
      // Microseconds: the simulation has milliseconds, the rest is stable noise.
      return `${iso.slice(0, -1)}${String((ms * 7919) % 1000).padStart(
        3,
        '0',
      )}Z`;
    case 'python':
      return `${iso.slice(0, 10)} ${iso.slice(11, 19)},${iso.slice(20, 23)}`;
    case 'epoch-ms':
      return String(ms);
    default:
      return '';
  }
}

/** Renders one profile record written at `ms` as its lines. */
export function renderRecord(
  profile: RuntimeProfile,
  rec: ProfileRecord,
  ms: number,
  values: TemplateValues,
): string[] {
  const lines: string[] = [];
  if (rec.message !== undefined) {
    const fields: Record<string, string> = {
      time: timestamp(ms, profile.line.time),
      level: profile.line.levels[rec.level] ?? rec.level,
      thread: substitute(rec.thread, values),
      logger: substitute(rec.logger, values),
      event: String(rec.event),
      fields: substitute(rec.fields, values),
      message: substitute(rec.message, values),
    };
    const line = profile.line.format.replace(
      PLACEHOLDER,
      (whole, key: string, spec?: string) =>
        fields[key] === undefined ? whole : pad(fields[key], spec),
    );
    lines.push(...line.split('\n'));
  }
  for (const l of rec.lines ?? []) {
    lines.push(substitute(l, values));
  }
  return lines;
}
