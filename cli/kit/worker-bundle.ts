/**
 * A worker thread's code when the CLI runs from source (through tsx): an esbuild bundle of
 * `cli/<name>.ts`, kept in node_modules/.cache (the usual place for a tool's build cache, which git
 * ignores) and rebuilt when any file it was built from changed. Why: a worker that loads the TypeScript
 * sources through tsx also starts its own loader thread and compiles hundreds of modules, several times
 * a bundle's start-up, which decides whether a second core pays off on archives of a few hundred
 * envelopes (threadsFor in cli/reprocess.ts). The compiled CLI has its workers beside it already.
 */
import { readFileSync, statSync } from 'node:fs';
import { mkdir, rename, writeFile } from 'node:fs/promises';
import { join, resolve } from 'node:path';
import { pathToFileURL } from 'node:url';
import { isCompiled, workerEntry } from './worker-entry';

/** What `new Worker` needs: the file, and the Node flags for it (none: plain JavaScript needs no loader). */
export interface WorkerScript {
  readonly url: URL;
  readonly execArgv?: string[];
}

const ROOT = resolve(import.meta.dirname, '..', '..');

/** The cache folder of a worker's bundle: `reprocess-worker` → node_modules/.cache/fdl-reprocess. */
export const bundleDir = (name: string): string =>
  join(ROOT, 'node_modules', '.cache', `fdl-${name.replace(/-worker$/, '')}`);

/** Size and mtime of each input file (a path under the repository root) when the bundle was built. */
type Manifest = Record<string, [size: number, mtimeMs: number]>;

/**
 * True when `bundle` exists and every input recorded in `manifest` (a JSON file of a Manifest) still has
 * the size and mtime it had then; false when either file is missing or unreadable.
 */
export function bundleIsFresh(bundle: string, manifest: string, root = ROOT): boolean {
  try {
    const inputs = JSON.parse(readFileSync(manifest, 'utf8')) as Manifest;
    statSync(bundle);
    return Object.entries(inputs).every(([path, [size, mtime]]) => {
      const s = statSync(join(root, path));
      return s.size === size && s.mtimeMs === mtime;
    });
  } catch {
    return false;
  }
}

/**
 * The bundle of `cli/<name>.ts` in `dir`, built unless the one there is fresh; the tsx shim
 * (`cli/<name>.mjs`, workerEntry) when esbuild or the folder is unavailable.
 */
export async function buildWorkerBundle(name: string, dir = bundleDir(name)): Promise<WorkerScript> {
  const bundle = join(dir, `${name}.mjs`);
  const manifest = join(dir, `${name}.inputs.json`);
  try {
    if (!bundleIsFresh(bundle, manifest)) {
      const { build } = await import('esbuild');
      const result = await build({
        entryPoints: [join(ROOT, 'cli', `${name}.ts`)],
        absWorkingDir: ROOT,
        bundle: true,
        platform: 'node',
        format: 'esm',
        target: 'node20',
        write: false,
        outfile: bundle,
        metafile: true,
        logLevel: 'silent',
      });
      const inputs: Manifest = {};
      for (const path of Object.keys(result.metafile.inputs)) {
        const s = statSync(join(ROOT, path));
        inputs[path] = [s.size, s.mtimeMs];
      }
      await mkdir(dir, { recursive: true });
      // Temp + rename: concurrent jobs (tests) never load a half-written bundle or manifest.
      await writeFile(`${bundle}.${process.pid}.tmp`, result.outputFiles[0]!.contents);
      await rename(`${bundle}.${process.pid}.tmp`, bundle);
      await writeFile(`${manifest}.${process.pid}.tmp`, JSON.stringify(inputs));
      await rename(`${manifest}.${process.pid}.tmp`, manifest);
    }
    // Plain JavaScript: the worker needs none of the parent's loaders (tsx's would cost ~100 ms).
    return { url: pathToFileURL(bundle), execArgv: [] };
  } catch {
    return { url: workerEntry(name) };
  }
}

const built = new Map<string, Promise<WorkerScript>>();

/**
 * The script of worker `name` (`reprocess-worker`): beside the compiled CLI (cli/build.mjs), or its
 * bundle from source, checked and built once per process.
 */
export function workerScript(name: string): Promise<WorkerScript> {
  if (isCompiled()) return Promise.resolve({ url: workerEntry(name), execArgv: [] });
  let script = built.get(name);
  if (!script) {
    script = buildWorkerBundle(name);
    built.set(name, script);
  }
  return script;
}
