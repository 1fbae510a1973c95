/**
 * `fdl run`: N ticks of the pipeline through the local twin (the deployed state machine definition, the
 * real handlers in-process), then the local Snowpipe load and the dashboard. Prints progress per tick,
 * where everything is, and a short summary table.
 */
import { resolve } from 'node:path';
import { loadEnv } from '../envs/load';
import type { PipelineInput, TransformOutput } from '../lambdas/contracts';
import { DATASET_NAMES } from '../lambdas/core/datasets';
import { ConfigError } from '../lambdas/core/errors';
import { appendAlert } from '../local/alerts';
import { buildDashboardFrom } from '../local/dashboard';
import { runTicks, type TickResult } from '../local/runner';
import { loadErrorAlert, loadNewFilesInto } from '../local/snowpipe';
import { parseSource, resolveSource, ticksProblem } from '../local/sources';
import { openWarehouse } from '../local/warehouse';
import { rawTableName } from '../sql/ddl';
import { describeFailures, runViewTests } from '../sql/view-tests';
import type { Command } from './command';
import { JSON_FLAG, parseFlags, UsageError } from './kit/args';
import { fmtInt, processIo, table, toJson } from './kit/io';
import { assertLakeWritable, lakeFlagsHelp, lakeFromFlags } from './kit/lake-flags';
import { DEFAULT_PATHS } from './kit/paths';
import { runLog } from './kit/run-log';

const FLAGS = {
  ticks: { type: 'number' },
  source: { type: 'string' },
  env: { type: 'string' },
  lake: { type: 'string' },
  's3-endpoint': { type: 'string' },
  warehouse: { type: 'string' },
  dashboard: { type: 'string' },
  alerts: { type: 'string' },
  ...JSON_FLAG,
} as const;

const USAGE = `Usage: fdl run [--ticks N] [--source live|replay:<dir>|auto] [--env dev] [paths…]

Runs the pipeline N times (ticks, 10 minutes apart) through the local twin: the deployed state machine
definition executed locally with the real Lambda handlers, writing the lake to a folder (or a bucket on an
S3-compatible endpoint); then loads the new lake files into the local DuckDB warehouse (local Snowpipe)
and builds the dashboard.

Flags:
  --source S      live (real APIs; Reddit needs REDDIT_CLIENT_ID/REDDIT_CLIENT_SECRET),
                  replay:<dir> (serve recorded envelopes from <dir> on loopback, simulated clock),
                  auto (live when reachable and configured, else the bundled sample)   [default: auto]
  --ticks N       executions to run [default: replay → every snapshot of the recording, live → 1]
  --env NAME      pipeline input (subreddits, Coinlore pages, lookback) from envs/NAME.env.ts [default: dev];
                  replay uses the subreddits and pages the recording has
${lakeFlagsHelp(18)}
  --warehouse F   DuckDB warehouse file            [default: ${DEFAULT_PATHS.warehouse}]
  --dashboard F   dashboard HTML file              [default: ${DEFAULT_PATHS.dashboard}]
  --alerts F      alerts log (JSON lines)          [default: ${DEFAULT_PATHS.alerts}]
  --json          print the run summary as JSON on stdout (progress goes to stderr)

Examples:
  fdl run --source replay:replay/sample --ticks 3
  fdl run --lake s3://fdl-lake --s3-endpoint http://127.0.0.1:9000   # MinIO`;

export interface RunSummary {
  /** The lake folder, or `s3://bucket[/prefix]`. */
  readonly lake: string;
  readonly warehouse: string;
  readonly dashboard: string;
  readonly ticks: readonly TickResult[];
  readonly alerts: number;
  /** The alerts log (JSON lines) this run appended to. */
  readonly alertsPath: string;
  readonly rawRows: Readonly<Record<string, number>>;
  readonly filesLoaded: number;
  /** Grain tests of the EXPOSED views (unique + not null) that failed, one line each; empty when all pass. */
  readonly viewTestFailures: readonly string[];
  /** Lake files the local Snowpipe failed to load in this run (each alerted; see `fdl status`). */
  readonly loadErrors: number;
}

/** Rows written per dataset by successful transforms of a tick (from the execution summary). */
function tickRows(t: TickResult): Record<string, number> {
  const datasets = (t.output as { datasets?: TransformOutput[] } | undefined)?.datasets ?? [];
  return Object.fromEntries(datasets.map((d) => [d.dataset, d.rows]));
}

/** The whole `fdl run`, returning what it did (tests call this; the command prints around it). */
export async function runPipeline(
  argv: readonly string[],
  print: (line: string) => void = processIo.out,
): Promise<RunSummary> {
  const flags = parseFlags(argv, FLAGS);
  const spec = (() => {
    try {
      return parseSource(flags.source ?? 'auto');
    } catch (err) {
      throw new UsageError((err as Error).message);
    }
  })();
  const log = runLog('run');
  const lake = await lakeFromFlags(flags);
  const paths = {
    lake: lake.store.location,
    warehouse: resolve(flags.warehouse ?? DEFAULT_PATHS.warehouse),
    dashboard: resolve(flags.dashboard ?? DEFAULT_PATHS.dashboard),
    alerts: resolve(flags.alerts ?? DEFAULT_PATHS.alerts),
  };
  // Before any tick: a missing bucket would otherwise fail every execution, one alert each.
  if (lake.location.kind === 's3' && !(await lake.exists()))
    throw new ConfigError(
      `no bucket ${lake.location.bucket} at ${lake.location.endpoint}: create it first (MinIO: \`mc mb <alias>/${lake.location.bucket}\`)`,
    );
  await assertLakeWritable(lake);
  const env = await loadEnv(flags.env ?? 'dev');
  const source = await resolveSource(spec, { notice: (line) => print(line) });
  try {
    let input: PipelineInput = {
      subreddits: env.subreddits,
      coinlorePages: env.coinlore.pages,
      lookbackMinutes: env.reddit.lookbackMinutes,
    };
    if (source.recorded) {
      input = {
        ...input,
        subreddits: source.recorded.subreddits,
        coinlorePages: source.recorded.coinlorePages,
      };
      print(
        `Replay: using what the recording has (r/${input.subreddits.join(', r/')}; ${input.coinlorePages} Coinlore page${input.coinlorePages > 1 ? 's' : ''}), not envs/${env.name}.env.ts.`,
      );
    }
    const ticks = flags.ticks ?? source.snapshots ?? 1;
    const tooMany = ticksProblem(source, ticks);
    if (tooMany) throw new UsageError(tooMany);
    print(`Source: ${source.description}`);
    print(`Running ${ticks} tick${ticks > 1 ? 's' : ''} (handler logs: ${log.path})`);
    const started = Date.now();
    const { results, alerts } = await runTicks({
      source,
      ticks,
      input,
      lake: lake.store,
      userAgent: env.reddit.userAgent,
      logger: log.logger,
      alertsPath: paths.alerts,
      delayScale: source.kind === 'replay' ? 0 : 1,
      onAlert: (a) => print(`  ALERT ${a.subject}`),
      onEvent: (e) => {
        if (e.type === 'RetryScheduled')
          print(`  retry ${e.path} after ${e.error} (attempt ${e.retryCount})`);
      },
      onTick: (t) => {
        const rows = Object.values(tickRows(t)).reduce((a, b) => a + b, 0);
        const detail = t.status === 'SUCCEEDED' ? `${fmtInt(rows)} rows` : `${t.error}: ${t.cause}`;
        print(`  tick ${t.tick}/${ticks}  ${t.runId}  ${t.status}  ${detail}`);
      },
    });

    print('Loading new lake files into the warehouse (local Snowpipe)…');
    const wh = await openWarehouse(paths.warehouse);
    let summary: RunSummary;
    let loadErrors = 0;
    try {
      // A file Snowpipe cannot load is an alert, not a failed run: every other file still loads.
      const report = await loadNewFilesInto(wh, {
        lake: lake.store,
        onError: (e) => {
          appendAlert(paths.alerts, loadErrorAlert(e, new Date()));
          print(`  ALERT Snowpipe load failed: ${e.srcFile}: ${e.firstError}`);
        },
      });
      print(
        `  ${report.loaded.length} file(s), ${fmtInt(report.rowsLoaded)} rows loaded; ${report.alreadyLoaded} already loaded before${report.failed.length ? `; ${report.failed.length} failed (fdl status)` : ''}`,
      );
      loadErrors = report.failed.length;
      const rawRows: Record<string, number> = {};
      for (const d of DATASET_NAMES)
        rawRows[d] = Number((await wh.query(`SELECT count(*) AS n FROM raw.${rawTableName(d)}`))[0]!.n);
      const [files] = await wh.query('SELECT count(*) AS n FROM snowpipe.load_history');
      const viewTests = await runViewTests((sql) => wh.query(sql));
      const viewTestFailures = describeFailures(viewTests);
      print(
        viewTestFailures.length === 0
          ? `  grain tests: all ${viewTests.length} passed (each EXPOSED view's key unique and not null)`
          : `  grain tests: ${viewTestFailures.length} of ${viewTests.length} FAILED: ${viewTestFailures.join('; ')}`,
      );
      await buildDashboardFrom(wh, { outPath: paths.dashboard, alerts: alerts.length + loadErrors });
      summary = {
        ...paths,
        alertsPath: paths.alerts,
        ticks: results,
        alerts: alerts.length + loadErrors,
        loadErrors,
        rawRows,
        filesLoaded: Number(files!.n),
        viewTestFailures,
      };
    } finally {
      wh.close();
    }

    if (flags.json) return summary;
    const succeeded = results.filter((r) => r.status === 'SUCCEEDED').length;
    const written: Record<string, number> = {};
    for (const r of results)
      for (const [d, n] of Object.entries(tickRows(r))) written[d] = (written[d] ?? 0) + n;
    print('');
    print(
      table([
        ['ticks', 'succeeded', 'failed', 'alerts', 'seconds'],
        [
          String(results.length),
          String(succeeded),
          String(results.length - succeeded),
          String(summary.alerts),
          ((Date.now() - started) / 1000).toFixed(1),
        ],
      ]),
    );
    print('');
    print(
      table([
        ['dataset', 'rows written this run', 'rows in warehouse RAW'],
        ...DATASET_NAMES.map((d) => [d, fmtInt(written[d] ?? 0), fmtInt(summary.rawRows[d] ?? 0)]),
      ]),
    );
    print('');
    print(`Lake:       ${lake.description}`);
    print(`Warehouse:  ${paths.warehouse}`);
    print(`Alerts:     ${paths.alerts}`);
    print(`Dashboard:  ${paths.dashboard}`);
    return summary;
  } finally {
    await source.close();
  }
}

export const runCommand: Command = {
  name: 'run',
  summary: 'Run the pipeline locally (N ticks), load the warehouse and build the dashboard.',
  usage: USAGE,
  async run(argv, io = processIo) {
    const json = parseFlags(argv, FLAGS).json;
    const summary = await runPipeline(argv, json ? io.err : io.out);
    if (json) io.out(toJson(summary));
    const failed = summary.ticks.filter((t) => t.status === 'FAILED').length;
    if (failed > 0) {
      io.err(
        `fdl run: ${failed} of ${summary.ticks.length} execution(s) FAILED; the data that landed was loaded (alerts: ${summary.alertsPath}; details: ${runLog('run').path})`,
      );
      return 1;
    }
    if (summary.viewTestFailures.length > 0) {
      io.err(
        `fdl run: ${summary.viewTestFailures.length} grain test(s) of the EXPOSED views failed: ${summary.viewTestFailures[0]}${summary.viewTestFailures.length > 1 ? ' …' : ''}`,
      );
      return 1;
    }
    return 0;
  },
};
