/**
 * `fdl load`: the local Snowpipe on demand — load lake dataset files not loaded yet into the warehouse.
 */
import { existsSync } from 'node:fs';
import { resolve } from 'node:path';
import { ConfigError } from '../lambdas/core/errors';
import { DEFAULT_PATHS, fmtInt, parseFlags } from '../local/cli-support';
import { runSnowpipe } from '../local/snowpipe';
import type { Command } from './command';

const FLAGS = { lake: { type: 'string' }, warehouse: { type: 'string' } } as const;

const USAGE = `Usage: fdl load [--lake DIR] [--warehouse FILE]

Loads every lake dataset file (<dataset>/**/*.parquet) not loaded before into the DuckDB warehouse's RAW
tables, append-only with load metadata, like Snowpipe: a path already loaded is never loaded again.
Creates the warehouse, its RAW tables and EXPOSED views when missing.

Flags:
  --lake DIR        lake folder            [default: ${DEFAULT_PATHS.lake}]
  --warehouse FILE  DuckDB warehouse file  [default: ${DEFAULT_PATHS.warehouse}]

Example:
  fdl load --lake .local/lake`;

export const loadCommand: Command = {
  name: 'load',
  summary: 'Load new lake files into the local DuckDB warehouse (local Snowpipe).',
  usage: USAGE,
  async run(argv) {
    const flags = parseFlags(argv, FLAGS);
    const lakeRoot = resolve(flags.lake ?? DEFAULT_PATHS.lake);
    const warehousePath = resolve(flags.warehouse ?? DEFAULT_PATHS.warehouse);
    // Without this, a wrong --lake silently creates an empty warehouse and reports "0 files loaded".
    if (!existsSync(lakeRoot))
      throw new ConfigError(`no lake at ${lakeRoot}: run \`fdl run\` first, or pass --lake <dir>`);
    const report = await runSnowpipe({
      lakeRoot,
      warehousePath,
      onFile: (f) => process.stdout.write(`  ${f.srcFile}  ${fmtInt(f.rows)} rows\n`),
    });
    process.stdout.write(
      `Loaded ${report.loaded.length} file(s), ${fmtInt(report.rowsLoaded)} rows into ${warehousePath} (${report.alreadyLoaded} file(s) were already loaded).\n`,
    );
    return 0;
  },
};
