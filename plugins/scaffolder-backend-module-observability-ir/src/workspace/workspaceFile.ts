import { resolveSafeChildPath } from '@backstage/backend-plugin-api';
import { InputError, NotAllowedError, NotFoundError } from '@backstage/errors';
import { constants } from 'node:fs';
import { lstat, open } from 'node:fs/promises';
import { isAbsolute, join, relative, resolve, sep, win32 } from 'node:path';

/** A file of the template's workspace, read. */
export interface WorkspaceFile {
  absolutePath: string;
  /** Relative to the workspace, with `/` separators: `deploy/app.yaml`. */
  relativePath: string;
  content: string;
}

/** Manifests are small; anything larger is not one. */
const MAX_FILE_BYTES = 2 * 1024 * 1024;

/** Never follow a link swapped in between the checks and the open. */
const NO_FOLLOW = constants.O_NOFOLLOW ?? 0;

function isMissing(error: unknown): boolean {
  return (error as NodeJS.ErrnoException)?.code === 'ENOENT';
}

/**
 * Reads a file of the workspace given by a template: the path must be
 * relative, stay inside the workspace, and go through no symbolic link
 * (a link could point anywhere, and a dangling one at a file yet to come).
 */
export async function readWorkspaceFile(
  workspacePath: string,
  path: string,
): Promise<WorkspaceFile> {
  // No file name of a repository holds one, and a NUL makes the file
  // system calls throw rather than answer.
  // eslint-disable-next-line no-control-regex
  if (/[\u0000-\u001f\u007f-\u009f]/.test(path)) {
    throw new InputError(
      `path ${JSON.stringify(
        path.slice(0, 200),
      )} holds a control character; give a file of the workspace`,
    );
  }
  if (isAbsolute(path) || win32.isAbsolute(path)) {
    throw new NotAllowedError(
      `path ${path} is absolute; give a path relative to the workspace`,
    );
  }
  const lexicalPath = resolve(workspacePath, path);
  const parts = relative(workspacePath, lexicalPath).split(sep);
  if (parts[0] === '..') {
    throw new NotAllowedError(`path ${path} is outside the workspace`);
  }
  const relativePath = parts.join('/');
  if (relativePath === '') {
    throw new InputError(`path ${path} is the workspace itself, not a file`);
  }

  let current = workspacePath;
  for (const part of parts) {
    current = join(current, part);
    const stats = await lstat(current).catch(error => {
      if (isMissing(error)) {
        throw new NotFoundError(`${relativePath} is not in the workspace`);
      }
      throw error;
    });
    if (stats.isSymbolicLink()) {
      const link = relative(workspacePath, current).split(sep).join('/');
      throw new NotAllowedError(
        link === relativePath
          ? `${relativePath} is a symbolic link; give the path of a regular file`
          : `${relativePath} goes through the symbolic link ${link}; give the path of a regular file`,
      );
    }
    if (current === lexicalPath && !stats.isFile()) {
      throw new InputError(`${relativePath} is not a file`);
    }
    if (current === lexicalPath && stats.size > MAX_FILE_BYTES) {
      throw new InputError(
        `${relativePath} is larger than 2 MiB; it is not a manifest to edit`,
      );
    }
  }

  // The checks above give the clear errors; this is the framework's guard.
  let absolutePath: string;
  try {
    absolutePath = resolveSafeChildPath(workspacePath, path);
  } catch {
    throw new NotAllowedError(`path ${path} is outside the workspace`);
  }
  const handle = await open(absolutePath, constants.O_RDONLY | NO_FOLLOW);
  try {
    return {
      absolutePath,
      relativePath,
      content: await handle.readFile('utf8'),
    };
  } finally {
    await handle.close();
  }
}

/** Writes a workspace file back, in place, never through a link. */
export async function writeWorkspaceFile(
  file: WorkspaceFile,
  content: string,
): Promise<void> {
  const handle = await open(
    file.absolutePath,
    constants.O_WRONLY | constants.O_TRUNC | NO_FOLLOW,
  );
  try {
    await handle.writeFile(content, 'utf8');
  } finally {
    await handle.close();
  }
}
