/**
 * `fdl status`: what is in the local lake (files and bytes per dataset, raw archive, rejects) and in the
 * warehouse (rows per RAW table, files loaded, latest load). The lake is a folder or an s3:// bucket.
 */
import { existsSync } from 'node:fs';
import { resolve } from 'node:path';
import type { LakeObject } from '../lambdas/adapters/lake-store';
import { DATASET_NAMES } from '../lambdas/core/datasets';
import { DATASET_FILE_SUFFIX, RAW_PREFIX, REJECTS_PREFIX } from '../lambdas/core/lake';
import { LOAD_HISTORY_TABLE, openWarehouse } from '../local/warehouse';
import { rawTableName } from '../sql/ddl';
import type { Command } from './command';
import { parseFlags } from './kit/args';
import { fmtBytes, fmtInt, processIo, table } from './kit/io';
import { type LocalLake, lakeFlagsHelp, lakeFromFlags } from './kit/lake-flags';
import { DEFAULT_PATHS } from './kit/paths';

const FLAGS = {
  lake: { type: 'string' },
  's3-endpoint': { type: 'string' },
  warehouse: { type: 'string' },
} as const;

const USAGE = `Usage: fdl status [--lake DIR|s3://BUCKET[/PREFIX] [--s3-endpoint URL]] [--warehouse FILE]

Shows what the local lake holds (files and bytes per dataset, the raw archive per source/endpoint,
rejects) and what the warehouse holds (rows per RAW table, files loaded, latest load).

Flags:
${lakeFlagsHelp(20)}
  --warehouse FILE  DuckDB warehouse file  [default: ${DEFAULT_PATHS.warehouse}]

Example:
  fdl status`;

/** Files and bytes of a listing. */
const totals = (objects: readonly LakeObject[]) => ({
  files: objects.length,
  bytes: objects.reduce((n, o) => n + o.size, 0),
});

export async function statusReport(lake: LocalLake, warehousePath: string): Promise<string> {
  const exists = await lake.exists();
  const lines: string[] = [
    `Lake: ${lake.description}${exists ? '' : '  (does not exist yet: run `fdl run`)'}`,
  ];
  const lakeRows: string[][] = [['prefix', 'files', 'bytes']];
  const store = lake.store;
  for (const d of DATASET_NAMES) {
    const files = exists
      ? (await store.listObjects(`${d}/`)).filter((o) => o.key.endsWith(DATASET_FILE_SUFFIX))
      : [];
    const s = totals(files);
    lakeRows.push([`${d}/`, fmtInt(s.files), fmtBytes(s.bytes)]);
  }
  // The raw archive per `raw/<source>/<endpoint>/`, from one listing.
  const raw = new Map<string, LakeObject[]>();
  for (const o of exists ? await store.listObjects(RAW_PREFIX) : []) {
    const group = `${o.key.split('/').slice(0, 3).join('/')}/`;
    raw.set(group, [...(raw.get(group) ?? []), o]);
  }
  for (const [group, objects] of [...raw].sort(([a], [b]) => (a < b ? -1 : 1))) {
    const s = totals(objects);
    lakeRows.push([group, fmtInt(s.files), fmtBytes(s.bytes)]);
  }
  const rejects = totals(exists ? await store.listObjects(REJECTS_PREFIX) : []);
  lakeRows.push([REJECTS_PREFIX, fmtInt(rejects.files), fmtBytes(rejects.bytes)]);
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
  async run(argv, io = processIo) {
    const flags = parseFlags(argv, FLAGS);
    const report = await statusReport(
      await lakeFromFlags(flags),
      resolve(flags.warehouse ?? DEFAULT_PATHS.warehouse),
    );
    io.out(report);
    return 0;
  },
};
