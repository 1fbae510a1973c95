/**
 * Where a worker thread's code is. Every `cli/<name>-worker.ts` is an entry point of the compiled CLI
 * (cli/build.mjs), written to `dist/cli/<name>-worker.mjs` beside the dispatcher; from source, a worker
 * starts from `cli/<name>-worker.mjs`, a plain-JavaScript shim that registers tsx and imports the .ts
 * (a worker does not inherit its parent's loader).
 */
import { join } from 'node:path';
import { pathToFileURL } from 'node:url';

/** Replaced by `true` in the compiled CLI (esbuild `define`); undeclared when running from source. */
declare const FDL_COMPILED: boolean | undefined;

/** True when this code runs from dist/cli/ rather than through tsx. */
export const isCompiled = () => typeof FDL_COMPILED !== 'undefined' && FDL_COMPILED;

/** The file to pass to `new Worker(…)` for `cli/<name>.ts` (name like `reprocess-worker`). */
export function workerEntry(name: string): URL {
  return isCompiled()
    ? // import.meta.dirname is the running file's folder: dist/cli/ (the build leaves it alone).
      pathToFileURL(join(import.meta.dirname, `${name}.mjs`))
    : new URL(`../${name}.mjs`, import.meta.url);
}
