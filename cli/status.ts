/**
 * `fdl status`: what is in the local lake (files and bytes per dataset, raw archive, rejects) and in the
 * warehouse (rows per RAW table, files loaded, latest load).
 */
import { existsSync } from 'node:fs';
import { readdir, stat } from 'node:fs/promises';
import { join, resolve } from 'node:path';
import { DATASET_NAMES } from '../lambdas/core/datasets';
import { DEFAULT_PATHS, fmtBytes, fmtInt, parseFlags, table } from '../local/cli-support';
import { LOAD_HISTORY_TABLE, openWarehouse } from '../local/warehouse';
import { rawTableName } from '../sql/ddl';
import type { Command } from './command';

const FLAGS = { lake: { type: 'string' }, warehouse: { type: 'string' } } as const;

const USAGE = `Usage: fdl status [--lake DIR] [--warehouse FILE]

Shows what the local lake holds (files and bytes per dataset, the raw archive per source/endpoint,
rejects) and what the warehouse holds (rows per RAW table, files loaded, latest load).

Flags:
  --lake DIR        lake folder            [default: ${DEFAULT_PATHS.lake}]
  --warehouse FILE  DuckDB warehouse file  [default: ${DEFAULT_PATHS.warehouse}]

Example:
  fdl status`;

/** Files and bytes under a folder (recursively); zeros when it does not exist. */
export async function folderStats(dir: string, suffix = ''): Promise<{ files: number; bytes: number }> {
  let files = 0;
  let bytes = 0;
  const walk = async (d: string): Promise<void> => {
    let entries: import('node:fs').Dirent[];
    try {
      entries = await readdir(d, { withFileTypes: true });
    } catch {
      return;
    }
    for (const e of entries) {
      const p = join(d, e.name);
      if (e.isDirectory()) await walk(p);
      else if (e.isFile() && e.name.endsWith(suffix) && !e.name.endsWith('.tmp')) {
        files++;
        bytes += (await stat(p)).size;
      }
    }
  };
  await walk(dir);
  return { files, bytes };
}

export async function statusReport(lakeRoot: string, warehousePath: string): Promise<string> {
  const lines: string[] = [
    `Lake: ${lakeRoot}${existsSync(lakeRoot) ? '' : '  (does not exist yet: run `fdl run`)'}`,
  ];
  const lakeRows: string[][] = [['prefix', 'files', 'bytes']];
  for (const d of DATASET_NAMES) {
    const s = await folderStats(join(lakeRoot, d), '.parquet');
    lakeRows.push([`${d}/`, fmtInt(s.files), fmtBytes(s.bytes)]);
  }
  const rawRoot = join(lakeRoot, 'raw');
  const sources = existsSync(rawRoot) ? (await readdir(rawRoot)).sort() : [];
  for (const source of sources) {
    const endpoints = (await readdir(join(rawRoot, source))).sort();
    for (const endpoint of endpoints) {
      const s = await folderStats(join(rawRoot, source, endpoint));
      lakeRows.push([`raw/${source}/${endpoint}/`, fmtInt(s.files), fmtBytes(s.bytes)]);
    }
  }
  const rejects = await folderStats(join(lakeRoot, 'rejects'));
  lakeRows.push(['rejects/', fmtInt(rejects.files), fmtBytes(rejects.bytes)]);
  lines.push(table(lakeRows), '');

  lines.push(`Warehouse: ${warehousePath}`);
  if (!existsSync(warehousePath)) {
    lines.push('  (does not exist yet: run `fdl run` or `fdl load`)');
    return lines.join('\n');
  }
  const wh = await openWarehouse(warehousePath, { readOnly: true });
  try {
    const whRows: string[][] = [['RAW table', 'rows', 'files loaded', 'latest load (UTC)']];
    for (const d of DATASET_NAMES) {
      const [r] = await wh.query(`SELECT count(*) AS n FROM raw.${rawTableName(d)}`);
      const [f] = await wh.query(
        `SELECT count(*) AS n, max(loaded_at) AS latest FROM ${LOAD_HISTORY_TABLE} WHERE dataset = '${d}'`,
      );
      whRows.push([
        `RAW.${rawTableName(d)}`,
        fmtInt(Number(r!.n)),
        fmtInt(Number(f!.n)),
        f!.latest ? String(f!.latest).slice(0, 19).replace('T', ' ') : '—',
      ]);
    }
    lines.push(table(whRows));
  } finally {
    wh.close();
  }
  return lines.join('\n');
}

export const statusCommand: Command = {
  name: 'status',
  summary: 'Show what the local lake and warehouse hold.',
  usage: USAGE,
  async run(argv) {
    const flags = parseFlags(argv, FLAGS);
    const report = await statusReport(
      resolve(flags.lake ?? DEFAULT_PATHS.lake),
      resolve(flags.warehouse ?? DEFAULT_PATHS.warehouse),
    );
    process.stdout.write(`${report}\n`);
    return 0;
  },
};
