/**
 * Create a folder and its missing parents, and fail with the cause when that is impossible.
 *
 * Why not `mkdir(path, { recursive: true })`: on a path under a pseudo file system such as `/proc`, Node's
 * recursive mkdir gets ENOENT for the child, EEXIST for the parent, and retries forever (100 % CPU, the
 * process ignores SIGTERM). Here the parents are created one level at a time from the nearest existing
 * ancestor, non-recursively, so any refusal (ENOENT, EACCES, EROFS, ENOTDIR) is final and reported.
 */
import { mkdirSync, statSync } from 'node:fs';
import { mkdir, stat } from 'node:fs/promises';
import { dirname, resolve } from 'node:path';

/** The missing levels of `path`, outermost first (empty when it exists as a folder). */
function missingLevels(path: string, exists: (p: string) => boolean | 'not-dir'): string[] {
  const levels: string[] = [];
  let at = resolve(path);
  for (;;) {
    const found = exists(at);
    if (found === 'not-dir')
      throw Object.assign(new Error(`ENOTDIR: not a directory, mkdir '${at}'`), {
        code: 'ENOTDIR',
        path: at,
      });
    if (found) return levels.reverse();
    levels.push(at);
    const parent = dirname(at);
    if (parent === at) return levels.reverse();
    at = parent;
  }
}

const kindSync = (p: string): boolean | 'not-dir' => {
  try {
    return statSync(p).isDirectory() ? true : 'not-dir';
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code === 'ENOENT') return false;
    throw err;
  }
};

/** Synchronous: create `path` and its missing parents; throws the first refusal (never loops). */
export function ensureDirSync(path: string): void {
  for (const level of missingLevels(path, kindSync)) {
    try {
      mkdirSync(level);
    } catch (err) {
      // A concurrent creator won the race: fine. Anything else is final.
      if ((err as NodeJS.ErrnoException).code !== 'EEXIST' || kindSync(level) !== true) throw err;
    }
  }
}

/** Asynchronous `ensureDirSync`. */
export async function ensureDir(path: string): Promise<void> {
  const kinds = new Map<string, boolean | 'not-dir'>();
  // Walk up asynchronously first, then reuse the answers in the synchronous level computation.
  let at = resolve(path);
  for (;;) {
    const k = await stat(at).then(
      (s) => (s.isDirectory() ? true : ('not-dir' as const)),
      (err: NodeJS.ErrnoException) => {
        if (err.code === 'ENOENT') return false;
        throw err;
      },
    );
    kinds.set(at, k);
    if (k !== false || dirname(at) === at) break;
    at = dirname(at);
  }
  for (const level of missingLevels(path, (p) => kinds.get(p) ?? false)) {
    try {
      await mkdir(level);
    } catch (err) {
      if ((err as NodeJS.ErrnoException).code !== 'EEXIST') throw err;
    }
  }
}
