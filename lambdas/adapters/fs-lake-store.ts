/**
 * The lake as a local folder with the S3 key layout (`<root>/raw/…`, `<root>/<dataset>/year=…/…`), used
 * by the local twin and tests. Writes are atomic (temp file + rename in the same directory) so a reader
 * never sees half a Parquet file, and a rerun replaces the object like an S3 PUT would.
 */
import { randomBytes } from 'node:crypto';
import { readdir, readFile, rename, rm, stat, writeFile } from 'node:fs/promises';
import { dirname, join, resolve, sep } from 'node:path';
import { ensureDir } from './ensure-dir';
import type { LakeObject, LakeStore } from './lake-store';

/** The temp file a write goes through: beside its target, named after the writing process. */
const tempPathOf = (target: string) => `${target}.${process.pid}.${randomBytes(4).toString('hex')}.tmp`;
/** A name tempPathOf makes; group 1 is the writer's pid. */
const TEMP_NAME = /\.(\d+)\.[0-9a-f]{8}\.tmp$/;

/** Whether process `pid` is running (EPERM: it is, as another user's). */
export function isRunning(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch (err) {
    return (err as NodeJS.ErrnoException).code === 'EPERM';
  }
}

export class FsLakeStore implements LakeStore {
  readonly location: string;

  constructor(readonly root: string) {
    this.location = resolve(root);
  }

  /** Absolute path of a key; rejects keys that would escape the root (`..`, absolute paths). */
  pathOf(key: string): string {
    if (key === '' || key.startsWith('/') || key.split('/').some((s) => s === '..' || s === '.')) {
      throw new Error(`invalid lake key "${key}": keys are relative S3-style paths without . or ..`);
    }
    return join(this.location, ...key.split('/'));
  }

  async put(key: string, body: Uint8Array | string, _contentType?: string): Promise<void> {
    const target = this.pathOf(key);
    await ensureDir(dirname(target));
    const tmp = tempPathOf(target);
    try {
      await writeFile(tmp, body);
      await rename(tmp, target);
    } catch (err) {
      await rm(tmp, { force: true });
      throw err;
    }
  }

  /**
   * Removes the temp files in the folder `prefix` (a key without a trailing slash) whose writer is no
   * longer running: what a process killed mid-write leaves (a failed write removes its own). Readers
   * never see them (list skips `.tmp`, and they do not end in `.parquet`), but they take space. A
   * folder that does not exist has none. Returns their paths.
   */
  async removeStaleTemps(prefix: string, running: (pid: number) => boolean = isRunning): Promise<string[]> {
    const dir = this.pathOf(prefix);
    let names: string[];
    try {
      names = await readdir(dir);
    } catch (err) {
      if ((err as NodeJS.ErrnoException).code === 'ENOENT') return [];
      throw err;
    }
    const stale = names.flatMap((name) => {
      const writer = TEMP_NAME.exec(name)?.[1];
      return writer !== undefined && !running(Number(writer)) ? [join(dir, name)] : [];
    });
    await Promise.all(stale.map((path) => rm(path, { force: true })));
    return stale;
  }

  async get(key: string): Promise<Uint8Array> {
    try {
      return new Uint8Array(await readFile(this.pathOf(key)));
    } catch (err) {
      if ((err as NodeJS.ErrnoException).code === 'ENOENT') {
        throw new Error(`lake object not found: ${key} (in ${this.location})`, { cause: err });
      }
      throw err;
    }
  }

  /** Every key starting with `prefix` (a plain string prefix, like S3), sorted; temp files excluded. */
  async list(prefix: string): Promise<string[]> {
    return (await this.listObjects(prefix)).map((o) => o.key);
  }

  /** `list` with size and modification time (the file's mtime, as S3's LastModified is the PUT time). */
  async listObjects(prefix: string): Promise<LakeObject[]> {
    // Walk only the deepest directory the prefix fully names, then filter by the full prefix.
    const slash = prefix.lastIndexOf('/');
    const dirKey = slash >= 0 ? prefix.slice(0, slash) : '';
    const start = dirKey === '' ? this.location : this.pathOf(dirKey);
    const objects: LakeObject[] = [];
    const walk = async (dir: string): Promise<void> => {
      let entries: import('node:fs').Dirent[];
      try {
        entries = await readdir(dir, { withFileTypes: true });
      } catch (err) {
        if (
          (err as NodeJS.ErrnoException).code === 'ENOENT' ||
          (err as NodeJS.ErrnoException).code === 'ENOTDIR'
        )
          return;
        throw err;
      }
      for (const e of entries) {
        const full = join(dir, e.name);
        if (e.isDirectory()) await walk(full);
        else if (e.isFile() && !e.name.endsWith('.tmp')) {
          const key = full
            .slice(this.location.length + 1)
            .split(sep)
            .join('/');
          if (key.startsWith(prefix)) {
            const info = await stat(full);
            objects.push({ key, size: info.size, lastModified: info.mtime });
          }
        }
      }
    };
    await walk(start);
    return objects.sort((a, b) => (a.key < b.key ? -1 : a.key > b.key ? 1 : 0));
  }
}
