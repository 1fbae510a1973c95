/**
 * The work of `fdl reprocess` (cli/reprocess.ts), shared by the main thread and the worker threads
 * (cli/reprocess-worker.ts): list and group raw files by run, then for a list of run groups read, parse,
 * transform and write Parquet (DuckDB bulk writer) and rejects.
 */
import { readFileSync } from 'node:fs';
import { mkdir, readdir, rename, rm, writeFile } from 'node:fs/promises';
import { dirname, join, relative, sep } from 'node:path';
import { DuckDbParquetWriter } from '../lambdas/adapters/duckdb-parquet';
import { type DatasetName, datasetForEndpoint } from '../lambdas/core/datasets';
import { type Envelope, envelopeProblem } from '../lambdas/core/envelope';
import { datasetKey, RAW_PREFIX, rejectsKey, stamp } from '../lambdas/core/lake';
import { type BatchTransformer, createBatchTransformer } from '../lambdas/core/transform';

/** What every thread of one reprocess job needs (plain data: it crosses to worker threads). */
export interface JobOptions {
  /** A lake root holding `raw/`. */
  readonly rawDir: string;
  /** The lake root to write datasets and rejects into (may be the same as rawDir). */
  readonly lakeDir: string;
  /** Only this dataset; default all. */
  readonly dataset?: DatasetName;
}

/** The raw files of one run (one partition time), or of files without a run stamp (`time` absent). */
export interface RunGroup {
  /** ISO-8601 partition time parsed from the file names. */
  readonly time?: string;
  readonly files: readonly string[];
}

export interface ReprocessOptions extends JobOptions {
  /** Called as files are read: (files read so far, total files). */
  readonly onProgress?: (done: number, total: number) => void;
}

export interface DatasetSummary {
  readonly dataset: DatasetName;
  /** Envelopes of this dataset read (skipped ones included). */
  files: number;
  rows: number;
  rejects: number;
  skipped: number;
  duplicates: number;
  /** Parquet files written (one per run partition with rows). */
  outputs: number;
  /**
   * Time spent parsing, transforming and writing this dataset. Writes overlap other work (see the
   * pipeline in reprocess), so the datasets' seconds can add up to more than the wall time.
   */
  seconds: number;
}

export interface ReprocessReport {
  readonly files: number;
  readonly datasets: DatasetSummary[];
  /** Files that are not JSON or not envelopes, and envelopes the transform skipped: path + reason. */
  readonly problems: { readonly path: string; readonly reason: string }[];
  /** Envelopes of endpoints no dataset reads (e.g. the Reddit token exchange), or filtered out. */
  readonly ignored: number;
  readonly seconds: number;
}

const STAMP = /_(\d{4})(\d{2})(\d{2})_(\d{2})(\d{2})_[^/\\]*\.json$/;

/** The run partition time encoded in a raw file name, or undefined. */
export function partitionTimeOfRawFile(path: string): Date | undefined {
  const m = STAMP.exec(path);
  if (!m) return undefined;
  const [, y, mo, d, h, mi] = m.map(Number) as [number, number, number, number, number, number];
  const t = new Date(Date.UTC(y, mo - 1, d, h, mi));
  return Number.isNaN(t.getTime()) ? undefined : t;
}

const minuteOf = (iso: string): Date => {
  const t = new Date(iso);
  t.setUTCSeconds(0, 0);
  return t;
};

/** Writes a file atomically (temp + rename), like an S3 PUT replaces an object. */
async function writeAtomic(path: string, body: string): Promise<void> {
  await mkdir(dirname(path), { recursive: true });
  const tmp = `${path}.${process.pid}.tmp`;
  await writeFile(tmp, body);
  await rename(tmp, path);
}

/** The reprocess job (the CLI prints its report). */
/** The raw files under `<rawDir>/raw/`, grouped by run (sorted by time; files without a stamp last). */
export async function listRunGroups(rawDir: string): Promise<{ files: number; groups: RunGroup[] }> {
  const rawRoot = join(rawDir, RAW_PREFIX);
  const files = (await readdir(rawRoot, { recursive: true }))
    .filter((f) => f.endsWith('.json'))
    .map((f) => join(rawRoot, f))
    .sort();
  // Group by run stamp from the file name; files without one are grouped by their envelope's time.
  const byStamp = new Map<string, string[]>();
  const unstamped: string[] = [];
  for (const f of files) {
    const t = partitionTimeOfRawFile(f);
    if (!t) unstamped.push(f);
    else {
      const k = t.toISOString();
      const list = byStamp.get(k);
      if (list) list.push(f);
      else byStamp.set(k, [f]);
    }
  }
  const groups: RunGroup[] = [...byStamp.entries()]
    .sort(([a], [b]) => a.localeCompare(b))
    .map(([time, fs]) => ({ time, files: fs }));
  if (unstamped.length > 0) groups.push({ files: unstamped });
  return { files: files.length, groups };
}

/** What processing some run groups produced (merged across threads by `mergeResults`). */
export interface GroupsResult {
  readonly datasets: DatasetSummary[];
  readonly problems: { path: string; reason: string }[];
  readonly ignored: number;
}

/**
 * A shared queue of run groups: every thread of a job (main and workers) claims the next unclaimed
 * group from one counter in shared memory, so a thread that starts late (a worker boots in ~50 ms) or
 * gets slower runs simply takes fewer groups. Which thread writes a run does not change its files.
 */
export function claimFrom(groups: readonly RunGroup[], counter: Int32Array): () => RunGroup | undefined {
  return () => groups[Atomics.add(counter, 0, 1)];
}

/**
 * Reads, parses, transforms and writes run groups, taken from `next` until it returns undefined, with
 * one DuckDB writer. `onFileRead` is called once per file read (progress).
 */
export async function processGroups(
  next: () => RunGroup | undefined,
  options: JobOptions,
  onFileRead: () => void,
): Promise<GroupsResult> {
  const problems: { path: string; reason: string }[] = [];
  const summaries = new Map<DatasetName, DatasetSummary>();
  const summary = (dataset: DatasetName): DatasetSummary => {
    let s = summaries.get(dataset);
    if (!s) {
      s = { dataset, files: 0, rows: 0, rejects: 0, skipped: 0, duplicates: 0, outputs: 0, seconds: 0 };
      summaries.set(dataset, s);
    }
    return s;
  };
  let ignored = 0;

  // Pipeline (reprocess must be fast, see bench/transform.ts). Files are read synchronously: they are
  // small and usually in the page cache, and fs/promises costs ~100 µs of main-thread work per file
  // (open, stat, read, close as separate promises) against ~20 µs for readFileSync. Each envelope goes
  // into its batch right after parsing, so the parsed JSON dies young (cheap GC). A run's Parquet COPY
  // (DuckDB threads) overlaps the parsing of the next run; at most one run's writes are in flight.
  let inflight: Promise<void>[] = [];
  // The DuckDB instance starts (~10 ms, on its own threads) while the first run is parsed. One DuckDB
  // thread: each COPY is one file of one run (little to split), and a second DuckDB thread only
  // competes with the JavaScript threads that parse and transform (measured: ~10% slower with two).
  const opening = DuckDbParquetWriter.create({ threads: 1 });
  opening.catch(() => {});
  let writer: DuckDbParquetWriter | undefined;
  try {
    for (let group = next(); group !== undefined; group = next()) {
      // partition time + dataset → batch
      const batches = new Map<string, { time: Date; dataset: DatasetName; batch: BatchTransformer }>();
      for (const path of group.files) {
        // Parsing is synchronous: yield between files while writes are in flight, so their next step
        // (the appender, then COPY on DuckDB's threads) runs now instead of after the whole run.
        if (inflight.length > 0) await new Promise<void>((resolve) => setImmediate(resolve));
        const t0 = performance.now();
        let text: string;
        try {
          text = readFileSync(path, 'utf8');
        } catch (err) {
          problems.push({ path, reason: `unreadable: ${(err as Error).message}` });
          continue;
        } finally {
          onFileRead();
        }
        let value: unknown;
        try {
          value = JSON.parse(text);
        } catch (err) {
          problems.push({ path, reason: `not JSON: ${(err as Error).message}` });
          continue;
        }
        const problem = envelopeProblem(value);
        if (problem) {
          problems.push({ path, reason: `not an envelope: ${problem}` });
          continue;
        }
        const envelope = value as Envelope;
        const spec = datasetForEndpoint(envelope.source, envelope.endpoint);
        if (!spec || (options.dataset && spec.name !== options.dataset)) {
          ignored++;
          continue;
        }
        const time = group.time ? new Date(group.time) : minuteOf(envelope.fetched_at);
        const key = `${time.toISOString()}|${spec.name}`;
        let entry = batches.get(key);
        if (!entry) {
          // The original run id is not in the envelopes; a deterministic one keeps reruns identical.
          const batch = createBatchTransformer(spec.name, { runId: `reprocess-${stamp(time)}` });
          entry = { time, dataset: spec.name, batch };
          batches.set(key, entry);
        }
        // Files are in sorted order, so "keep the latest" dedupe ties resolve the same way every run.
        entry.batch.add({ key: relative(options.rawDir, path).split(sep).join('/'), envelope });
        const s = summary(spec.name);
        s.files++;
        s.seconds += (performance.now() - t0) / 1000;
      }

      // The previous run's files are complete before this run's writes start.
      await Promise.all(inflight);
      inflight = [];
      writer ??= await opening;
      const w = writer;
      for (const { time, dataset, batch } of [...batches.values()].sort((a, b) =>
        a.dataset.localeCompare(b.dataset),
      )) {
        const result = batch.result();
        const s = summary(dataset);
        s.rows += result.rows.length;
        s.rejects += result.rejects.length;
        s.skipped += result.skipped.length;
        s.duplicates += result.duplicates;
        for (const k of result.skipped) problems.push({ path: k.rawKey, reason: k.reason });
        if (result.rows.length > 0) s.outputs++;

        const write = async () => {
          const w0 = performance.now();
          const parquetPath = join(options.lakeDir, ...datasetKey(dataset, time).split('/'));
          if (result.rows.length > 0) {
            await mkdir(dirname(parquetPath), { recursive: true });
            const tmp = `${parquetPath}.${process.pid}.tmp`;
            await w.write(dataset, result.rows, tmp);
            await rename(tmp, parquetPath);
          } else {
            // The partition now has no valid rows: a file left from an earlier run would be stale.
            await rm(parquetPath, { force: true });
          }
          const rejectsPath = join(options.lakeDir, ...rejectsKey(dataset, time).split('/'));
          if (result.rejects.length > 0)
            await writeAtomic(rejectsPath, `${result.rejects.map((r) => JSON.stringify(r)).join('\n')}\n`);
          else await rm(rejectsPath, { force: true });
          s.seconds += (performance.now() - w0) / 1000;
        };
        const pending = write();
        // Awaited below; this only keeps Node from reporting a failure before that.
        pending.catch(() => {});
        inflight.push(pending);
      }
    }
    await Promise.all(inflight);
  } finally {
    await Promise.allSettled(inflight);
    (writer ?? (await opening.catch(() => undefined)))?.close();
  }

  return { datasets: [...summaries.values()], problems, ignored };
}
