/**
 * The work of `fdl reprocess` (cli/reprocess.ts), shared by the main thread and the worker threads
 * (cli/reprocess-worker.ts): for the run groups of a job (cli/reprocess-job.ts) read, parse, transform
 * and write Parquet (the transform Lambda's own writer) and rejects.
 */
import { type FileHandle, lstat, open, rm } from 'node:fs/promises';
import { join, relative, sep } from 'node:path';
import { parquetMetadata } from 'hyparquet';
import { FsLakeStore } from '../lambdas/adapters/fs-lake-store';
import { encodeParquet } from '../lambdas/adapters/parquet';
import { type DatasetName, datasetForEndpoint } from '../lambdas/core/datasets';
import { datasetKey, rejectsKey, stamp } from '../lambdas/core/lake';
import { type BatchTransformer, createBatchTransformer } from '../lambdas/core/transform';
import { oneLine } from './kit/args';
import {
  type DatasetSummary,
  emptySummary,
  errnoCode,
  type GroupsResult,
  type JobOptions,
  type Problem,
  type RunGroup,
  readEnvelope,
} from './reprocess-job';

/** What is at a partition's Parquet path before an unstamped group may write there. */
export type ExistingFile =
  | { readonly kind: 'missing' }
  | { readonly kind: 'parquet'; readonly rows: number }
  | { readonly kind: 'unreadable'; readonly reason: string };

/** The end of every Parquet file: the footer's length (u32, little-endian), then the magic "PAR1". */
const TAIL_BYTES = 8;
/** Files read between two turns of the event loop when no write is in flight (a run's first files). */
const YIELD_FILES = 32;
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
  let unyielded = 0;
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
        // (make the folder, write, rename) starts now instead of after the whole run; and every
        // YIELD_FILES files anyway, so that a Ctrl-C is heard within a run, not at its end.
        if (inflight.length > 0 || ++unyielded >= YIELD_FILES) {
          unyielded = 0;
          await new Promise<void>((resolve) => setImmediate(resolve));
        }
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
        // The transform names a skipped envelope by its key under the raw root; the report, like every
        // other problem, by its path.
        for (const k of result.skipped)
          problems.push({ path: join(options.rawDir, k.rawKey), reason: k.reason });

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
