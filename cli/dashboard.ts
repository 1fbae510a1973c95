/**
 * `fdl dashboard`: rebuild the static dashboard from the warehouse's EXPOSED views.
 */
import { existsSync } from 'node:fs';
import { resolve } from 'node:path';
import { ConfigError } from '../lambdas/core/errors';
import { buildDashboard } from '../local/dashboard';
import type { Command } from './command';
import { parseFlags } from './kit/args';
import { processIo } from './kit/io';
import { DEFAULT_PATHS } from './kit/paths';

const FLAGS = { warehouse: { type: 'string' }, dashboard: { type: 'string' } } as const;

const USAGE = `Usage: fdl dashboard [--warehouse FILE] [--dashboard FILE]

Builds a static HTML dashboard (Vega-Lite, data embedded, opens from file:// with no network) from the
warehouse's EXPOSED views: top coins' price and market cap, market overview, sentiment per subreddit,
sentiment vs price change per coin, ingestion health.

Flags:
  --warehouse FILE  DuckDB warehouse file  [default: ${DEFAULT_PATHS.warehouse}]
  --dashboard FILE  output HTML file       [default: ${DEFAULT_PATHS.dashboard}]

Example:
  fdl dashboard --dashboard /tmp/fdl.html`;

export const dashboardCommand: Command = {
  name: 'dashboard',
  summary: 'Build the static HTML dashboard from the warehouse.',
  usage: USAGE,
  async run(argv, io = processIo) {
    const flags = parseFlags(argv, FLAGS);
    const warehousePath = resolve(flags.warehouse ?? DEFAULT_PATHS.warehouse);
    if (!existsSync(warehousePath))
      throw new ConfigError(`no warehouse at ${warehousePath}: run \`fdl run\` (or \`fdl load\`) first`);
    const outPath = resolve(flags.dashboard ?? DEFAULT_PATHS.dashboard);
    const result = await buildDashboard({ warehousePath, outPath });
    const empty = result.charts.filter((c) => c.rows === 0).map((c) => c.id);
    if (empty.length) io.out(`Charts without data yet: ${empty.join(', ')}`);
    io.out(`Dashboard: ${result.path}`);
    return 0;
  },
};
