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
import { mkdir, readdir, readFile, rename, rm, stat, writeFile } from 'node:fs/promises';
import { dirname, join, relative, sep } from 'node:path';
import { parseArgs } from 'node:util';
import { DuckDbParquetWriter } from '../lambdas/adapters/duckdb-parquet';
import { DATASET_NAMES, type DatasetName, datasetForEndpoint } from '../lambdas/core/datasets';
import { type Envelope, envelopeProblem } from '../lambdas/core/envelope';
import { datasetKey, RAW_PREFIX, rejectsKey, stamp } from '../lambdas/core/lake';
import { type KeyedEnvelope, transformEnvelopes } from '../lambdas/core/transform';
import type { Command } from './command';

export interface ReprocessOptions {
  /** A lake root holding `raw/`. */
  readonly rawDir: string;
  /** The lake root to write datasets and rejects into (may be the same as rawDir). */
  readonly lakeDir: string;
  /** Only this dataset; default all. */
  readonly dataset?: DatasetName;
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

/** Files read at once: fs reads run on libuv's pool while the main thread parses. */
const READ_CONCURRENCY = 16;
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

async function mapLimit<T>(
  items: readonly T[],
  limit: number,
  fn: (item: T) => Promise<void>,
): Promise<void> {
  let next = 0;
  const worker = async () => {
    while (next < items.length) await fn(items[next++]!);
  };
  await Promise.all(Array.from({ length: Math.min(limit, items.length) }, worker));
}

/** Writes a file atomically (temp + rename), like an S3 PUT replaces an object. */
async function writeAtomic(path: string, body: string): Promise<void> {
  await mkdir(dirname(path), { recursive: true });
  const tmp = `${path}.${process.pid}.tmp`;
  await writeFile(tmp, body);
  await rename(tmp, path);
}

/** The reprocess job (the CLI prints its report). */
export async function reprocess(options: ReprocessOptions): Promise<ReprocessReport> {
  const started = performance.now();
  const rawRoot = join(options.rawDir, RAW_PREFIX);
  const files = (await readdir(rawRoot, { recursive: true }))
    .filter((f) => f.endsWith('.json'))
    .map((f) => join(rawRoot, f))
    .sort();

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
  /** Files read so far (progress). */
  let done = 0;

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
  const groups: { time?: Date; files: string[] }[] = [...byStamp.entries()]
    .sort(([a], [b]) => a.localeCompare(b))
    .map(([k, fs]) => ({ time: new Date(k), files: fs }));
  if (unstamped.length > 0) groups.push({ files: unstamped });

  // Pipeline (reprocess must be fast, see bench/transform.ts): the next run's files are read (libuv
  // threads) while this run is parsed and transformed (main thread), and a run's Parquet COPY (DuckDB
  // threads) overlaps the next run's parsing. At most one run is read ahead and one run's writes are
  // in flight, so memory stays bounded by about two runs of envelopes.
  const readTexts = (paths: readonly string[]) => {
    const out: { path: string; text: string | Error }[] = [];
    return mapLimit(paths, READ_CONCURRENCY, async (path) => {
      out.push({ path, text: await readFile(path, 'utf8').catch((err: Error) => err) });
      done++;
      options.onProgress?.(done, files.length);
    }).then(() => out);
  };
  const writerReady = DuckDbParquetWriter.create();
  let nextTexts = groups.length > 0 ? readTexts(groups[0]!.files) : undefined;
  let inflight: Promise<void>[] = [];
  const writer = await writerReady;
  try {
    for (let g = 0; g < groups.length; g++) {
      const group = groups[g]!;
      const texts = await nextTexts!;
      nextTexts = g + 1 < groups.length ? readTexts(groups[g + 1]!.files) : undefined;
      // Prefetch failures surface when awaited; this only keeps Node from reporting them early.
      nextTexts?.catch(() => {});

      // partition time + dataset → envelopes
      const buckets = new Map<string, { time: Date; dataset: DatasetName; envelopes: KeyedEnvelope[] }>();
      for (const { path, text } of texts) {
        const t0 = performance.now();
        if (text instanceof Error) {
          problems.push({ path, reason: `unreadable: ${text.message}` });
          continue;
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
        const time = group.time ?? minuteOf(envelope.fetched_at);
        const key = `${time.toISOString()}|${spec.name}`;
        let bucket = buckets.get(key);
        if (!bucket) {
          bucket = { time, dataset: spec.name, envelopes: [] };
          buckets.set(key, bucket);
        }
        bucket.envelopes.push({ key: relative(options.rawDir, path).split(sep).join('/'), envelope });
        const s = summary(spec.name);
        s.files++;
        s.seconds += (performance.now() - t0) / 1000;
      }

      // The previous run's files are complete before this run's writes start.
      await Promise.all(inflight);
      inflight = [];
      for (const { time, dataset, envelopes } of [...buckets.values()].sort((a, b) =>
        a.dataset.localeCompare(b.dataset),
      )) {
        const t0 = performance.now();
        // Envelopes in file order, so "keep the latest" dedupe ties resolve the same way every run.
        envelopes.sort((a, b) => (a.key < b.key ? -1 : a.key > b.key ? 1 : 0));
        // The original run id is not in the envelopes; a deterministic one keeps reruns byte-identical.
        const result = transformEnvelopes(dataset, envelopes, { runId: `reprocess-${stamp(time)}` });
        const s = summary(dataset);
        s.rows += result.rows.length;
        s.rejects += result.rejects.length;
        s.skipped += result.skipped.length;
        s.duplicates += result.duplicates;
        s.seconds += (performance.now() - t0) / 1000;
        for (const k of result.skipped) problems.push({ path: k.rawKey, reason: k.reason });
        if (result.rows.length > 0) s.outputs++;

        const write = async () => {
          const w0 = performance.now();
          const parquetPath = join(options.lakeDir, ...datasetKey(dataset, time).split('/'));
          if (result.rows.length > 0) {
            await mkdir(dirname(parquetPath), { recursive: true });
            const tmp = `${parquetPath}.${process.pid}.tmp`;
            await writer.write(dataset, result.rows, tmp);
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
        pending.catch(() => {});
        inflight.push(pending);
      }
    }
    await Promise.all(inflight);
  } finally {
    await Promise.allSettled(inflight);
    writer.close();
  }

  const datasets = DATASET_NAMES.flatMap((d) => (summaries.has(d) ? [summaries.get(d)!] : []));
  return { files: files.length, datasets, problems, ignored, seconds: (performance.now() - started) / 1000 };
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
        io.err(`fdl reprocess: ${(err as Error).message} (see fdl reprocess --help)`);
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
