/**
 * `fdl backfill`: rebuild the datasets of a time range from the raw archive with the DEPLOYED backfill
 * definition (statemachines/backfill.asl.json) run by the local executor: plan → Distributed Map →
 * summary, the real handlers in-process, then the local Snowpipe loads the rebuilt files into DuckDB.
 * Use `fdl reprocess` for the fastest rebuild on one machine; this command exists to run (and test) the
 * cloud's backfill locally, with its batching, tolerated failures and alerts.
 */
import { resolve } from 'node:path';
import { loadEnv } from '../envs/load';
import { textOf } from '../lambdas/adapters/lake-store';
import type { BackfillSummary } from '../lambdas/core/backfill';
import { manifestKey, parseRawKey } from '../lambdas/core/backfill';
import { DATASET_NAMES } from '../lambdas/core/datasets';
import { ConfigError } from '../lambdas/core/errors';
import { RAW_PREFIX, REBUILD_TAG } from '../lambdas/core/lake';
import { createLocalBackfill } from '../local/backfill';
import { runSnowpipe } from '../local/snowpipe';
import type { Command } from './command';
import { JSON_FLAG, parseFlags, UsageError } from './kit/args';
import { fmtInt, processIo, table, toJson } from './kit/io';
import { lakeFromFlags } from './kit/lake-flags';
import { DEFAULT_PATHS } from './kit/paths';
import { runLog } from './kit/run-log';

const FLAGS = {
  raw: { type: 'string' },
  lake: { type: 'string' },
  's3-endpoint': { type: 'string' },
  from: { type: 'string' },
  to: { type: 'string' },
  datasets: { type: 'string' },
  name: { type: 'string' },
  env: { type: 'string' },
  warehouse: { type: 'string' },
  alerts: { type: 'string' },
  'no-load': { type: 'boolean' },
  ...JSON_FLAG,
} as const;

const USAGE = `Usage: fdl backfill --raw DIR --lake DIR [--from TIME] [--to TIME] [--datasets a,b] [--name ID]
                    [--env dev] [--warehouse FILE] [--alerts FILE] [--no-load] [--json]

Runs the cloud's backfill state machine (statemachines/backfill.asl.json) locally: plans one item per
dataset and run found under <raw>/raw/ in [--from, --to), runs them through a Distributed Map (batches,
concurrency and tolerated failure percentage from envs/<env>.env.ts) with the pipeline's transform, and
writes NEW files <dataset>/…/<dataset>_YYYYMMDD_HHMM_<name>.parquet into --lake, then loads them with the
local Snowpipe: RAW keeps every load, the EXPOSED views show the rebuild. Exits 1 when the backfill
fails (more failed items than tolerated); failures under the threshold are listed and alerted.

Flags:
  --raw DIR          lake root holding raw/ (required)
  --lake DIR         lake root to write into (required; may equal --raw)
  --from TIME        first run time, ISO-8601 (inclusive)   [default: the archive's first run]
  --to TIME          end of the range, ISO-8601 (exclusive)  [default: just after the archive's last run]
  --datasets LIST    comma-separated: ${DATASET_NAMES.join(', ')}   [default: all]
  --name ID          backfill id = execution name, tags the files [default: backfill-<UTC time>]
  --env NAME         batch size, concurrency, tolerated failures from envs/NAME.env.ts [default: dev]
  --warehouse FILE   DuckDB warehouse the rebuilt files are loaded into; required with a --lake other
                     than the default (a warehouse holds one lake's loads) [default: ${DEFAULT_PATHS.warehouse}]
  --alerts FILE      alerts as JSON lines [default: ${DEFAULT_PATHS.alerts}]
  --no-load          do not run the local Snowpipe afterwards
  --json             print the summary as JSON on stdout (progress and messages go to stderr)

Example:
  fdl backfill --raw .local/lake --lake .local/lake --from 2026-11-24T00:00Z --to 2026-11-25T00:00Z`;

/** `backfill-20261201T043000Z`: sortable, so later rebuilds' file names sort after earlier ones. */
export function defaultBackfillName(at: Date): string {
  return `backfill-${at
    .toISOString()
    .replace(/[-:]/g, '')
    .replace(/\.\d+Z$/, 'Z')}`;
}

function parseTime(flag: string, value: string): string {
  const t = new Date(value);
  if (Number.isNaN(t.getTime()))
    throw new UsageError(`--${flag} "${value}" is not an ISO-8601 time (e.g. 2026-11-24T00:00Z)`);
  return t.toISOString();
}

/** Per-dataset table of a summary, with a total line. */
export function formatBackfillSummary(s: BackfillSummary): string {
  const rows = s.perDataset.map((d) => [
    d.dataset,
    fmtInt(d.items),
    fmtInt(d.files),
    fmtInt(d.rows),
    fmtInt(d.rejects),
    fmtInt(d.skipped),
  ]);
  return table([
    ['dataset', 'items', 'files', 'rows', 'rejects', 'skipped'],
    ...rows,
    [
      'total',
      fmtInt(s.items - s.itemsFailed),
      fmtInt(s.files),
      fmtInt(s.rows),
      fmtInt(s.rejects),
      fmtInt(s.skipped),
    ],
  ]);
}

export const backfillCommand: Command = {
  name: 'backfill',
  summary:
    'Rebuild datasets from the raw archive with the backfill state machine (Distributed Map), locally.',
  usage: USAGE,
  async run(argv, io = processIo) {
    const flags = parseFlags(argv, FLAGS);
    if (!flags.raw || !flags.lake) throw new UsageError(`--${flags.raw ? 'lake' : 'raw'} is required`);
    const datasets = flags.datasets
      ?.split(',')
      .map((d) => d.trim())
      .filter(Boolean);
    const unknown = (datasets ?? []).filter((d) => !(DATASET_NAMES as readonly string[]).includes(d));
    if (unknown.length)
      throw new UsageError(
        `--datasets: unknown ${unknown.join(', ')}; expected some of ${DATASET_NAMES.join(', ')}`,
      );
    const name = flags.name ?? defaultBackfillName(new Date());
    if (!REBUILD_TAG.test(name))
      throw new UsageError(`--name "${name}" must match ${REBUILD_TAG.source} (it tags file names)`);
    // Usage errors first (exit 2), before anything is opened or listed.
    const fromFlag = flags.from === undefined ? undefined : parseTime('from', flags.from);
    const toFlag = flags.to === undefined ? undefined : parseTime('to', flags.to);
    const env = await loadEnv(flags.env ?? 'dev');

    const raw = await lakeFromFlags({ lake: flags.raw, 's3-endpoint': flags['s3-endpoint'] });
    const lake = await lakeFromFlags({ lake: flags.lake, 's3-endpoint': flags['s3-endpoint'] });
    if (!(await raw.exists()))
      throw new ConfigError(`--raw ${raw.description} does not exist; pass a lake root holding raw/`);
    const rawKeys = await raw.store.list(RAW_PREFIX);
    const runTimes = rawKeys.flatMap((k) => parseRawKey(k)?.partitionTime.getTime() ?? []);
    if (runTimes.length === 0)
      throw new ConfigError(
        `no raw envelopes under ${raw.description}/${RAW_PREFIX}; --raw must be a lake root holding raw/`,
      );
    // Defaults: the archive's first run, and just after its last (the range is half-open).
    const from = fromFlag ?? new Date(Math.min(...runTimes)).toISOString();
    const to = toFlag ?? new Date(Math.max(...runTimes) + 60_000).toISOString();

    // The local warehouse belongs to one lake: loading another lake's rebuild into the default warehouse
    // would mix two lakes' rows in RAW.
    if (
      !flags['no-load'] &&
      !flags.warehouse &&
      (flags.lake.startsWith('s3://') || resolve(flags.lake) !== resolve(DEFAULT_PATHS.lake))
    )
      throw new UsageError(
        `--lake ${flags.lake} is not the default lake, and the default warehouse (${DEFAULT_PATHS.warehouse}) holds another lake's loads: pass --warehouse FILE for this lake, or --no-load`,
      );
    const log = runLog('backfill');
    const err = (t: string) => io.err(t);
    let total = 0;
    let done = 0;
    let lastPrint = 0;
    const twin = createLocalBackfill({
      raw: raw.store,
      lake: lake.store,
      config: env.backfill,
      logger: log.logger,
      alertsPath: resolve(flags.alerts ?? DEFAULT_PATHS.alerts),
      onAlert: (a) => err(`ALERT ${a.subject}`),
      onEvent: (e) => {
        if (e.type !== 'StateExited') return;
        if (e.state === 'Plan')
          void lake.store.get(manifestKey(name)).then((b) => {
            total = (JSON.parse(textOf(b)) as unknown[]).length;
            err(`planned ${fmtInt(total)} item(s) (dataset × run) in [${from}, ${to})`);
          });
        if (e.state === 'TransformItem') {
          done++;
          const now = performance.now();
          if (now - lastPrint >= 1000 || done === total) {
            lastPrint = now;
            err(`rebuilt ${fmtInt(done)}/${fmtInt(total)} items`);
          }
        }
      },
    });
    err(`backfill ${name}: ${raw.description} → ${lake.description}`);
    const result = await twin.execute({ from, to, ...(datasets ? { datasets } : {}) }, { name });
    if (result.status === 'FAILED')
      throw new Error(
        `backfill ${name} FAILED: ${result.error}: ${result.cause} (alerts: ${flags.alerts ?? DEFAULT_PATHS.alerts})`,
      );
    const summary = result.output as BackfillSummary & { resultsManifestKey: string };
    if (!flags.json) io.out(formatBackfillSummary(summary));
    if (summary.itemsFailed > 0) {
      err(
        `${summary.itemsFailed} of ${summary.items} items failed (under the tolerated ${env.backfill.toleratedFailurePercentage}%):`,
      );
      for (const f of summary.failures) err(`  ${f.error}: ${f.items.join(', ')}`);
    }
    err(`results: ${summary.resultsManifestKey}`);
    let loaded: { files: number; rows: number } | undefined;
    if (!flags['no-load']) {
      const warehousePath = resolve(flags.warehouse ?? DEFAULT_PATHS.warehouse);
      const report = await runSnowpipe({ lake: lake.store, warehousePath });
      loaded = { files: report.loaded.length, rows: report.rowsLoaded };
      (flags.json ? err : io.out)(
        `Loaded ${report.loaded.length} file(s), ${fmtInt(report.rowsLoaded)} rows into ${warehousePath}.`,
      );
    }
    if (flags.json) io.out(toJson({ ...summary, ...(loaded ? { loaded } : {}) }));
    return 0;
  },
};
