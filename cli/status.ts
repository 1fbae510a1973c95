/**
 * `fdl status`: what is in the local lake (files and bytes per dataset, raw archive, rejects), in the
 * warehouse (rows per RAW table, files loaded, latest load), and per dataset the local pipe's health
 * (files in the lake vs loaded, the oldest unloaded file, the pipe state, load errors) from the same check
 * as the cloud's. `--json` prints the same facts as one JSON document. The lake is a folder or s3:// bucket.
 */
import { existsSync } from 'node:fs';
import { resolve } from 'node:path';
import type { LakeObject } from '../lambdas/adapters/lake-store';
import { DATASET_NAMES } from '../lambdas/core/datasets';
import { DATASET_FILE_SUFFIX, RAW_PREFIX, REJECTS_PREFIX } from '../lambdas/core/lake';
import { DEFAULT_PATHS, fmtBytes, fmtInt, parseFlags, table } from '../local/cli-support';
import { type LocalLake, lakeFlagsHelp, lakeFromFlags } from '../local/lake-location';
import { type LocalPipeStatus, localPipeStatus } from '../local/pipe-status';
import { LOAD_HISTORY_TABLE, openWarehouse } from '../local/warehouse';
import { rawTableName } from '../sql/ddl';
import type { Command } from './command';

const FLAGS = {
  lake: { type: 'string' },
  's3-endpoint': { type: 'string' },
  warehouse: { type: 'string' },
  json: { type: 'boolean' },
} as const;

const USAGE = `Usage: fdl status [--lake DIR|s3://BUCKET[/PREFIX] [--s3-endpoint URL]] [--warehouse FILE] [--json]

Shows what the local lake holds (files and bytes per dataset, the raw archive per source/endpoint,
rejects), what the warehouse holds (rows per RAW table, files loaded, latest load), and per dataset the
local pipe: files in the lake vs loaded, the oldest unloaded file, the pipe state and load errors (files
the local Snowpipe could not load, with their first error). Exit code 0 either way.

Flags:
${lakeFlagsHelp(20)}
  --warehouse FILE  DuckDB warehouse file  [default: ${DEFAULT_PATHS.warehouse}]
  --json            print one JSON document instead of tables

Examples:
  fdl status
  fdl status --json | jq '.pipes[] | select(.loadErrors | length > 0)'`;

/** Files and bytes of a listing. */
const totals = (objects: readonly LakeObject[]) => ({
  files: objects.length,
  bytes: objects.reduce((n, o) => n + o.size, 0),
});

/** The local pipes' status (no warehouse yet: every pipe NOT_CREATED). */
export async function pipeStatus(
  lake: LocalLake,
  warehousePath: string,
  now = new Date(),
): Promise<LocalPipeStatus[]> {
  const store = (await lake.exists()) ? lake.store : undefined;
  if (!existsSync(warehousePath)) return localPipeStatus(store, undefined, now);
  const wh = await openWarehouse(warehousePath, { readOnly: true });
  try {
    return await localPipeStatus(store, wh, now);
  } finally {
    wh.close();
  }
}

/** The local pipes as a table, then each load error and problem on its own line. */
export function formatPipeStatus(pipes: readonly LocalPipeStatus[]): string {
  const rows = [
    ['local pipe', 'state', 'files in lake', 'loaded', 'unloaded', 'load errors', 'oldest unloaded'],
    ...pipes.map((p) => [
      p.dataset,
      p.pipeState,
      fmtInt(p.filesInLake),
      fmtInt(p.filesLoaded),
      fmtInt(p.filesUnloaded),
      fmtInt(p.loadErrors.length),
      p.oldestUnloaded ? `${p.oldestUnloaded.file} (${p.oldestUnloaded.lastModified})` : '—',
    ]),
  ];
  const lines = [table(rows)];
  for (const p of pipes) for (const e of p.loadErrors) lines.push(`  LOAD ERROR ${e.file}: ${e.error}`);
  return lines.join('\n');
}

export async function statusReport(lake: LocalLake, warehousePath: string): Promise<string> {
  const pipes = formatPipeStatus(await pipeStatus(lake, warehousePath));
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
    lines.push('  (does not exist yet: run `fdl run` or `fdl load`)', '', pipes);
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
  lines.push('', pipes);
  return lines.join('\n');
}

export const statusCommand: Command = {
  name: 'status',
  summary: 'Show what the local lake and warehouse hold.',
  usage: USAGE,
  async run(argv) {
    const flags = parseFlags(argv, FLAGS);
    const lake = await lakeFromFlags(flags);
    const warehousePath = resolve(flags.warehouse ?? DEFAULT_PATHS.warehouse);
    if (flags.json) {
      const doc = {
        lake: lake.description,
        warehouse: warehousePath,
        warehouseExists: existsSync(warehousePath),
        pipes: await pipeStatus(lake, warehousePath),
      };
      process.stdout.write(`${JSON.stringify(doc, null, 2)}\n`);
      return 0;
    }
    process.stdout.write(`${await statusReport(lake, warehousePath)}\n`);
    return 0;
  },
};
