/**
 * `fdl load`: the local Snowpipe on demand — load lake dataset files not loaded yet into the warehouse.
 */
import { resolve } from 'node:path';
import { ConfigError } from '../lambdas/core/errors';
import { appendAlert } from '../local/alerts';
import { loadErrorAlert, runSnowpipe } from '../local/snowpipe';
import type { Command } from './command';
import { parseFlags } from './kit/args';
import { fmtInt, processIo } from './kit/io';
import { lakeFlagsHelp, lakeFromFlags } from './kit/lake-flags';
import { DEFAULT_PATHS } from './kit/paths';

const FLAGS = {
  lake: { type: 'string' },
  's3-endpoint': { type: 'string' },
  warehouse: { type: 'string' },
  alerts: { type: 'string' },
} as const;

const USAGE = `Usage: fdl load [--lake DIR|s3://BUCKET[/PREFIX] [--s3-endpoint URL]] [--warehouse FILE] [--alerts FILE]

Loads every lake dataset file (<dataset>/**/*.parquet) not loaded before into the DuckDB warehouse's RAW
tables, append-only with load metadata, like Snowpipe: a path already loaded is never loaded again.
A file that cannot be read is recorded as a load error and alerted; every other file still loads.
Creates the warehouse, its RAW tables and EXPOSED views when missing.

Flags:
${lakeFlagsHelp(20)}
  --warehouse FILE  DuckDB warehouse file  [default: ${DEFAULT_PATHS.warehouse}]
  --alerts FILE     where a file that cannot be loaded is alerted (JSON lines)  [default: ${DEFAULT_PATHS.alerts}]

Examples:
  fdl load --lake .local/lake
  fdl load --lake s3://fdl-lake --s3-endpoint http://127.0.0.1:9000`;

export const loadCommand: Command = {
  name: 'load',
  summary: 'Load new lake files into the local DuckDB warehouse (local Snowpipe).',
  usage: USAGE,
  async run(argv, io = processIo) {
    const flags = parseFlags(argv, FLAGS);
    const lake = await lakeFromFlags(flags);
    const warehousePath = resolve(flags.warehouse ?? DEFAULT_PATHS.warehouse);
    const alertsPath = resolve(flags.alerts ?? DEFAULT_PATHS.alerts);
    // Without this, a wrong --lake silently creates an empty warehouse and reports "0 files loaded".
    if (!(await lake.exists()))
      throw new ConfigError(
        `no lake at ${lake.description}: run \`fdl run\` first, or pass --lake <dir|s3://bucket>`,
      );
    const report = await runSnowpipe({
      lake: lake.store,
      warehousePath,
      onFile: (f) => io.out(`  ${f.srcFile}  ${fmtInt(f.rows)} rows`),
      onError: (e) => {
        appendAlert(alertsPath, loadErrorAlert(e, new Date()));
        io.out(`  FAILED ${e.srcFile}: ${e.firstError}`);
      },
    });
    io.out(
      `Loaded ${report.loaded.length} file(s), ${fmtInt(report.rowsLoaded)} rows into ${warehousePath} (${report.alreadyLoaded} file(s) were already loaded).`,
    );
    // Like Snowpipe, a bad file does not stop the others; it is recorded (see `fdl status`) and not retried
    // until it is rewritten.
    if (report.failed.length > 0)
      process.stdout.write(
        `${report.failed.length} file(s) failed to load, were recorded as load errors (fdl status shows them) and alerted in ${alertsPath}.\n`,
      );
    return 0;
  },
};
