/**
 * The `fdl reprocess` command: its flags and help, the progress and summary it prints, and, when Ctrl-C
 * stopped the job, the command line that finishes it. The job itself is cli/reprocess.ts.
 */
import { stat } from 'node:fs/promises';
import { join } from 'node:path';
import { parseArgs } from 'node:util';
import { DATASET_NAMES, type DatasetName } from '../lambdas/core/datasets';
import { RAW_PREFIX } from '../lambdas/core/lake';
import type { Command } from './command';
import { oneLine } from './kit/args';
import { exitCodeOf } from './kit/interrupts';
import { type Io, processIo, table, toJson } from './kit/io';
import { listingLine, progressLine } from './kit/progress';
import {
  MAX_THREADS,
  MAX_THREADS_FLAG,
  MIN_FILES_PER_THREAD,
  type ReprocessReport,
  reprocess,
  SUMMARY_COUNTS,
} from './reprocess';
import { StoppedWhileListing } from './reprocess-job';

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
  const unread = report.interrupted
    ? ` + ${report.interrupted.files} not read (stopped: the runs from ${report.interrupted.resumeFrom} on)`
    : '';
  return [
    table([header, ...body], { align: ['left', ...header.slice(1).map(() => 'right' as const)] }),
    '',
    `files: ${report.files} = ${files} envelopes read into datasets + ${report.unreadable} unreadable + ${report.ignored} of other endpoints or datasets + ${report.filtered} outside --run/--from/--to${unread}`,
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
Ctrl-C (or SIGTERM) lets the runs under way finish and be written, starts no other, and prints the
command that finishes the job (the same flags, with --from the first run not processed); a second
Ctrl-C quits at once (the first one printed where to go on from then).
Exit status: 0 when files were processed (bad files are reported, not fatal); 1 when no raw file was
found, or none in the chosen runs (a wrong --raw or a range with no data), or when an output file could
not be written (each is listed; the other runs are written); 2 for a usage error; 130 (143 for
SIGTERM) when stopped.

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

/** `1 run`, `2 runs`. */
const plural = (n: number, noun: string) => `${n} ${noun}${n === 1 ? '' : 's'}`;

/** A word for a POSIX shell: as it is when plain, else in single quotes. */
const shellWord = (word: string): string =>
  /^[\w@%+=:,./-]+$/.test(word) ? word : `'${word.replaceAll("'", `'\\''`)}'`;

/**
 * The command that finishes an interrupted job: the job's flags, with `--from` its first run not
 * processed (a `--run` job, one run, is the same command again).
 */
export function resumeCommand(
  flags: {
    raw: string;
    lake: string;
    datasets?: readonly string[];
    run?: string;
    to?: string;
    threads?: string;
    json?: boolean;
  },
  resumeFrom: string,
): string {
  const words = ['fdl', 'reprocess', '--raw', flags.raw, '--lake', flags.lake];
  if (flags.datasets?.length) words.push('--datasets', flags.datasets.join(','));
  if (flags.run !== undefined) words.push('--run', flags.run);
  else words.push('--from', resumeFrom);
  if (flags.to !== undefined) words.push('--to', flags.to);
  if (flags.threads !== undefined) words.push('--threads', flags.threads);
  if (flags.json) words.push('--json');
  return words.map(shellWord).join(' ');
}

export function createReprocessCommand(defaultIo: CommandIo = processIo): Command {
  return {
    name: 'reprocess',
    summary: 'Rebuild lake datasets (Parquet) from the raw envelope archive.',
    usage: USAGE,
    stopsGracefully: true,
    async run(argv, io = defaultIo, signal) {
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
      const jobFlags = {
        raw: values.raw,
        lake: values.lake,
        datasets: names,
        run: values.run,
        to: values.to,
        threads: values.threads,
        json: values.json,
      };
      let report: ReprocessReport;
      try {
        report = await reprocess({
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
          signal,
          // Before the runs under way are finished, in case a second Ctrl-C comes: where to go on then.
          onStopping: (safeFrom) =>
            safeFrom !== undefined &&
            io.err(`fdl reprocess: if you quit now, go on later with: ${resumeCommand(jobFlags, safeFrom)}`),
          onStart: (files, runs, n, filtered) =>
            runs > 0 &&
            io.err(
              `reprocess: ${plural(files, 'raw file')} to read in ${plural(runs, 'run')}${filtered > 0 ? ` (${filtered} outside --run/--from/--to)` : ''}, ${plural(n, 'thread')} (Ctrl-C stops after the runs under way)`,
            ),
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
      } catch (err) {
        if (!(err instanceof StoppedWhileListing)) throw err;
        io.err(`fdl reprocess: ${err.message}: nothing was written`);
        return exitCodeOf(signal!);
      }
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
          `fdl reprocess: ${plural(report.failedWrites, 'output file')} not written (the reasons are above, and all of them in --json); the other runs were written`,
        );
      if (report.removedTemps > 0)
        io.err(
          `fdl reprocess: removed ${plural(report.removedTemps, 'temp file')} that a job quit mid-write had left in the lake`,
        );
      const stopped = report.interrupted;
      if (stopped) {
        const failed = report.failedWrites;
        io.err(
          stopped.processedRuns === 0
            ? `fdl reprocess: stopped before its first run; ${plural(stopped.runs, 'run')} (${plural(stopped.files, 'file')}) to process. To run the job:`
            : `fdl reprocess: stopped; every run before ${stopped.resumeFrom} is processed${failed > 0 ? ` (but for the ${plural(failed, 'output file')} not written, listed above: rerun those runs with --run once the cause is fixed)` : ''}, ${plural(stopped.runs, 'run')} (${plural(stopped.files, 'file')}) from it on are not. To finish the job, run:`,
        );
        io.err(`  ${resumeCommand(jobFlags, stopped.resumeFrom)}`);
        return exitCodeOf(signal!);
      }
      if (signal?.aborted)
        io.err('fdl reprocess: every run had started when the signal came, so the job is complete');
      return nothing || report.failedWrites > 0 ? 1 : 0;
    },
  };
}

/** `fdl reprocess`, registered by cli/fdl.ts. */
export const reprocessCommand: Command = createReprocessCommand();
