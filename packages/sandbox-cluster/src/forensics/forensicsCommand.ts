import path from 'node:path';

/** The script a forensics Job's container must run. */
export const FORENSICS_SCRIPT_NAME = 'node-forensics.sh';

/** The flags node-forensics.sh documents; each takes one value. */
export const FORENSICS_SCRIPT_FLAGS: readonly string[] = [
  '--container-id',
  '--container-name',
  '--pod-uid',
  '--pod-name',
  '--pod-namespace',
  '--node-name',
  '--runtime-endpoint',
  '--ctr-namespace',
  '--host-proc',
  '--cgroup-root',
  '--command-timeout',
];

const SHELLS = new Set(['sh', 'ash', 'dash', 'bash']);

/** The script's flags as given, or why the Job's command is refused. */
export type ForensicsCommand =
  | { flags: Array<[string, string]> }
  | { refused: string };

function isScript(arg: string | undefined): boolean {
  return (
    arg !== undefined &&
    (arg === FORENSICS_SCRIPT_NAME || arg.endsWith(`/${FORENSICS_SCRIPT_NAME}`))
  );
}

/**
 * Reads a Job container's `command` and `args` the way the backend writes
 * them: optionally a shell (`/bin/sh`), then the path of node-forensics.sh,
 * then documented flags, each with its value. Anything else, a shell
 * string (`sh -c …`) included, is refused.
 */
export function readForensicsCommand(
  container: Record<string, any>,
): ForensicsCommand {
  const argv: unknown[] = [
    ...(container.command ?? []),
    ...(container.args ?? []),
  ];
  if (!argv.every((a): a is string => typeof a === 'string')) {
    return { refused: 'command and args must be strings' };
  }
  const words = argv as string[];
  let i = 0;
  if (words[0] !== undefined && SHELLS.has(path.posix.basename(words[0]))) {
    i = 1;
  }
  if (!isScript(words[i])) {
    return {
      refused: `the container runs ${JSON.stringify(
        words.slice(0, i + 1).join(' '),
      )}, not ${FORENSICS_SCRIPT_NAME}; only ${FORENSICS_SCRIPT_NAME} with its documented flags runs on a sandbox node`,
    };
  }
  const flags: Array<[string, string]> = [];
  for (i += 1; i < words.length; i += 2) {
    const flag = words[i];
    if (!FORENSICS_SCRIPT_FLAGS.includes(flag)) {
      return {
        refused: `${JSON.stringify(
          flag,
        )} is not a documented flag of ${FORENSICS_SCRIPT_NAME} (${FORENSICS_SCRIPT_FLAGS.join(
          ', ',
        )})`,
      };
    }
    if (words[i + 1] === undefined) {
      return { refused: `${flag} needs a value` };
    }
    flags.push([flag, words[i + 1]]);
  }
  return { flags };
}

/** Where the node's and the Job container's own files are on this machine. */
export interface FilesystemRoots {
  /** The node's root filesystem. */
  node: string;
  /** The Job container's own filesystem (nothing of the node). */
  container: string;
}

/**
 * Where a path inside the Job's container leads on this machine: through
 * a hostPath volume mount to the node's files, `/proc` to the node's
 * processes with `hostPID`, anything else to the container's own files.
 */
export function nodePathFor(
  containerPath: string,
  podSpec: Record<string, any>,
  roots: FilesystemRoots,
): string {
  const normalized = path.posix.normalize(containerPath);
  const mounts: Array<Record<string, any>> =
    podSpec.containers?.[0]?.volumeMounts ?? [];
  const volumes: Array<Record<string, any>> = podSpec.volumes ?? [];
  const mount = mounts
    .filter(m => typeof m.mountPath === 'string')
    .sort((a, b) => b.mountPath.length - a.mountPath.length)
    .find(m => {
      const at = path.posix.normalize(m.mountPath).replace(/\/$/, '');
      return normalized === at || normalized.startsWith(`${at}/`);
    });
  if (mount) {
    const hostPath = volumes.find(v => v.name === mount.name)?.hostPath?.path;
    if (typeof hostPath === 'string') {
      const rest = path.posix.relative(
        path.posix.normalize(mount.mountPath),
        normalized,
      );
      return path.join(roots.node, path.posix.join(hostPath, rest));
    }
    return path.join(roots.container, normalized);
  }
  if (
    podSpec.hostPID === true &&
    (normalized === '/proc' || normalized.startsWith('/proc/'))
  ) {
    return path.join(roots.node, normalized);
  }
  return path.join(roots.container, normalized);
}

/** An absolute path the script accepts (its `is_safe_path`). */
const SAFE_PATH = /^\/(?!.*\.\.)[A-Za-z0-9/._-]*$/;

const PATH_DEFAULTS: Record<string, string> = {
  '--host-proc': '/proc',
  '--cgroup-root': '/sys/fs/cgroup',
  '--runtime-endpoint': 'unix:///run/containerd/containerd.sock',
};

/**
 * The script's arguments on this machine: the paths the flags name inside
 * the Job's container (`--host-proc`, `--cgroup-root`,
 * `--runtime-endpoint`, given or defaulted) turned into where they lead on
 * this machine; every other flag as given.
 */
export function scriptArguments(
  flags: Array<[string, string]>,
  podSpec: Record<string, any>,
  roots: FilesystemRoots,
): string[] {
  const given = new Map(flags);
  const args: string[] = [];
  for (const [flag, value] of flags) {
    if (!(flag in PATH_DEFAULTS)) args.push(flag, value);
  }
  for (const [flag, fallback] of Object.entries(PATH_DEFAULTS)) {
    const value = given.get(flag) ?? fallback;
    const unix = flag === '--runtime-endpoint' && value.startsWith('unix://');
    const inContainer = unix ? value.slice('unix://'.length) : value;
    // A value the script would refuse reaches it as given, to be refused.
    const mapped = SAFE_PATH.test(inContainer)
      ? nodePathFor(inContainer, podSpec, roots)
      : inContainer;
    args.push(flag, unix ? `unix://${mapped}` : mapped);
  }
  return args;
}
