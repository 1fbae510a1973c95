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
import { type LocalPipeStatus, localPipeStatus } from '../local/pipe-status';
import { LOAD_HISTORY_TABLE, openWarehouse } from '../local/warehouse';
import { rawTableName } from '../sql/ddl';
import type { Command } from './command';
import { parseFlags } from './kit/args';
import { fmtBytes, fmtInt, processIo, table, toJson } from './kit/io';
import { type LocalLake, lakeFlagsHelp, lakeFromFlags } from './kit/lake-flags';
import { DEFAULT_PATHS } from './kit/paths';

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

/** Everything `fdl status` reports, as data: the text and the --json output are two renderings of it. */
export interface StatusData {
  readonly lake: {
    readonly location: string;
    readonly exists: boolean;
    /** Dataset prefixes, then `raw/<source>/<endpoint>/` groups, then `rejects/`. */
    readonly prefixes: readonly { readonly prefix: string; readonly files: number; readonly bytes: number }[];
  };
  readonly warehouse: {
    readonly path: string;
    readonly exists: boolean;
    readonly rawTables: readonly {
      readonly table: string;
      readonly rows: number;
      readonly filesLoaded: number;
      readonly latestLoad?: string;
    }[];
  };
  readonly pipes: readonly LocalPipeStatus[];
}

export async function statusData(
  lake: LocalLake,
  warehousePath: string,
  now = new Date(),
): Promise<StatusData> {
  const exists = await lake.exists();
  const store = lake.store;
  const prefixes: { prefix: string; files: number; bytes: number }[] = [];
  for (const d of DATASET_NAMES) {
    const files = exists
      ? (await store.listObjects(`${d}/`)).filter((o) => o.key.endsWith(DATASET_FILE_SUFFIX))
      : [];
    prefixes.push({ prefix: `${d}/`, ...totals(files) });
  }
  // The raw archive per `raw/<source>/<endpoint>/`, from one listing.
  const raw = new Map<string, LakeObject[]>();
  for (const o of exists ? await store.listObjects(RAW_PREFIX) : []) {
    const group = `${o.key.split('/').slice(0, 3).join('/')}/`;
    raw.set(group, [...(raw.get(group) ?? []), o]);
  }
  for (const [group, objects] of [...raw].sort(([x], [y]) => (x < y ? -1 : 1)))
    prefixes.push({ prefix: group, ...totals(objects) });
  prefixes.push({ prefix: REJECTS_PREFIX, ...totals(exists ? await store.listObjects(REJECTS_PREFIX) : []) });

  const whExists = existsSync(warehousePath);
  const rawTables: StatusData['warehouse']['rawTables'][number][] = [];
  let pipes: LocalPipeStatus[];
  if (!whExists) pipes = await localPipeStatus(exists ? store : undefined, undefined, now);
  else {
    const wh = await openWarehouse(warehousePath, { readOnly: true });
    try {
      for (const d of DATASET_NAMES) {
        const [r] = await wh.query(`SELECT count(*) AS n FROM raw.${rawTableName(d)}`);
        const [f] = await wh.query(
          `SELECT count(*) AS n, max(loaded_at) AS latest FROM ${LOAD_HISTORY_TABLE} WHERE dataset = '${d}'`,
        );
        rawTables.push({
          table: `RAW.${rawTableName(d)}`,
          rows: Number(r!.n),
          filesLoaded: Number(f!.n),
          ...(f!.latest ? { latestLoad: String(f!.latest).slice(0, 19).replace('T', ' ') } : {}),
        });
      }
      pipes = await localPipeStatus(exists ? store : undefined, wh, now);
    } finally {
      wh.close();
    }
  }
  return {
    lake: { location: lake.description, exists, prefixes },
    warehouse: { path: warehousePath, exists: whExists, rawTables },
    pipes,
  };
}

/** The local pipes as a table, then each load error on its own line. */
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

/** The text report: lake prefixes, RAW tables, local pipes. */
export function formatStatus(data: StatusData): string {
  const lines: string[] = [
    `Lake: ${data.lake.location}${data.lake.exists ? '' : '  (does not exist yet: run `fdl run`)'}`,
    table([
      ['prefix', 'files', 'bytes'],
      ...data.lake.prefixes.map((p) => [p.prefix, fmtInt(p.files), fmtBytes(p.bytes)]),
    ]),
    '',
    `Warehouse: ${data.warehouse.path}`,
  ];
  if (!data.warehouse.exists) lines.push('  (does not exist yet: run `fdl run` or `fdl load`)');
  else
    lines.push(
      table([
        ['RAW table', 'rows', 'files loaded', 'latest load (UTC)'],
        ...data.warehouse.rawTables.map((t) => [
          t.table,
          fmtInt(t.rows),
          fmtInt(t.filesLoaded),
          t.latestLoad ?? '—',
        ]),
      ]),
    );
  lines.push('', formatPipeStatus(data.pipes));
  return lines.join('\n');
}

export async function statusReport(lake: LocalLake, warehousePath: string): Promise<string> {
  return formatStatus(await statusData(lake, warehousePath));
}

export const statusCommand: Command = {
  name: 'status',
  summary: 'Show what the local lake and warehouse hold.',
  usage: USAGE,
  async run(argv, io = processIo) {
    const flags = parseFlags(argv, FLAGS);
    const lake = await lakeFromFlags(flags);
    const warehousePath = resolve(flags.warehouse ?? DEFAULT_PATHS.warehouse);
    const data = await statusData(lake, warehousePath);
    io.out(flags.json ? toJson(data) : formatStatus(data));
    return 0;
  },
};
