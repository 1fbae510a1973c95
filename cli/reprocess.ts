/**
 * `fdl reprocess --raw <dir> --lake <dir>`: rebuild lake datasets from an archive of raw envelopes.
 *
 * Reads every envelope under `<raw>/raw/` (recursively), picks each one's dataset from its own source
 * and endpoint, groups by the run stamp in the raw file name (`…_YYYYMMDD_HHMM_<part>.json`, see rawKey
 * in lambdas/core/lake.ts), runs the same transform as the Lambda and writes the same keys
 * (`<lake>/<dataset>/year=…/<dataset>_YYYYMMDD_HHMM.parquet`, rejects JSONL beside them): a rerun
 * overwrites, never duplicates. Parquet goes through DuckDB's writer (the bulk path, identical schema).
 *
 * Bad input never stops the job: unreadable files, non-envelopes, non-2xx responses and bodies of the
 * wrong shape are reported and skipped. Only usage/config errors exit non-zero.
 */
import { readFileSync, statSync } from 'node:fs';
import { mkdir, rename, stat, writeFile } from 'node:fs/promises';
import { availableParallelism } from 'node:os';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';
import { parseArgs } from 'node:util';
import { Worker } from 'node:worker_threads';
import { DATASET_NAMES, type DatasetName } from '../lambdas/core/datasets';
import { RAW_PREFIX } from '../lambdas/core/lake';
import { oneLine } from '../local/cli-support';
import type { Command } from './command';
import {
  claimFrom,
  type DatasetSummary,
  type GroupsResult,
  type JobOptions,
  listRunGroups,
  processGroups,
  type ReprocessOptions,
  type ReprocessReport,
  type RunGroup,
} from './reprocess-core';

export type { DatasetSummary, ReprocessOptions, ReprocessReport } from './reprocess-core';
export { partitionTimeOfRawFile } from './reprocess-core';

/**
 * Parallelism: the main thread and the workers claim whole runs from one shared queue, each with its
 * own DuckDB writer, so runs are processed side by side on the machine's cores. A worker costs ~60 ms
 * to start (thread, bundled worker code, DuckDB instance) and runs its first envelopes on cold,
 * unoptimised code. Measured on 2 cores: with 2 runs of 100 envelopes a second thread makes the job
 * slower (the main thread has claimed both runs before the worker is up); with 10 runs of 150 it is
 * ~1.5× faster. Hence a thread per 300 files, and never more threads than runs.
 */
const MIN_FILES_PER_THREAD = 300;
const MAX_THREADS = 4;

/** Thread count for an archive: enough files and runs for each thread to amortise its start-up. */
export function threadsFor(files: number, runs: number, cores = availableParallelism()): number {
  return Math.max(1, Math.min(cores, MAX_THREADS, runs, Math.floor(files / MIN_FILES_PER_THREAD)));
}

const ROOT = resolve(dirname(fileURLToPath(import.meta.url)), '..');
/** Inside node_modules so the bundle resolves @duckdb/node-bindings (the native part) from there. */
const BUNDLE_DIR = join(ROOT, 'node_modules', '.cache', 'fdl-reprocess');
const BUNDLE = join(BUNDLE_DIR, 'reprocess-worker.mjs');
const MANIFEST = join(BUNDLE_DIR, 'reprocess-worker.inputs.json');

/** True when every input the bundle was built from still has the size and mtime it had then. */
function bundleIsFresh(): boolean {
  try {
    const inputs = JSON.parse(readFileSync(MANIFEST, 'utf8')) as Record<string, [number, number]>;
    statSync(BUNDLE);
    return Object.entries(inputs).every(([path, [size, mtime]]) => {
      const s = statSync(join(ROOT, path));
      return s.size === size && s.mtimeMs === mtime;
    });
  } catch {
    return false;
  }
}

/**
 * The worker's entry: an esbuild bundle of cli/reprocess-worker.ts (with @duckdb/node-api's JS),
 * rebuilt when any of its inputs changed. Why: a worker that loads the TypeScript sources through tsx
 * takes ~300 ms to start (its own loader thread and hundreds of modules), a bundle ~50 ms, which
 * decides whether a second core pays off on archives of a few hundred envelopes. Falls back to tsx
 * (reprocess-worker.mjs) when esbuild or the cache directory is unavailable.
 */
let workerEntry: Promise<{ url: URL; execArgv?: string[] }> | undefined;
export function workerScript(): Promise<{ url: URL; execArgv?: string[] }> {
  workerEntry ??= (async () => {
    if (!bundleIsFresh()) {
      const { build } = await import('esbuild');
      const result = await build({
        entryPoints: [join(ROOT, 'cli', 'reprocess-worker.ts')],
        absWorkingDir: ROOT,
        bundle: true,
        platform: 'node',
        format: 'esm',
        target: 'node20',
        write: false,
        outfile: BUNDLE,
        metafile: true,
        logLevel: 'silent',
        // The native binding stays a runtime require (CommonJS, so `require` must exist in ESM).
        external: ['@duckdb/node-bindings'],
        banner: {
          js: "import { createRequire as __fdlCreateRequire } from 'node:module';\nconst require = __fdlCreateRequire(import.meta.url);",
        },
      });
      const inputs: Record<string, [number, number]> = {};
      for (const path of Object.keys(result.metafile.inputs)) {
        const s = statSync(join(ROOT, path));
        inputs[path] = [s.size, s.mtimeMs];
      }
      await mkdir(BUNDLE_DIR, { recursive: true });
      // Temp + rename: concurrent jobs (tests) never load a half-written bundle.
      const tmp = `${BUNDLE}.${process.pid}.tmp`;
      await writeFile(tmp, result.outputFiles[0]!.contents);
      await rename(tmp, BUNDLE);
      await writeFile(`${MANIFEST}.${process.pid}.tmp`, JSON.stringify(inputs));
      await rename(`${MANIFEST}.${process.pid}.tmp`, MANIFEST);
    }
    // Plain JavaScript: the worker needs none of the parent's loaders (tsx's would cost ~100 ms).
    return { url: pathToFileURL(BUNDLE), execArgv: [] };
  })().catch(() => ({ url: new URL('./reprocess-worker.mjs', import.meta.url) }));
  return workerEntry;
}

/** Runs `processGroups` in a worker thread on the shared queue of groups. */
function inWorker(
  { url, execArgv }: { url: URL; execArgv?: string[] },
  groups: readonly RunGroup[],
  counter: SharedArrayBuffer,
  job: JobOptions,
  onFileRead: () => void,
): Promise<GroupsResult> {
  return new Promise((resolve, reject) => {
    const worker = new Worker(url, { workerData: { groups, job, counter }, execArgv });
    let result: GroupsResult | undefined;
    worker.on('message', (m: { read?: number; result?: GroupsResult; error?: string }) => {
      for (let i = 0; i < (m.read ?? 0); i++) onFileRead();
      if (m.result) result = m.result;
      if (m.error) reject(new Error(`reprocess worker failed: ${m.error}`));
    });
    worker.on('error', reject);
    worker.on('exit', (code) =>
      result
        ? resolve(result)
        : reject(new Error(`reprocess worker exited with code ${code} without a result`)),
    );
  });
}

/** The reprocess job (the CLI prints its report). `threads` defaults to `threadsFor(…)`. */
export async function reprocess(
  options: ReprocessOptions & { readonly threads?: number },
): Promise<ReprocessReport> {
  const started = performance.now();
  const { files, groups } = await listRunGroups(options.rawDir);
  const threads = Math.max(1, Math.min(options.threads ?? threadsFor(files, groups.length), groups.length));
  const job: JobOptions = { rawDir: options.rawDir, lakeDir: options.lakeDir, dataset: options.dataset };
  let done = 0;
  const onFileRead = () => {
    done++;
    options.onProgress?.(done, files);
  };
  const counter = new SharedArrayBuffer(4);
  // Workers first: they boot while the main thread is already working on the first run (which blocks
  // this thread until its writes start, so the workers must exist before it begins).
  const script = threads > 1 ? await workerScript() : undefined;
  const workers = Array.from({ length: threads - 1 }, () =>
    inWorker(script!, groups, counter, job, onFileRead),
  );
  for (const w of workers) w.catch(() => {});
  const results = [await processGroups(claimFrom(groups, new Int32Array(counter)), job, onFileRead)];
  results.push(...(await Promise.all(workers)));

  const merged = new Map<DatasetName, DatasetSummary>();
  for (const s of results.flatMap((r) => r.datasets)) {
    const m = merged.get(s.dataset);
    if (!m) merged.set(s.dataset, { ...s });
    else {
      m.files += s.files;
      m.rows += s.rows;
      m.rejects += s.rejects;
      m.skipped += s.skipped;
      m.duplicates += s.duplicates;
      m.outputs += s.outputs;
      m.seconds += s.seconds;
    }
  }
  return {
    files,
    datasets: DATASET_NAMES.flatMap((d) => (merged.has(d) ? [merged.get(d)!] : [])),
    // Threads finish in any order: sort so the report is the same every run.
    problems: results.flatMap((r) => r.problems).sort((a, b) => a.path.localeCompare(b.path)),
    ignored: results.reduce((n, r) => n + r.ignored, 0),
    seconds: (performance.now() - started) / 1000,
  };
}

/** The per-dataset summary table, aligned for a terminal. */
export function formatSummary(report: ReprocessReport): string {
  const header = ['dataset', 'files', 'rows', 'rejects', 'skipped', 'seconds'];
  const body = report.datasets.map((s) => [
    s.dataset,
    String(s.files),
    String(s.rows),
    String(s.rejects),
    String(s.skipped),
    s.seconds.toFixed(2),
  ]);
  const total = report.datasets.reduce(
    (t, s) => [t[0]! + s.files, t[1]! + s.rows, t[2]! + s.rejects, t[3]! + s.skipped],
    [0, 0, 0, 0],
  );
  body.push(['total', ...total.map(String), report.seconds.toFixed(2)]);
  const widths = header.map((h, i) => Math.max(h.length, ...body.map((r) => r[i]!.length)));
  const line = (r: string[]) =>
    r.map((c, i) => (i === 0 ? c.padEnd(widths[i]!) : c.padStart(widths[i]!))).join('  ');
  return [line(header), ...body.map(line)].join('\n');
}

const USAGE = `Usage: fdl reprocess --raw <dir> --lake <dir> [--dataset <name>]

Rebuild lake datasets from archived raw envelopes: reads every envelope under <dir>/raw/, runs the same
transforms as the transform Lambda, and writes <lake>/<dataset>/year=YYYY/month=MM/day=DD/
<dataset>_YYYYMMDD_HHMM.parquet (plus rejects/… JSONL) for each run found. Reruns overwrite the same
files. Unreadable files, non-2xx responses and unexpected bodies are reported and skipped.

Flags:
  --raw <dir>        lake root that holds raw/ (required)
  --lake <dir>       lake root to write datasets into (required; may equal --raw)
  --dataset <name>   only this dataset: ${DATASET_NAMES.join(', ')} (default: all)
  --help             show this help

Example:
  fdl reprocess --raw .local/lake --lake .local/lake --dataset coinlore_tickers`;

/** Where the command writes; tests pass their own. */
export interface CommandIo {
  out(text: string): void;
  err(text: string): void;
}

const PROCESS_IO: CommandIo = {
  out: (t) => process.stdout.write(`${t}\n`),
  err: (t) => process.stderr.write(`${t}\n`),
};

/** Problems listed one per line up to this many; then a count. */
const MAX_LISTED = 20;

async function isDirectory(path: string): Promise<boolean> {
  return stat(path).then(
    (s) => s.isDirectory(),
    () => false,
  );
}

export function createReprocessCommand(io: CommandIo = PROCESS_IO): Command {
  return {
    name: 'reprocess',
    summary: 'rebuild lake datasets (Parquet) from the raw envelope archive',
    usage: USAGE,
    async run(argv) {
      let values: { raw?: string; lake?: string; dataset?: string; help?: boolean };
      try {
        ({ values } = parseArgs({
          args: [...argv],
          options: {
            raw: { type: 'string' },
            lake: { type: 'string' },
            dataset: { type: 'string' },
            help: { type: 'boolean', short: 'h' },
          },
          strict: true,
          allowPositionals: false,
        }));
      } catch (err) {
        io.err(`fdl reprocess: ${oneLine((err as Error).message)} (see fdl reprocess --help)`);
        return 2;
      }
      if (values.help) {
        io.out(USAGE);
        return 0;
      }
      if (!values.raw || !values.lake) {
        io.err(
          `fdl reprocess: --${values.raw ? 'lake' : 'raw'} <dir> is required (see fdl reprocess --help)`,
        );
        return 2;
      }
      if (values.dataset !== undefined && !(DATASET_NAMES as readonly string[]).includes(values.dataset)) {
        io.err(
          `fdl reprocess: unknown dataset "${values.dataset}"; expected one of ${DATASET_NAMES.join(', ')}`,
        );
        return 2;
      }
      if (!(await isDirectory(values.raw))) {
        io.err(`fdl reprocess: --raw ${values.raw} is not a directory`);
        return 2;
      }
      if (!(await isDirectory(join(values.raw, RAW_PREFIX)))) {
        io.err(
          `fdl reprocess: ${join(values.raw, RAW_PREFIX)} does not exist; --raw must be a lake root holding raw/`,
        );
        return 2;
      }

      let lastPrint = 0;
      const report = await reprocess({
        rawDir: values.raw,
        lakeDir: values.lake,
        dataset: values.dataset as DatasetName | undefined,
        onProgress: (n, total) => {
          const now = performance.now();
          // At most one progress line a second (long archives); always the last one.
          if (n === total || now - lastPrint >= 1000) {
            lastPrint = now;
            io.err(`read ${n}/${total} files`);
          }
        },
      });

      for (const p of report.problems.slice(0, MAX_LISTED)) io.err(`skipped ${p.path}: ${p.reason}`);
      if (report.problems.length > MAX_LISTED)
        io.err(`… and ${report.problems.length - MAX_LISTED} more skipped files or envelopes`);
      if (report.ignored > 0) io.err(`${report.ignored} envelopes of other endpoints or datasets ignored`);
      io.out(formatSummary(report));
      return 0;
    },
  };
}

/** `fdl reprocess`, registered by cli/fdl.ts. */
export const reprocessCommand: Command = createReprocessCommand();
