/**
 * `fdl reprocess --raw <dir> --lake <dir>`: rebuild lake datasets from an archive of raw envelopes.
 *
 * Reads every envelope under `<raw>/raw/` (recursively), picks each one's dataset from its own source
 * and endpoint, groups by the run stamp in the raw file name (`…_YYYYMMDD_HHMM_<part>.json`, see rawKey
 * in lambdas/core/lake.ts), runs the same transform as the Lambda and writes the same keys
 * (`<lake>/<dataset>/year=…/<dataset>_YYYYMMDD_HHMM.parquet`, rejects JSONL beside them): a rerun
 * overwrites, never duplicates. Parquet is written by the transform Lambda's own writer.
 *
 * Bad input never stops the job: unreadable files, non-envelopes, non-2xx responses and bodies of the
 * wrong shape are reported and skipped, and so is an output file that cannot be written. Usage/config
 * errors exit 2; finding nothing to rebuild, or an output not written, exits 1.
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
import type { Command } from './command';
import { oneLine } from './kit/args';
import { type Io, processIo, table, toJson } from './kit/io';
import { listingLine, progressLine } from './kit/progress';
import { isCompiled, workerEntry } from './kit/worker-entry';
import {
  claimFrom,
  type DatasetSummary,
  emptySummary,
  type GroupsResult,
  type JobOptions,
  type ReprocessOptions,
  type ReprocessReport,
  type RunGroup,
} from './reprocess-job';
import {
  HOLD_FILES,
  indexArchive,
  type ListedFolders,
  runWindows,
  WINDOW_FILES,
  windowGroups,
} from './reprocess-listing';

export type { DatasetSummary, ReprocessOptions, ReprocessReport } from './reprocess-job';
export { partitionTimeOfRawFile } from './reprocess-listing';

/**
 * Parallelism: the main thread and the workers claim whole runs from one shared queue, so runs are
 * processed side by side on the machine's cores. A worker takes ~0.12 s from `new Worker` to its result
 * with no run to process on the 2-core AMD EPYC of docs/benchmarks.md (its thread and bundled code;
 * docs/reprocess.md, "Start-up, and dedupe by bytes") and runs its first runs on cold, unoptimised
 * code. Measured on 2 cores, back when workers opened DuckDB: with 2 runs of 100 envelopes a second
 * thread made the job slower (the main thread had claimed both runs before the worker was up); with 10
 * runs of 150 it was ~1.5× faster. Hence a thread per 300 files (workers start sooner now, so this errs
 * on the safe side), and never more threads than runs.
 */
const MIN_FILES_PER_THREAD = 300;
const MAX_THREADS = 4;
/** The most `--threads` accepts: past the cores, more threads only share them. */
export const MAX_THREADS_FLAG = 64;

/** Thread count for an archive: enough files and runs for each thread to amortise its start-up. */
export function threadsFor(files: number, runs: number, cores = availableParallelism()): number {
  return Math.max(1, Math.min(cores, MAX_THREADS, runs, Math.floor(files / MIN_FILES_PER_THREAD)));
}

const ROOT = resolve(dirname(fileURLToPath(import.meta.url)), '..');
/** node_modules/.cache: the usual place for a tool's build cache (git ignores node_modules). */
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
 * The worker's entry: an esbuild bundle of cli/reprocess-worker.ts, rebuilt when any of its inputs
 * changed. Why: a worker that loads the TypeScript sources through tsx also starts its own loader
 * thread and compiles hundreds of modules, several times a bundle's start-up (see threadsFor), which
 * decides whether a second core pays off on archives of a few hundred envelopes. Falls back to tsx
 * (reprocess-worker.mjs) when esbuild or the cache directory is unavailable.
 */
let workerEntryPromise: Promise<{ url: URL; execArgv?: string[] }> | undefined;
export function workerScript(): Promise<{ url: URL; execArgv?: string[] }> {
  // The compiled CLI (cli/build.mjs) already holds the worker as plain JavaScript beside it.
  if (isCompiled()) return Promise.resolve({ url: workerEntry('reprocess-worker'), execArgv: [] });
  workerEntryPromise ??= (async () => {
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
  return workerEntryPromise;
}

/** A worker thread of the job: `run` processes one window's groups from the shared queue. */
interface JobWorker {
  run(groups: readonly RunGroup[], counter: SharedArrayBuffer): Promise<GroupsResult>;
  /** Lets the worker exit once it is idle (after the last window). */
  end(): Promise<unknown>;
  /** Ends the thread now (after a failure elsewhere). */
  stop(): Promise<unknown>;
}

/**
 * Starts a worker thread (cli/reprocess-worker.ts) that processes windows of run groups as they are
 * posted to it, one at a time, and posts back progress and each window's result.
 */
function startWorker(
  { url, execArgv }: { url: URL; execArgv?: string[] },
  job: JobOptions,
  onFileRead: () => void,
): JobWorker {
  const worker = new Worker(url, { workerData: { job }, execArgv });
  let pending: { resolve: (r: GroupsResult) => void; reject: (e: Error) => void } | undefined;
  let failure: Error | undefined;
  const fail = (err: Error) => {
    failure ??= err;
    pending?.reject(err);
    pending = undefined;
  };
  worker.on('message', (m: { read?: number; result?: GroupsResult; error?: string }) => {
    for (let i = 0; i < (m.read ?? 0); i++) onFileRead();
    if (m.error) fail(new Error(`reprocess worker failed: ${m.error}`));
    else if (m.result) {
      pending?.resolve(m.result);
      pending = undefined;
    }
  });
  worker.on('error', fail);
  const exited = new Promise<number>((resolve) =>
    worker.on('exit', (code) => {
      fail(new Error(`reprocess worker exited with code ${code} without a result`));
      resolve(code);
    }),
  );
  return {
    run(groups, counter) {
      if (pending) throw new Error('a reprocess worker takes one window at a time');
      const result = failure
        ? Promise.reject(failure)
        : new Promise<GroupsResult>((resolve, reject) => {
            pending = { resolve, reject };
            worker.postMessage({ groups, counter });
          });
      // Awaited by the caller; this only keeps Node from reporting a failure before that.
      result.catch(() => {});
      return result;
    },
    end: () => {
      worker.postMessage({ end: true });
      return exited;
    },
    stop: () => worker.terminate(),
  };
}

/** The module that does the work (cli/reprocess-core.ts), loaded after the workers start. */
type Core = Pick<typeof import('./reprocess-core'), 'processGroups'>;
const loadCore = (): Promise<Core> => import('./reprocess-core');

/**
 * The reprocess job (the CLI prints its report). `threads` defaults to `threadsFor(…)`; it is never
 * more than the runs. `core` loads the work's module (a test's stand-in can fail).
 */
export async function reprocess(
  options: ReprocessOptions & {
    readonly threads?: number;
    /**
     * Paths held and files per window (HOLD_FILES and WINDOW_FILES of cli/reprocess-listing.ts):
     * smaller in tests, to have several windows.
     */
    readonly windowFiles?: number;
  },
  core: () => Promise<Core> = loadCore,
): Promise<ReprocessReport> {
  const started = performance.now();
  const index = indexArchive(options.rawDir, options, options.windowFiles ?? HOLD_FILES, options.onListing);
  const files = index.runs.reduce((n, r) => n + r.files, 0);
  const asked = options.threads === undefined ? Number.NaN : Math.floor(options.threads);
  const threads = Math.max(
    1,
    Math.min(
      Number.isNaN(asked) ? threadsFor(files, index.runs.length) : asked,
      Math.max(1, index.runs.length),
    ),
  );
  const job: JobOptions = {
    rawDir: options.rawDir,
    lakeDir: options.lakeDir,
    dataset: options.dataset,
    datasets: options.datasets,
    from: options.from,
    to: options.to,
    run: options.run,
    runId: options.runId,
  };
  let done = 0;
  /** Files a second listing found beyond the first's count (see windowGroups): read, and counted. */
  let added = 0;
  const onFileRead = () => {
    done++;
    options.onProgress?.(done, files + added);
  };
  // Workers first: they boot while this thread lists the first window and loads the transform and the
  // Parquet writer, and then works on the first run (which blocks it until its writes start, so the
  // workers must exist before). Loading those modules only now, not when the command is loaded,
  // starts the workers sooner.
  const script = threads > 1 ? await workerScript() : undefined;
  const workers = Array.from({ length: threads - 1 }, () => startWorker(script!, job, onFileRead));
  // An archive whose paths were all held is one window: its paths are in memory anyway.
  const windows = runWindows(
    index.runs,
    index.complete ? Number.POSITIVE_INFINITY : (options.windowFiles ?? WINDOW_FILES),
  );
  const results: GroupsResult[] = [];
  const problems = [...index.problems];
  let gone = 0;
  const listed: ListedFolders = new Map();
  /** A window's groups, listed again if need be (see windowGroups). */
  const list = (w: number): RunGroup[] => {
    const window = windowGroups(index, windows[w]!, listed);
    problems.push(...window.problems);
    gone += window.gone;
    added += window.added;
    return window.groups;
  };
  /**
   * Posts a window to every worker, with a fresh counter that every thread claims its runs from. Only
   * once the workers are done with the window before: a worker takes one window at a time.
   */
  const post = (groups: RunGroup[]) => {
    const counter = new SharedArrayBuffer(4);
    return { groups, counter, pending: workers.map((worker) => worker.run(groups, counter)) };
  };
  try {
    // The first window goes to the workers before this thread loads its modules, so a worker that is
    // up sooner starts sooner.
    let current = windows.length > 0 ? post(list(0)) : undefined;
    const { processGroups } = await core();
    for (let w = 0; current !== undefined; w++) {
      const { groups, counter, pending } = current;
      results.push(await processGroups(claimFrom(groups, new Int32Array(counter)), job, onFileRead));
      // Listing the next window overlaps the workers' last runs of this one.
      const next = w + 1 < windows.length ? list(w + 1) : undefined;
      results.push(...(await Promise.all(pending)));
      current = next === undefined ? undefined : post(next);
    }
  } catch (err) {
    // A failure anywhere ends the job: the other threads must not go on writing files after it.
    await Promise.all(workers.map((worker) => worker.stop()));
    throw err;
  }
  await Promise.all(workers.map((worker) => worker.end()));

  const merged = new Map<DatasetName, DatasetSummary>();
  for (const s of results.flatMap((r) => r.datasets)) {
    const m = merged.get(s.dataset) ?? emptySummary(s.dataset);
    merged.set(s.dataset, m);
    for (const k of SUMMED) m[k] += s[k];
  }
  return {
    files: index.files + added,
    datasets: DATASET_NAMES.flatMap((d) => (merged.has(d) ? [merged.get(d)!] : [])),
    // Threads finish in any order: sort so the report is the same every run.
    problems: [...problems, ...results.flatMap((r) => r.problems)].sort((a, b) =>
      a.path.localeCompare(b.path),
    ),
    unreadable: index.problems.length + gone + results.reduce((n, r) => n + r.unreadable, 0),
    ignored: results.reduce((n, r) => n + r.ignored, 0),
    filtered: index.filtered,
    failedWrites: results.reduce((n, r) => n + r.failedWrites, 0),
    threads,
    seconds: (performance.now() - started) / 1000,
  };
}

/** The per-dataset counts the summary prints, in column order. */
const SUMMARY_COUNTS = [
  'files',
  'skipped',
  'records',
  'rows',
  'rejects',
  'duplicates',
  'more',
  'withheld',
  'nulled',
] as const;

/** The counters of a DatasetSummary that add up across threads. */
const SUMMED = [...SUMMARY_COUNTS, 'outputs', 'seconds'] as const;

/**
 * The summary: a per-dataset table whose columns balance (records = rows + rejects + duplicates +
 * more + withheld), the files line (files = envelopes read into datasets + unreadable + ignored +
 * filtered) and the values nulled by casting.
 */
export function formatSummary(report: ReprocessReport): string {
  const counts = SUMMARY_COUNTS;
  const header = ['dataset', ...counts, 'seconds'];
  const body = report.datasets.map((s) => [
    s.dataset,
    ...counts.map((k) => String(s[k])),
    s.seconds.toFixed(2),
  ]);
  const totals = counts.map((k) => report.datasets.reduce((n, s) => n + s[k], 0));
  body.push(['total', ...totals.map(String), report.seconds.toFixed(2)]);
  const [files] = totals;
  return [
    table([header, ...body], { align: ['left', ...header.slice(1).map(() => 'right' as const)] }),
    '',
    `files: ${report.files} = ${files} envelopes read into datasets + ${report.unreadable} unreadable + ${report.ignored} of other endpoints or datasets + ${report.filtered} outside --run/--from/--to`,
    `threads: ${report.threads} (the main thread included; see --threads)`,
    'records = rows + rejects + duplicates + more (Reddit "more" stubs) + withheld (not written: an existing file kept, or a failed write; each listed); nulled: values sent but not castable, written as null',
  ].join('\n');
}

const USAGE = `Usage: fdl reprocess --raw <dir> --lake <dir> [--run <run-id> | --from <iso> --to <iso>] [--datasets <a,b>]

Rebuild lake datasets from archived raw envelopes: reads every envelope under <dir>/raw/, runs the same
transforms as the transform Lambda, and writes <lake>/<dataset>/year=YYYY/month=MM/day=DD/
<dataset>_YYYYMMDD_HHMM.parquet (plus rejects/… JSONL) for each run found. Reruns overwrite the same
files. Unreadable files, non-2xx responses and unexpected bodies are reported (path and reason) and
skipped; symbolic links under raw/ are not followed. Raw files without a run stamp in their name join
the run of their fetched_at minute; alone, they never delete or shrink an existing Parquet file.
Progress goes to stderr; the summary (rows in = rows out + rejects + duplicates + …) to stdout.
Exit status: 0 when files were processed (bad files are reported, not fatal); 1 when no raw file was
found, or none in the chosen runs (a wrong --raw or a range with no data), or when an output file could
not be written (each is listed; the other runs are written); 2 for a usage error.

Flags:
  --raw <dir>          lake root that holds raw/ (required)
  --lake <dir>         lake root to write datasets into (required; may equal --raw)
  --run <run-id>       only one run: a run id holding its stamp (local-20261124_1020-ab12cd,
                       replay-20261124_1020), the stamp 20261124_1020, or its partition time (ISO);
                       a full run id is written into the rows' run_id (default reprocess-<stamp>)
  --from <iso>         only runs with a partition time at or after this time
  --to <iso>           only runs with a partition time before this time
  --datasets <a,b>     only these datasets: ${DATASET_NAMES.join(', ')} (default: all)
  --dataset <name>     the same, for one dataset
  --threads <n>        threads to use, the main thread included, 1 to ${MAX_THREADS_FLAG}; never more than the
                       archive's runs (default: one per core, at most ${MAX_THREADS}, at most one per ${MIN_FILES_PER_THREAD} files)
  --json               print the report (per-dataset counts, problems) as JSON instead of the table
  --help               show this help

Examples:
  fdl reprocess --raw .local/lake --lake .local/lake --datasets coinlore_tickers
  fdl reprocess --raw .local/lake --lake .local/lake --run replay-20261124_1020
  fdl reprocess --raw archive --lake rebuilt --from 2026-11-01T00:00Z --to 2026-12-01T00:00Z`;

/** A run stamp (YYYYMMDD_HHMM) anywhere in a run id. */
const RUN_STAMP = /(\d{4})(\d{2})(\d{2})_(\d{2})(\d{2})/;

/**
 * The partition time `--run` names: the stamp inside a run id (or alone), or an ISO time; undefined
 * when it names none. Runs are found by partition time because the raw archive's file names carry the
 * stamp, not the run id (an AWS execution name holds no time).
 */
export function partitionTimeOfRun(run: string): Date | undefined {
  const m = RUN_STAMP.exec(run);
  if (m) {
    const [y, mo, d, h, mi] = m.slice(1).map(Number) as [number, number, number, number, number];
    const t = new Date(Date.UTC(y, mo - 1, d, h, mi));
    return t.getUTCMonth() === mo - 1 && t.getUTCDate() === d && h < 24 && mi < 60 ? t : undefined;
  }
  if (!/^\d{4}-\d{2}-\d{2}T/.test(run)) return undefined;
  const t = new Date(run);
  return Number.isNaN(t.getTime()) ? undefined : t;
}

/** Where the command writes; tests pass their own. */
export type CommandIo = Io;

/** Problems listed one per line up to this many; then a count. */
const MAX_LISTED = 20;

async function isDirectory(path: string): Promise<boolean> {
  return stat(path).then(
    (s) => s.isDirectory(),
    () => false,
  );
}

export function createReprocessCommand(defaultIo: CommandIo = processIo): Command {
  return {
    name: 'reprocess',
    summary: 'Rebuild lake datasets (Parquet) from the raw envelope archive.',
    usage: USAGE,
    async run(argv, io = defaultIo) {
      let values: {
        raw?: string;
        lake?: string;
        dataset?: string;
        datasets?: string;
        run?: string;
        from?: string;
        to?: string;
        threads?: string;
        json?: boolean;
        help?: boolean;
      };
      try {
        ({ values } = parseArgs({
          args: [...argv],
          options: {
            raw: { type: 'string' },
            lake: { type: 'string' },
            dataset: { type: 'string' },
            datasets: { type: 'string' },
            run: { type: 'string' },
            from: { type: 'string' },
            to: { type: 'string' },
            threads: { type: 'string' },
            json: { type: 'boolean' },
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
      const usage = (message: string) => {
        io.err(`fdl reprocess: ${message} (see fdl reprocess --help)`);
        return 2;
      };
      if (!values.raw || !values.lake) return usage(`--${values.raw ? 'lake' : 'raw'} <dir> is required`);
      const names = [values.dataset, ...(values.datasets?.split(',') ?? [])]
        .filter((d): d is string => d !== undefined)
        .map((d) => d.trim());
      for (const d of names)
        if (!(DATASET_NAMES as readonly string[]).includes(d))
          return usage(`unknown dataset "${d}"; expected one of ${DATASET_NAMES.join(', ')}`);
      const times: Partial<Record<'from' | 'to', string>> = {};
      for (const k of ['from', 'to'] as const) {
        const v = values[k];
        if (v === undefined) continue;
        const t = /^\d{4}-\d{2}-\d{2}/.test(v) ? new Date(v) : new Date(Number.NaN);
        if (Number.isNaN(t.getTime()))
          return usage(`--${k} "${v}" is not an ISO-8601 time (e.g. 2026-11-24T10:20Z)`);
        times[k] = t.toISOString();
      }
      if (times.from && times.to && times.from >= times.to) return usage('--from must be before --to');
      let threads: number | undefined;
      if (values.threads !== undefined) {
        threads = /^\d+$/.test(values.threads) ? Number(values.threads) : Number.NaN;
        if (!(threads >= 1 && threads <= MAX_THREADS_FLAG))
          return usage(`--threads "${values.threads}" is not a whole number from 1 to ${MAX_THREADS_FLAG}`);
      }
      let run: string | undefined;
      if (values.run !== undefined) {
        if (values.from !== undefined || values.to !== undefined)
          return usage('--run names one run; use it without --from/--to');
        const t = partitionTimeOfRun(values.run);
        if (!t)
          return usage(
            `--run "${values.run}" holds no run stamp (YYYYMMDD_HHMM) or ISO time; raw files are found by the stamp in their names`,
          );
        run = t.toISOString();
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
      const started = performance.now();
      let lastListed = started;
      const report = await reprocess({
        rawDir: values.raw,
        lakeDir: values.lake,
        ...(names.length > 0 ? { datasets: names as DatasetName[] } : {}),
        ...times,
        ...(threads ? { threads } : {}),
        ...(run
          ? {
              run,
              ...(RUN_STAMP.test(values.run!) && !/^\d{8}_\d{4}$/.test(values.run!)
                ? { runId: values.run }
                : {}),
            }
          : {}),
        onListing: (files, folders) => {
          const now = performance.now();
          // A large archive takes a while to list before its first file is read: a line a second.
          if (now - lastListed >= 1000) {
            lastListed = now;
            io.err(listingLine(files, folders, now - started));
          }
        },
        onProgress: (n, total) => {
          const now = performance.now();
          // At most one progress line a second (long archives); always the last one.
          if (n === total || now - lastPrint >= 1000) {
            lastPrint = now;
            io.err(progressLine(n, total, now - started));
          }
        },
      });
      // Nothing to rebuild is a failure for a script: a wrong --raw or a range with no data would
      // otherwise look like success.
      const nothing = report.files === 0 || report.filtered === report.files;
      if (nothing)
        io.err(
          `fdl reprocess: no raw files${report.files > 0 ? ' in the chosen runs' : ''} under ${join(values.raw, RAW_PREFIX)}`,
        );

      // Outputs kept or not written are not skipped input: say which list a line belongs to.
      for (const p of report.problems.slice(0, MAX_LISTED))
        io.err(`${/^(kept|not written)\b/.test(p.reason) ? 'output' : 'skipped'} ${p.path}: ${p.reason}`);
      if (report.problems.length > MAX_LISTED)
        io.err(`… and ${report.problems.length - MAX_LISTED} more skipped files or envelopes`);
      io.out(values.json ? toJson(report) : formatSummary(report));
      if (report.failedWrites > 0)
        io.err(
          `fdl reprocess: ${report.failedWrites} output file${report.failedWrites === 1 ? '' : 's'} not written (the reasons are above, and all of them in --json); the other runs were written`,
        );
      return nothing || report.failedWrites > 0 ? 1 : 0;
    },
  };
}

/** `fdl reprocess`, registered by cli/fdl.ts. */
export const reprocessCommand: Command = createReprocessCommand();
