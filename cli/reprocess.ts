/**
 * The `fdl reprocess` job (the command, its flags and what it prints: cli/reprocess-command.ts):
 * rebuild lake datasets from an archive of raw envelopes.
 *
 * Reads every envelope under `<raw>/raw/` (recursively), picks each one's dataset from its own source
 * and endpoint, groups by the run stamp in the raw file name (`…_YYYYMMDD_HHMM_<part>.json`, see rawKey
 * in lambdas/core/lake.ts), runs the same transform as the Lambda and writes the same keys
 * (`<lake>/<dataset>/year=…/<dataset>_YYYYMMDD_HHMM.parquet`, rejects JSONL beside them): a rerun
 * overwrites, never duplicates. Parquet is written by the transform Lambda's own writer.
 *
 * Bad input never stops the job: unreadable files, non-envelopes, non-2xx responses and bodies of the
 * wrong shape are reported and skipped, and so is an output file that cannot be written. A signal
 * (Ctrl-C) stops it between runs: the runs under way are written and the report says where to go on.
 */
import { availableParallelism } from 'node:os';
import { posix } from 'node:path';
import { Worker } from 'node:worker_threads';
import { FsLakeStore } from '../lambdas/adapters/fs-lake-store';
import { DATASET_NAMES, type DatasetName } from '../lambdas/core/datasets';
import { datasetKey, rejectsKey } from '../lambdas/core/lake';
import { type WorkerScript, workerScript } from './kit/worker-bundle';
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
  indexArchiveYielding,
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
 * docs/reprocess-performance.md, "Start-up, and dedupe by bytes") and runs its first runs on cold, unoptimised
 * code. Measured on 2 cores, back when workers opened DuckDB: with 2 runs of 100 envelopes a second
 * thread made the job slower (the main thread had claimed both runs before the worker was up); with 10
 * runs of 150 it was ~1.5× faster. Hence a thread per 300 files (workers start sooner now, so this errs
 * on the safe side), and never more threads than runs.
 */
export const MIN_FILES_PER_THREAD = 300;
export const MAX_THREADS = 4;
/** The most `--threads` accepts: past the cores, more threads only share them. */
export const MAX_THREADS_FLAG = 64;
/** A claim counter past any window's end: once stopped, every claim finds no run (see claimFrom). */
const STOPPED = 2 ** 30;

/** Thread count for an archive: enough files and runs for each thread to amortise its start-up. */
export function threadsFor(files: number, runs: number, cores = availableParallelism()): number {
  return Math.max(1, Math.min(cores, MAX_THREADS, runs, Math.floor(files / MIN_FILES_PER_THREAD)));
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
function startWorker({ url, execArgv }: WorkerScript, job: JobOptions, onFileRead: () => void): JobWorker {
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
  const index = await indexArchiveYielding(
    options.rawDir,
    options,
    options.windowFiles ?? HOLD_FILES,
    options.onListing,
    options.signal,
  );
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
  options.onStart?.(files, index.runs.length, threads, index.filtered);
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
  const script = threads > 1 ? await workerScript('reprocess-worker') : undefined;
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
  /** The window being processed: its groups, the counter every thread claims them from, the workers' results. */
  let active:
    | { groups: readonly RunGroup[]; counter: Int32Array; pending: Promise<GroupsResult>[] }
    | undefined;
  /** Set when the signal stops the job: how many of the active window's runs had been claimed. */
  let stopped: { claimed: number } | undefined;
  const stop = () => {
    if (stopped) return;
    // Every later claim gets an index past the window's end, so no thread starts another run; the value
    // replaced is how many runs were claimed, each of which its thread finishes and writes.
    const claimed = active ? Math.min(Atomics.exchange(active.counter, 0, STOPPED), active.groups.length) : 0;
    stopped = { claimed };
    // What is safe if the process is killed now: a thread holds at most two unfinished runs (the one it
    // reads, and the one before while its files are written: processGroups), and the windows before
    // this one are finished (the next is posted only then), so every run before the last 2 × threads
    // claimed is written.
    const safe = active && claimed > 0 ? active.groups[Math.max(0, claimed - 2 * threads)] : undefined;
    options.onStopping?.(safe?.time);
  };
  /**
   * Posts a window to every worker, with a fresh counter that every thread claims its runs from. Only
   * once the workers are done with the window before: a worker takes one window at a time.
   */
  const post = (groups: RunGroup[]) => {
    const counter = new SharedArrayBuffer(4);
    active = {
      groups,
      counter: new Int32Array(counter),
      pending: workers.map((worker) => worker.run(groups, counter)),
    };
    return active;
  };
  options.signal?.addEventListener('abort', stop);
  if (options.signal?.aborted) stop();
  let w = 0;
  /** A window listed while the job was being stopped, and so never posted. */
  let unposted: RunGroup[] | undefined;
  try {
    // The first window goes to the workers before this thread loads its modules, so a worker that is
    // up sooner starts sooner.
    let current = windows.length > 0 && !stopped ? post(list(0)) : undefined;
    const { processGroups } = await core();
    for (; current !== undefined; w++) {
      const { groups, counter, pending } = current;
      results.push(await processGroups(claimFrom(groups, counter), job, onFileRead));
      // Listing the next window overlaps the workers' last runs of this one.
      const next = w + 1 < windows.length && !stopped ? list(w + 1) : undefined;
      results.push(...(await Promise.all(pending)));
      if (stopped) {
        unposted = next;
        break;
      }
      current = next === undefined ? undefined : post(next);
    }
  } catch (err) {
    // A failure anywhere ends the job: the other threads must not go on writing files after it.
    await Promise.all(workers.map((worker) => worker.stop()));
    throw err;
  } finally {
    options.signal?.removeEventListener('abort', stop);
  }
  await Promise.all(workers.map((worker) => worker.end()));

  // The runs not processed, in time order: the active window's unclaimed ones, then later windows'.
  const left: { time: string; files: number }[] = [];
  if (stopped) {
    for (const g of active?.groups.slice(stopped.claimed) ?? [])
      left.push({ time: g.time, files: g.files.length });
    for (const g of unposted ?? []) left.push({ time: g.time, files: g.files.length });
    const firstUnlisted = active ? w + 1 + (unposted ? 1 : 0) : 0;
    for (const r of windows.slice(firstUnlisted).flat())
      left.push({ time: new Date(r.time).toISOString(), files: r.files });
  }
  const removedTemps = await removeStaleTemps(
    options,
    index.runs.slice(0, index.runs.length - left.length).map((r) => r.time),
  );
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
    removedTemps,
    seconds: (performance.now() - started) / 1000,
    ...(left.length > 0
      ? {
          interrupted: {
            resumeFrom: left[0]!.time,
            processedRuns: index.runs.length - left.length,
            runs: left.length,
            files: left.reduce((n, r) => n + r.files, 0),
          },
        }
      : {}),
  };
}

/**
 * Removes, from the lake folders of the runs processed (their day's folder of each dataset the job
 * writes, and of its rejects), the temp files of writers no longer running: a job quit mid-write (a
 * second Ctrl-C, a kill) leaves its runs' temp files there, and its rerun cleans them up. Returns how
 * many were removed.
 */
async function removeStaleTemps(job: JobOptions, runTimes: readonly number[]): Promise<number> {
  const lake = new FsLakeStore(job.lakeDir);
  const datasets = job.datasets ?? (job.dataset ? [job.dataset] : DATASET_NAMES);
  const folders = new Set<string>();
  let day = Number.NaN;
  for (const time of runTimes) {
    // Folders are per day: one run of each day names them all.
    if (Math.floor(time / DAY_MS) === day) continue;
    day = Math.floor(time / DAY_MS);
    const t = new Date(time);
    for (const d of datasets)
      for (const key of [datasetKey(d, t), rejectsKey(d, t)]) folders.add(posix.dirname(key));
  }
  let removed = 0;
  for (const folder of folders) removed += (await lake.removeStaleTemps(folder)).length;
  return removed;
}

const DAY_MS = 86_400_000;

/** The per-dataset counts the summary prints, in column order. */
export const SUMMARY_COUNTS = [
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
