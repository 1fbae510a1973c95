/**
 * What a `fdl reprocess` job is (cli/reprocess.ts), as plain data that crosses to worker threads: its
 * options, its run groups, reading one raw file, the shared queue threads claim runs from, and its
 * report (listing the archive is cli/reprocess-listing.ts). Light on purpose: with these modules alone
 * the command lists the archive and starts its workers, and only then loads the transform and the
 * Parquet writer (cli/reprocess-core.ts), while the workers boot.
 */
import { isAscii } from 'node:buffer';
import { closeSync, openSync, readSync } from 'node:fs';
import type { DatasetName } from '../lambdas/core/datasets';
import { type Envelope, envelopeProblem } from '../lambdas/core/envelope';
import { MAX_JSON_CHARS } from '../lambdas/core/json-guard';
import { type ScannedRecords, scanPage } from '../lambdas/core/page-scan';

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
  /** Called as the archive is listed, after each folder: (`.json` files met so far, folders read). */
  readonly onListing?: (files: number, folders: number) => void;
  /**
   * Called once the archive is listed, before any file is read: the files of the chosen runs, those
   * runs, the threads, and the files outside `--run`/`--from`/`--to`.
   */
  readonly onStart?: (files: number, runs: number, threads: number, filtered: number) => void;
  /**
   * Stops the job early (Ctrl-C): no thread starts another run, the runs under way are finished and
   * written, and the report says where a later job should start (`interrupted`). Aborted while the
   * archive is being listed, before any file is read, the job throws StoppedWhileListing.
   */
  readonly signal?: AbortSignal;
  /**
   * Called once, when the signal stops the job, before the runs under way are finished: the ISO time
   * from which on runs may be missing if the process is killed now (every run before it is written);
   * undefined when no run is under way.
   */
  readonly onStopping?: (safeFrom: string | undefined) => void;
}

/** Thrown by a job whose signal came while it listed the archive: it had read and written nothing. */
export class StoppedWhileListing extends Error {
  constructor() {
    super('stopped while listing the archive, before any file was read');
    this.name = 'StoppedWhileListing';
  }
}

/**
 * Where an interrupted job stopped. Runs are started in time order, so every run before `resumeFrom`
 * was processed and none from it on: `--from resumeFrom` (with the job's other options) finishes it.
 */
export interface Interruption {
  /** ISO partition time of the first run not processed. */
  readonly resumeFrom: string;
  /** Runs processed before the job stopped (0: it stopped before its first). */
  readonly processedRuns: number;
  /** Runs not processed. */
  readonly runs: number;
  /** Raw files of those runs, not read. */
  readonly files: number;
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
  /** files = Σ datasets.files + unreadable + ignored + filtered (+ interrupted.files). */
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
  /** Threads that processed runs, the main one included (`--threads`, or chosen by the archive's size). */
  readonly threads: number;
  readonly seconds: number;
  /** Temp files of writers no longer running removed from the folders of the runs processed. */
  readonly removedTemps: number;
  /** Present when the job was stopped (ReprocessOptions.signal) before its last run started. */
  readonly interrupted?: Interruption;
}

/** A file system error's code (ENOENT, EACCES, …) for a one-line reason; 'error' when it has none. */
export const errnoCode = (err: unknown): string => (err as NodeJS.ErrnoException).code ?? 'error';

/** A file or folder that was not used, and why (one line, never the file's content). */
export type Problem = { path: string; reason: string };

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

/** What processing some run groups produced (merged across threads by reprocess in cli/reprocess.ts). */
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
