/**
 * The work of `fdl reprocess` (cli/reprocess.ts), shared by the main thread and the worker threads
 * (cli/reprocess-worker.ts): list and group raw files by run, then for a list of run groups read, parse,
 * transform and write Parquet (the transform Lambda's own writer) and rejects.
 */
import { isAscii } from 'node:buffer';
import { closeSync, type Dirent, openSync, readdirSync, readSync } from 'node:fs';
import { type FileHandle, lstat, open, rm } from 'node:fs/promises';
import { join, relative, sep } from 'node:path';
import { parquetMetadata } from 'hyparquet';
import { FsLakeStore } from '../lambdas/adapters/fs-lake-store';
import { encodeParquet } from '../lambdas/adapters/parquet';
import { type DatasetName, datasetForEndpoint } from '../lambdas/core/datasets';
import { type Envelope, envelopeProblem } from '../lambdas/core/envelope';
import { MAX_JSON_CHARS } from '../lambdas/core/json-guard';
import { datasetKey, RAW_PREFIX, rejectsKey, stamp } from '../lambdas/core/lake';
import { type ScannedRecords, scanPage } from '../lambdas/core/page-scan';
import { type BatchTransformer, createBatchTransformer } from '../lambdas/core/transform';
import { oneLine } from './kit/args';

/** Which runs and datasets a job rebuilds (plain data: it crosses to worker threads). */
export interface JobFilter {
  /** Only these datasets; default all. */
  readonly datasets?: readonly DatasetName[];
  /** Only runs with a partition time at or after this ISO time. */
  readonly from?: string;
  /** Only runs with a partition time before this ISO time. */
  readonly to?: string;
  /** Only the run of this partition time (ISO), from `--run`. */
  readonly run?: string;
  /** The run id written into the rows of that run (`--run <id>` as given); default reprocess-<stamp>. */
  readonly runId?: string;
}

/** What every thread of one reprocess job needs (plain data: it crosses to worker threads). */
export interface JobOptions extends JobFilter {
  /** A lake root holding `raw/`. */
  readonly rawDir: string;
  /** The lake root to write datasets and rejects into (may be the same as rawDir). */
  readonly lakeDir: string;
  /** Only this dataset (kept for callers of the single-dataset option; see `datasets`). */
  readonly dataset?: DatasetName;
}

/**
 * The raw files of one run (one partition time). `stamped`: at least one file carries the run stamp in
 * its name. A group of only unstamped files (placed by their envelope's minute) is a guess at a run,
 * so it never deletes a file and never replaces a larger one (see processGroups).
 */
export interface RunGroup {
  /** ISO-8601 partition time. */
  readonly time: string;
  readonly stamped: boolean;
  readonly files: readonly string[];
}

export interface ReprocessOptions extends JobOptions {
  /** Called as files are read: (files read so far, total files). */
  readonly onProgress?: (done: number, total: number) => void;
}

/**
 * Per dataset. Envelopes: files = used + skipped. Records (items inside the envelopes that were
 * used): records = rows + rejects + duplicates + more + withheld, always.
 */
export interface DatasetSummary {
  readonly dataset: DatasetName;
  /** Envelopes of this dataset read (skipped ones included). */
  files: number;
  /** Envelopes skipped as a whole (non-2xx, wrong body shape): listed in the report's problems. */
  skipped: number;
  /** Records found in the envelopes (Reddit `more` stubs included). */
  records: number;
  /** Rows written to Parquet. */
  rows: number;
  rejects: number;
  /** Rows replaced by a later extraction of the same natural key within a run. */
  duplicates: number;
  /** Reddit `kind: "more"` stubs (links to more comments, not records). */
  more: number;
  /**
   * Rows not written, each case reported: the run's files had no run stamp and the lake already held
   * a larger (or unreadable) file for that partition, which was kept; or the file could not be written.
   */
  withheld: number;
  /** Cells the source sent (non-blank) that did not cast and were written as null. */
  nulled: number;
  /** Parquet files written (one per run partition with rows). */
  outputs: number;
  /**
   * Time spent parsing, transforming and writing this dataset. Writes overlap other work (see the
   * pipeline in reprocess), so the datasets' seconds can add up to more than the wall time.
   */
  seconds: number;
}

/** An empty summary of a dataset. */
export const emptySummary = (dataset: DatasetName): DatasetSummary => ({
  dataset,
  files: 0,
  skipped: 0,
  records: 0,
  rows: 0,
  rejects: 0,
  duplicates: 0,
  more: 0,
  withheld: 0,
  nulled: 0,
  outputs: 0,
  seconds: 0,
});

export interface ReprocessReport {
  /** Every `.json` file under raw/ (and every link or special file met there). Always balances: */
  /** files = Σ datasets.files + unreadable + ignored + filtered. */
  readonly files: number;
  readonly datasets: DatasetSummary[];
  /**
   * Path + one-line reason, never the file's content: unreadable files, non-JSON, non-envelopes,
   * links not followed, skipped envelopes and Parquet files kept rather than replaced.
   */
  readonly problems: { readonly path: string; readonly reason: string }[];
  /** Files that could not be used at all (unreadable, not JSON, too large, not an envelope, a link). */
  readonly unreadable: number;
  /** Envelopes of endpoints no dataset reads (e.g. the Reddit token exchange) or of other datasets. */
  readonly ignored: number;
  /** Files outside `--run` / `--from` / `--to`. */
  readonly filtered: number;
  /** Parquet or rejects files that could not be written (each in problems; the job went on). */
  readonly failedWrites: number;
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

/** A file system error's code (ENOENT, EACCES, …) for a one-line reason; 'error' when it has none. */
const errnoCode = (err: unknown): string => (err as NodeJS.ErrnoException).code ?? 'error';

/** What is at a partition's Parquet path before an unstamped group may write there. */
export type ExistingFile =
  | { readonly kind: 'missing' }
  | { readonly kind: 'parquet'; readonly rows: number }
  | { readonly kind: 'unreadable'; readonly reason: string };

/** The end of every Parquet file: the footer's length (u32, little-endian), then the magic "PAR1". */
const TAIL_BYTES = 8;
/** A footer larger than this is not one of ours (one row group: a few KB): not read. */
const MAX_FOOTER_BYTES = 64 * 1024 * 1024;

/**
 * The row count of the Parquet file at `path`, read from its footer only (the tail of the file, so a
 * file of any size costs two small reads). Anything there that is not a readable Parquet file (a link,
 * a folder, a file cut short, no permission) is `unreadable` with a one-line reason: the caller keeps it
 * rather than guess. Only a missing file is `missing`.
 */
export async function existingFile(path: string): Promise<ExistingFile> {
  let handle: FileHandle | undefined;
  try {
    const link = await lstat(path);
    if (link.isSymbolicLink()) return { kind: 'unreadable', reason: 'a symbolic link' };
    if (!link.isFile()) return { kind: 'unreadable', reason: 'not a regular file' };
    handle = await open(path, 'r');
    const { size } = await handle.stat();
    const notParquet = (why: string): ExistingFile => ({
      kind: 'unreadable',
      reason: `not Parquet (${why})`,
    });
    if (size < 4 + TAIL_BYTES) return notParquet(`${size} bytes`);
    const tail = Buffer.alloc(TAIL_BYTES);
    await handle.read(tail, 0, TAIL_BYTES, size - TAIL_BYTES);
    if (tail.toString('latin1', 4) !== 'PAR1') return notParquet('no PAR1 at its end');
    const footerBytes = tail.readUInt32LE(0);
    if (footerBytes > size - 4 - TAIL_BYTES || footerBytes > MAX_FOOTER_BYTES)
      return notParquet(`a footer of ${footerBytes} bytes in a file of ${size}`);
    const footer = Buffer.alloc(footerBytes + TAIL_BYTES);
    await handle.read(footer, 0, footer.length, size - footer.length);
    try {
      return { kind: 'parquet', rows: Number(parquetMetadata(footer).num_rows) };
    } catch {
      return notParquet('its footer does not parse');
    }
  } catch (err) {
    return errnoCode(err) === 'ENOENT'
      ? { kind: 'missing' }
      : { kind: 'unreadable', reason: `cannot be read (${errnoCode(err)})` };
  } finally {
    await handle?.close();
  }
}

type Problem = { path: string; reason: string };

/** The read buffer of this thread, reused from file to file; a larger one is kept up to this size. */
const KEPT_BUFFER_BYTES = 8 * 1024 * 1024;
let readBuffer = Buffer.allocUnsafe(256 * 1024);

/**
 * A file's bytes, read into this thread's reused buffer (no allocation, no stat per file: reprocess
 * reads tens of thousands of small files). Valid until the next read. Throws like readFileSync.
 */
function readBytes(path: string): Buffer {
  const fd = openSync(path, 'r');
  let buffer = readBuffer;
  let n = 0;
  try {
    for (;;) {
      const read = readSync(fd, buffer, n, buffer.length - n, null);
      if (read === 0) break;
      n += read;
      if (n === buffer.length) {
        const grown = Buffer.allocUnsafe(buffer.length * 2);
        buffer.copy(grown, 0, 0, n);
        buffer = grown;
      }
    }
  } finally {
    closeSync(fd);
  }
  if (buffer.length <= KEPT_BUFFER_BYTES) readBuffer = buffer;
  return buffer.subarray(0, n);
}

/**
 * An envelope, or why the file is not one. `scanned`: its records were scanned, not parsed (see
 * scanPage); they are read from this thread's read buffer, so before the next file is read.
 */
type Parsed = { ok: true; envelope: Envelope; scanned?: ScannedRecords } | { ok: false; reason: string };

/**
 * Reads and parses one raw file. Never throws and never echoes the file's content (V8's JSON errors
 * quote the text; only the position is kept). JSON.parse itself is iterative (deep nesting does not
 * overflow it); what walks values recursively later (reject serialisation) guards itself, see
 * lambdas/core/transform.ts. The size limit is the shared one from json-guard.ts.
 */
export function readEnvelope(path: string): Parsed {
  let bytes: Buffer;
  try {
    bytes = readBytes(path);
  } catch (err) {
    return { ok: false, reason: `unreadable (${errnoCode(err)})` };
  }
  const page = scanPage(bytes);
  if (page) return { ok: true, envelope: page.envelope, scanned: page.records };
  // Pure-ASCII content (what the archive holds, almost always) is copied as Latin-1, which for ASCII
  // is the same text without UTF-8 decoding.
  const text = bytes.toString(isAscii(bytes) ? 'latin1' : 'utf8');
  if (text.length > MAX_JSON_CHARS)
    return { ok: false, reason: `too large: ${text.length} characters (limit ${MAX_JSON_CHARS})` };
  let value: unknown;
  try {
    value = JSON.parse(text);
  } catch (err) {
    const at = /position (\d+)/.exec((err as Error).message);
    return { ok: false, reason: at ? `not JSON (error at character ${at[1]})` : 'not JSON' };
  }
  const problem = envelopeProblem(value);
  return problem
    ? { ok: false, reason: `not an envelope: ${problem}` }
    : { ok: true, envelope: value as Envelope };
}

/** Whether a partition time passes the job's --run / --from / --to. */
export function inRange(time: Date, filter: JobFilter): boolean {
  const t = time.getTime();
  if (filter.run !== undefined && t !== Date.parse(filter.run)) return false;
  if (filter.from !== undefined && t < Date.parse(filter.from)) return false;
  if (filter.to !== undefined && t >= Date.parse(filter.to)) return false;
  return true;
}

/**
 * Every regular `.json` file under `root`, depth first, without following links: a symbolic link
 * (to a file or a folder) is reported, never read, so nothing outside --raw is read.
 */
function listJsonFiles(root: string, problems: Problem[]): string[] {
  const files: string[] = [];
  const dirs = [root];
  while (dirs.length > 0) {
    const dir = dirs.pop()!;
    let entries: Dirent[];
    try {
      entries = readdirSync(dir, { withFileTypes: true });
    } catch (err) {
      problems.push({
        path: dir,
        reason: `unreadable folder (${errnoCode(err)})`,
      });
      continue;
    }
    for (const e of entries) {
      const path = join(dir, e.name);
      if (e.isDirectory()) dirs.push(path);
      else if (e.isSymbolicLink())
        problems.push({ path, reason: 'symbolic link: not followed (only files inside --raw are read)' });
      else if (!e.name.endsWith('.json')) continue;
      else if (e.isFile()) files.push(path);
      else problems.push({ path, reason: 'not a regular file' });
    }
  }
  return files.sort();
}

/** What listing an archive found: run groups, and the files that never reach a group. */
export interface Listing {
  /** Every `.json` file and every link or special file met (see ReprocessReport.files). */
  readonly files: number;
  readonly groups: RunGroup[];
  /** Links, special files, unreadable or non-envelope unstamped files. */
  readonly problems: Problem[];
  /** Files outside --run / --from / --to. */
  readonly filtered: number;
}

/**
 * The raw files under `<rawDir>/raw/`, grouped by run, sorted by time. The run is the stamp in the
 * file name; a file without one is read here and placed by its envelope's `fetched_at` minute, in the
 * stamped run of that minute when the archive has one (so a stray envelope joins its run instead of
 * replacing that run's file with its own few rows), else in a group marked unstamped.
 */
export function listRunGroups(rawDir: string, filter: JobFilter = {}): Listing {
  const problems: Problem[] = [];
  const files = listJsonFiles(join(rawDir, RAW_PREFIX), problems);
  const byTime = new Map<string, { stamped: boolean; files: string[] }>();
  const place = (time: Date, path: string, stamped: boolean) => {
    const k = time.toISOString();
    const g = byTime.get(k);
    if (!g) byTime.set(k, { stamped, files: [path] });
    else {
      g.files.push(path);
      if (stamped) g.stamped = true;
    }
  };
  let filtered = 0;
  const unstamped: { path: string; time: Date }[] = [];
  for (const f of files) {
    const t = partitionTimeOfRawFile(f);
    if (t) {
      if (inRange(t, filter)) place(t, f, true);
      else filtered++;
      continue;
    }
    const parsed = readEnvelope(f);
    if (!parsed.ok) problems.push({ path: f, reason: parsed.reason });
    else unstamped.push({ path: f, time: minuteOf(parsed.envelope.fetched_at) });
  }
  // After every stamped file is placed, so "is there a stamped run at this minute" is final.
  for (const { path, time } of unstamped) {
    if (inRange(time, filter)) place(time, path, false);
    else filtered++;
  }
  const groups: RunGroup[] = [...byTime.entries()]
    .sort(([a], [b]) => a.localeCompare(b))
    // Sorted files: "keep the latest" dedupe ties resolve the same way every run.
    .map(([time, g]) => ({ time, stamped: g.stamped, files: g.files.sort() }));
  return { files: files.length + problems.length, groups, problems, filtered };
}

/** What processing some run groups produced (merged across threads by `mergeResults`). */
export interface GroupsResult {
  readonly datasets: DatasetSummary[];
  readonly problems: Problem[];
  /** Files that could not be used at all (see ReprocessReport.unreadable). */
  readonly unreadable: number;
  readonly ignored: number;
  /** See ReprocessReport.failedWrites. */
  readonly failedWrites: number;
}

/**
 * A shared queue of run groups: every thread of a job (main and workers) claims the next unclaimed
 * group from one counter in shared memory, so a thread that starts late (a worker boots in ~0.14 s,
 * see threadsFor) or gets slower runs simply takes fewer groups. Which thread writes a run does not
 * change its files.
 */
export function claimFrom(groups: readonly RunGroup[], counter: Int32Array): () => RunGroup | undefined {
  return () => groups[Atomics.add(counter, 0, 1)];
}

/**
 * Reads, parses, transforms and writes run groups, taken from `next` until it returns undefined, all
 * on this thread. `onFileRead` is called once per file read (progress).
 */
export async function processGroups(
  next: () => RunGroup | undefined,
  options: JobOptions,
  onFileRead: () => void,
): Promise<GroupsResult> {
  const problems: Problem[] = [];
  const summaries = new Map<DatasetName, DatasetSummary>();
  const summary = (dataset: DatasetName): DatasetSummary => {
    let s = summaries.get(dataset);
    if (!s) {
      s = emptySummary(dataset);
      summaries.set(dataset, s);
    }
    return s;
  };
  const wanted = options.datasets ?? (options.dataset ? [options.dataset] : undefined);
  let ignored = 0;
  let unreadable = 0;
  let failedWrites = 0;

  // Pipeline (reprocess must be fast, see bench/reprocess.ts). Files are read synchronously: they are
  // small and usually in the page cache, and fs/promises costs ~100 µs of main-thread work per file
  // (open, stat, read, close as separate promises) against ~20 µs for readFileSync. Each envelope goes
  // into its batch right after parsing, so the parsed JSON dies young (cheap GC). A run's Parquet is
  // encoded here, by the transform Lambda's writer; its file writes (libuv's threads) overlap the
  // parsing of the next run, and at most one run's writes are in flight.
  let inflight: Promise<void>[] = [];
  // Writes go through the twin's lake store: atomic (temp file + rename), no temp file left on failure.
  const lake = new FsLakeStore(options.lakeDir);
  try {
    for (let group = next(); group !== undefined; group = next()) {
      const time = new Date(group.time);
      // The original run id is not in the envelopes; a deterministic one keeps reruns identical.
      const runId =
        options.runId && options.run && time.getTime() === Date.parse(options.run)
          ? options.runId
          : `reprocess-${stamp(time)}`;
      const batches = new Map<DatasetName, BatchTransformer>();
      for (const path of group.files) {
        // Parsing is synchronous: yield between files while writes are in flight, so their next step
        // (make the folder, write, rename) starts now instead of after the whole run.
        if (inflight.length > 0) await new Promise<void>((resolve) => setImmediate(resolve));
        const t0 = performance.now();
        const parsed = readEnvelope(path);
        onFileRead();
        if (!parsed.ok) {
          unreadable++;
          problems.push({ path, reason: parsed.reason });
          continue;
        }
        const envelope = parsed.envelope;
        const spec = datasetForEndpoint(envelope.source, envelope.endpoint);
        if (!spec || (wanted && !wanted.includes(spec.name))) {
          ignored++;
          continue;
        }
        let batch = batches.get(spec.name);
        if (!batch) {
          batch = createBatchTransformer(spec.name, { runId });
          batches.set(spec.name, batch);
        }
        // Files are in sorted order, so "keep the latest" dedupe ties resolve the same way every run.
        batch.add({
          key: relative(options.rawDir, path).split(sep).join('/'),
          envelope,
          scanned: parsed.scanned,
        });
        const s = summary(spec.name);
        s.files++;
        s.seconds += (performance.now() - t0) / 1000;
      }

      // The previous run's files are complete before this run's writes start.
      await Promise.all(inflight);
      inflight = [];
      for (const [dataset, batch] of [...batches.entries()].sort(([a], [b]) => a.localeCompare(b))) {
        const result = batch.result();
        const s = summary(dataset);
        s.records += result.records;
        s.rejects += result.rejects.length;
        s.skipped += result.skipped.length;
        s.duplicates += result.duplicates;
        s.more += result.moreSkipped;
        for (const n of Object.values(result.nullCounts)) s.nulled += n;
        for (const k of result.skipped) problems.push({ path: k.rawKey, reason: k.reason });

        const write = async () => {
          const rows = result.columns.length;
          const w0 = performance.now();
          const parquetKey = datasetKey(dataset, time);
          const rejectsFileKey = rejectsKey(dataset, time);
          const parquetPath = join(options.lakeDir, ...parquetKey.split('/'));
          const rejectsPath = join(options.lakeDir, ...rejectsFileKey.split('/'));
          // A file that cannot be written is reported and the job goes on with the other runs; the
          // CLI then exits non-zero (a disk full, a folder in the way, a page too large to encode).
          const failed = (path: string, err: unknown) => {
            failedWrites++;
            problems.push({
              path,
              reason: `not written: ${oneLine(err instanceof Error ? err.message : String(err))}`,
            });
          };
          try {
            if (!group.stamped) {
              // No file of this group names its run: never delete, never replace a larger file (it
              // belongs to a run this archive does not hold), nor one whose size cannot be read. Equal
              // or more rows: a rerun of the same archive, or a fuller one, replaces it.
              if (rows === 0) return;
              const existing = await existingFile(parquetPath);
              const kept =
                existing.kind === 'unreadable'
                  ? `kept (${existing.reason}; remove it to let them be written)`
                  : existing.kind === 'parquet' && existing.rows > rows
                    ? `kept (${existing.rows} rows)`
                    : undefined;
              if (kept) {
                s.withheld += rows;
                problems.push({
                  path: parquetPath,
                  reason: `${kept}: the ${rows} rows from raw files without a run stamp were not written over it`,
                });
                return;
              }
            }
            if (rows > 0) {
              try {
                await lake.put(parquetKey, encodeParquet(result.columns));
                s.rows += rows;
                s.outputs++;
              } catch (err) {
                s.withheld += rows;
                failed(parquetPath, err);
              }
            } else {
              // The run's partition now has no valid rows: a file left from an earlier run would be stale.
              await rm(parquetPath, { force: true }).catch((err) => failed(parquetPath, err));
            }
            if (result.rejects.length > 0)
              await lake
                .put(rejectsFileKey, `${result.rejects.map((r) => JSON.stringify(r)).join('\n')}\n`)
                .catch((err) => failed(rejectsPath, err));
            else if (group.stamped)
              await rm(rejectsPath, { force: true }).catch((err) => failed(rejectsPath, err));
          } finally {
            s.seconds += (performance.now() - w0) / 1000;
          }
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
  }

  return { datasets: [...summaries.values()], problems, unreadable, ignored, failedWrites };
}
