/**
 * Pure core of the ingestion check, shared by `fdl check-ingestion` (by hand) and the scheduled pipe
 * health check in the cloud (lambdas/handlers/check-ingestion.ts): the queries it sends to Snowflake, the
 * parsing of what comes back (SYSTEM$PIPE_STATUS JSON, INFORMATION_SCHEMA.COPY_HISTORY rows), the
 * reconciliation against the files listed in the lake, the findings (stalled pipe, backlog, stale
 * ingestion, missing or failed file), the per-pipe metrics and the report. No SDK, no clock: the callers
 * inject both (docs/runbook.md explains each finding and its fix).
 */

import type { EnvConfig, PipeHealthConfig } from '../envs/types';
import { DATASET_NAMES, type DatasetName } from '../lambdas/core/datasets';
import { hivePartition } from '../lambdas/core/lake';
import { pipeName, RAW_SCHEMA, rawTableName } from '../sql/ddl';

/** What SYSTEM$PIPE_STATUS reports that the check uses (docs/external-facts.md#snowpipe). */
export interface PipeStatus {
  /** RUNNING, PAUSED, STOPPED_… ; UNKNOWN when Snowflake did not say. */
  readonly executionState: string;
  readonly pendingFileCount: number;
  readonly lastIngestedTimestamp?: string;
  readonly lastIngestedFilePath?: string;
  readonly notificationChannelName?: string;
  readonly lastReceivedMessageTimestamp?: string;
  /** `error` or `fault`, when Snowflake reports one. */
  readonly error?: string;
}

/** One COPY_HISTORY row, normalized. */
export interface CopyHistoryEntry {
  readonly fileName: string;
  readonly stageLocation?: string;
  /** 'Loaded', 'Load failed', 'Partially loaded', … as Snowflake spells them. */
  readonly status: string;
  readonly rowCount: number;
  readonly lastLoadTime?: Date;
  readonly firstErrorMessage?: string;
}

export interface LakeFile {
  readonly key: string;
  readonly lastModified: Date;
}

export interface DatasetIngestion {
  readonly dataset: DatasetName;
  /** When the check looked (the window's end): ages are measured from here. */
  readonly checkedAt: Date;
  readonly pipe: PipeStatus;
  /** Lake files of the window old enough to be expected in Snowflake (past the grace period). */
  readonly filesInLake: number;
  /** Lake files too recent to judge (Snowpipe usually needs about a minute). */
  readonly filesRecent: number;
  /** Distinct files COPY_HISTORY reports as loaded in the window. */
  readonly filesLoaded: number;
  readonly rowsLoaded: number;
  /** Lake keys (relative to the dataset prefix) with no successful load. */
  readonly missing: readonly string[];
  /** Files whose load failed, with Snowflake's first error. */
  readonly failed: readonly { readonly file: string; readonly error?: string }[];
}

export interface CheckWindow {
  readonly start: Date;
  readonly end: Date;
  /** Files modified after end − grace are reported as recent, not missing. */
  readonly graceMinutes: number;
}

const quote = (s: string) => `'${s.replace(/'/g, "''")}'`;

/** Fully qualified pipe name: `FDL_DEV.RAW.COINLORE_TICKERS_PIPE`. */
export const pipeFqn = (database: string, dataset: DatasetName) =>
  `${database}.${RAW_SCHEMA}.${pipeName(dataset)}`;

/** `SELECT SYSTEM$PIPE_STATUS('<db>.RAW.<PIPE>') AS PIPE_STATUS` (needs MONITOR or OWNERSHIP on the pipe). */
export function pipeStatusQuery(database: string, dataset: DatasetName): string {
  return `SELECT SYSTEM$PIPE_STATUS(${quote(pipeFqn(database, dataset))}) AS PIPE_STATUS`;
}

/** `YYYY-MM-DD HH24:MI:SS +00:00`: an explicit format, independent of the session's TIMESTAMP_INPUT_FORMAT. */
const sqlUtc = (d: Date) => `${d.toISOString().slice(0, 19).replace('T', ' ')} +00:00`;

/**
 * COPY_HISTORY of a dataset's RAW table since `start` (the table function covers 14 days and includes
 * Snowpipe loads; LOAD_HISTORY would not).
 */
export function copyHistoryQuery(database: string, dataset: DatasetName, start: Date): string {
  const table = `${database}.${RAW_SCHEMA}.${rawTableName(dataset)}`;
  return [
    'SELECT FILE_NAME, STAGE_LOCATION, STATUS, ROW_COUNT, FIRST_ERROR_MESSAGE, LAST_LOAD_TIME',
    `FROM TABLE(${database}.INFORMATION_SCHEMA.COPY_HISTORY(`,
    `  TABLE_NAME => ${quote(table)},`,
    `  START_TIME => TO_TIMESTAMP_LTZ(${quote(sqlUtc(start))}, 'YYYY-MM-DD HH24:MI:SS TZH:TZM')`,
    '))',
    'ORDER BY LAST_LOAD_TIME',
  ].join('\n');
}

/** Thrown when Snowflake returns something the check cannot read; the message says what and where. */
export class IngestionCheckParseError extends Error {
  override readonly name = 'IngestionCheckParseError';
}

const optString = (v: unknown): string | undefined =>
  v === null || v === undefined || v === '' ? undefined : String(v);

/** Parse the JSON string SYSTEM$PIPE_STATUS returns. */
export function parsePipeStatus(json: unknown, pipe: string): PipeStatus {
  if (typeof json !== 'string')
    throw new IngestionCheckParseError(
      `SYSTEM$PIPE_STATUS for ${pipe}: expected a JSON string, got ${typeof json}`,
    );
  let o: Record<string, unknown>;
  try {
    o = JSON.parse(json) as Record<string, unknown>;
  } catch (cause) {
    throw new IngestionCheckParseError(`SYSTEM$PIPE_STATUS for ${pipe}: not JSON: ${json.slice(0, 200)}`, {
      cause,
    });
  }
  const pending = Number(o.pendingFileCount ?? 0);
  return {
    executionState: optString(o.executionState) ?? 'UNKNOWN',
    pendingFileCount: Number.isFinite(pending) ? pending : 0,
    lastIngestedTimestamp: optString(o.lastIngestedTimestamp),
    lastIngestedFilePath: optString(o.lastIngestedFilePath),
    notificationChannelName: optString(o.notificationChannelName),
    lastReceivedMessageTimestamp: optString(o.lastReceivedMessageTimestamp),
    error: optString(o.error) ?? optString(o.fault),
  };
}

const toDate = (v: unknown): Date | undefined => {
  if (v instanceof Date) return v;
  if (typeof v === 'string' || typeof v === 'number') {
    const d = new Date(v);
    return Number.isNaN(d.getTime()) ? undefined : d;
  }
  return undefined;
};

/** Normalize COPY_HISTORY rows (snowflake-sdk returns upper-case keys; times as Date or string). */
export function parseCopyHistory(rows: readonly Record<string, unknown>[]): CopyHistoryEntry[] {
  return rows.map((r, i) => {
    const fileName = optString(r.FILE_NAME);
    const status = optString(r.STATUS);
    if (!fileName || !status)
      throw new IngestionCheckParseError(`COPY_HISTORY row ${i}: FILE_NAME and STATUS are required`);
    return {
      fileName,
      stageLocation: optString(r.STAGE_LOCATION),
      status,
      rowCount: Number(r.ROW_COUNT ?? 0) || 0,
      lastLoadTime: toDate(r.LAST_LOAD_TIME),
      firstErrorMessage: optString(r.FIRST_ERROR_MESSAGE),
    };
  });
}

/**
 * A file name relative to its dataset prefix, so lake keys (`coinlore_tickers/year=…/x.parquet`) and
 * COPY_HISTORY names (relative to the stage, or a full `s3://bucket/coinlore_tickers/…` path) compare.
 */
export function relativeToDataset(name: string, dataset: DatasetName): string {
  const withoutScheme = name.replace(/^s3:\/\/[^/]+\//, '');
  return withoutScheme.startsWith(`${dataset}/`) ? withoutScheme.slice(dataset.length + 1) : withoutScheme;
}

/** Day partitions (`<dataset>/year=…/month=…/day=…/`) touched by the window: the S3 prefixes to list. */
export function lakePrefixesForWindow(dataset: DatasetName, start: Date, end: Date): string[] {
  const prefixes: string[] = [];
  const day = new Date(Date.UTC(start.getUTCFullYear(), start.getUTCMonth(), start.getUTCDate()));
  for (; day.getTime() <= end.getTime(); day.setUTCDate(day.getUTCDate() + 1))
    prefixes.push(`${dataset}/${hivePartition(day)}/`);
  return prefixes;
}

const LOADED = new Set(['loaded', 'partially loaded']);

/** Compare what the lake holds for the window with what Snowflake loaded. */
export function reconcile(args: {
  dataset: DatasetName;
  pipe: PipeStatus;
  history: readonly CopyHistoryEntry[];
  lakeFiles: readonly LakeFile[];
  window: CheckWindow;
}): DatasetIngestion {
  const { dataset, pipe, history, window } = args;
  const cutoff = window.end.getTime() - window.graceMinutes * 60_000;
  const inWindow = args.lakeFiles.filter(
    (f) =>
      f.key.endsWith('.parquet') &&
      f.lastModified.getTime() >= window.start.getTime() &&
      f.lastModified.getTime() <= window.end.getTime(),
  );
  const judged = inWindow.filter((f) => f.lastModified.getTime() <= cutoff);
  const loaded = new Set<string>();
  let rowsLoaded = 0;
  const failures = new Map<string, string | undefined>();
  for (const h of history) {
    const file = relativeToDataset(h.fileName, dataset);
    if (LOADED.has(h.status.toLowerCase())) {
      loaded.add(file);
      rowsLoaded += h.rowCount;
    } else failures.set(file, h.firstErrorMessage);
  }
  const missing = judged.map((f) => relativeToDataset(f.key, dataset)).filter((k) => !loaded.has(k));
  const failed = [...failures]
    .filter(([file]) => !loaded.has(file))
    .map(([file, error]) => ({ file, error }));
  return {
    dataset,
    checkedAt: window.end,
    pipe,
    filesInLake: judged.length,
    filesRecent: inWindow.length - judged.length,
    filesLoaded: loaded.size,
    rowsLoaded,
    missing,
    failed,
  };
}

/** What a finding is about; each kind has a runbook section (docs/runbook.md, "Pipe health"). */
export const FINDING_KINDS = ['stalled', 'backlog', 'stale', 'missing', 'load-failed'] as const;
export type FindingKind = (typeof FINDING_KINDS)[number];

export interface Finding {
  readonly dataset: DatasetName;
  readonly kind: FindingKind;
  /** One line: the dataset, what is wrong, and the file or number concerned. */
  readonly message: string;
}

/** Bounds a healthy pipe stays within. */
export interface HealthLimits {
  /** More files than this waiting in the pipe's queue is a backlog. */
  readonly maxPendingFiles: number;
  /**
   * While lake files keep arriving, the pipe must have ingested within this many minutes. (A quiet lake,
   * e.g. a paused schedule, is not the pipe's fault: no files in the window, no staleness.)
   */
  readonly maxIngestAgeMinutes: number;
}

/**
 * Defaults for a pipeline writing every 10 minutes: a run writes one file per dataset, so 20 pending
 * files is over three hours of work queued; an hour without a load is six missed runs.
 */
export const DEFAULT_HEALTH_LIMITS: HealthLimits = { maxPendingFiles: 20, maxIngestAgeMinutes: 60 };

/** An env's pipe health check settings: its `pipeHealth` over these defaults (hourly, last 3 hours). */
export function pipeHealthConfig(env: Pick<EnvConfig, 'pipeHealth'>): PipeHealthConfig {
  return {
    enabled: true,
    rateMinutes: 60,
    windowHours: 3,
    graceMinutes: 15,
    ...DEFAULT_HEALTH_LIMITS,
    ...env.pipeHealth,
  };
}

/** Minutes from the pipe's last ingestion to the check; undefined when Snowflake reports none. */
export function minutesSinceLastIngest(r: DatasetIngestion): number | undefined {
  const at = r.pipe.lastIngestedTimestamp ? Date.parse(r.pipe.lastIngestedTimestamp) : Number.NaN;
  return Number.isNaN(at) ? undefined : Math.max(0, (r.checkedAt.getTime() - at) / 60_000);
}

/** Everything wrong with one dataset's ingestion, in runbook order; empty when healthy. */
export function findings(r: DatasetIngestion, limits: HealthLimits = DEFAULT_HEALTH_LIMITS): Finding[] {
  const out: Finding[] = [];
  const add = (kind: FindingKind, message: string) =>
    out.push({ dataset: r.dataset, kind, message: `${r.dataset}: ${message}` });
  if (r.pipe.executionState !== 'RUNNING')
    add('stalled', `pipe is ${r.pipe.executionState}${r.pipe.error ? ` (${r.pipe.error})` : ''}`);
  if (r.pipe.pendingFileCount > limits.maxPendingFiles)
    add('backlog', `${r.pipe.pendingFileCount} files pending (limit ${limits.maxPendingFiles})`);
  const age = minutesSinceLastIngest(r);
  if (r.filesInLake + r.filesRecent > 0 && (age === undefined || age > limits.maxIngestAgeMinutes))
    add(
      'stale',
      age === undefined
        ? 'lake files arrived but the pipe reports no ingestion'
        : `last ingestion ${Math.round(age)} min ago while lake files keep arriving (limit ${limits.maxIngestAgeMinutes} min)`,
    );
  const failed = new Set(r.failed.map((f) => f.file));
  for (const m of r.missing) if (!failed.has(m)) add('missing', `not loaded: ${m}`);
  for (const f of r.failed) add('load-failed', `load failed: ${f.file}${f.error ? ` (${f.error})` : ''}`);
  return out;
}

/** The metrics the cloud check publishes per pipe (CloudWatch, dimension Pipe = dataset). */
export interface PipeHealthMetrics {
  readonly dataset: DatasetName;
  /** Number of findings: the alarm fires on >= 1. */
  readonly problems: number;
  readonly pendingFiles: number;
  /** Judged lake files with no successful load (missing or failed). */
  readonly filesNotLoaded: number;
  /** Absent when Snowflake reports no ingestion yet. */
  readonly minutesSinceLastIngest?: number;
}

export function pipeHealthMetrics(
  r: DatasetIngestion,
  limits: HealthLimits = DEFAULT_HEALTH_LIMITS,
): PipeHealthMetrics {
  const age = minutesSinceLastIngest(r);
  return {
    dataset: r.dataset,
    problems: findings(r, limits).length,
    pendingFiles: r.pipe.pendingFileCount,
    filesNotLoaded: new Set([...r.missing, ...r.failed.map((f) => f.file)]).size,
    ...(age === undefined ? {} : { minutesSinceLastIngest: Math.round(age) }),
  };
}

/** Problems that make the check fail, one line each; empty when ingestion is healthy. */
export function problems(
  results: readonly DatasetIngestion[],
  limits: HealthLimits = DEFAULT_HEALTH_LIMITS,
): string[] {
  return results.flatMap((r) => findings(r, limits).map((f) => f.message));
}

/** 0 when every pipe is healthy (RUNNING, within limits) and every lake file of the window was loaded. */
export function exitCodeFor(
  results: readonly DatasetIngestion[],
  limits: HealthLimits = DEFAULT_HEALTH_LIMITS,
): number {
  return problems(results, limits).length === 0 ? 0 : 1;
}

/** The report: a fixed-width table, one row per dataset, then the problems. */
export function formatReport(
  results: readonly DatasetIngestion[],
  limits: HealthLimits = DEFAULT_HEALTH_LIMITS,
): string {
  const header = [
    'dataset',
    'pipe state',
    'pending',
    'last ingested',
    'files in S3',
    'files loaded',
    'rows loaded',
    'missing',
    'recent',
  ];
  const rows = results.map((r) => [
    r.dataset,
    r.pipe.executionState,
    String(r.pipe.pendingFileCount),
    r.pipe.lastIngestedTimestamp ?? '-',
    String(r.filesInLake),
    String(r.filesLoaded),
    String(r.rowsLoaded),
    String(r.missing.length),
    String(r.filesRecent),
  ]);
  const widths = header.map((h, i) => Math.max(h.length, ...rows.map((row) => row[i]!.length)));
  const line = (cells: readonly string[]) =>
    cells
      .map((c, i) => c.padEnd(widths[i]!))
      .join('  ')
      .trimEnd();
  const lines = [line(header), line(widths.map((w) => '-'.repeat(w))), ...rows.map(line)];
  const issues = problems(results, limits);
  lines.push(
    '',
    issues.length === 0 ? 'OK: every pipe RUNNING within limits, every lake file loaded.' : 'PROBLEMS:',
  );
  for (const p of issues) lines.push(`  - ${p}`);
  return lines.join('\n');
}

/** The datasets the check covers: every dataset (one pipe each). */
export const CHECKED_DATASETS: readonly DatasetName[] = DATASET_NAMES;

/** What the check needs from the outside world; the CLI and the Lambda wire the real clients. */
export interface IngestionCheckDeps {
  readonly now: Date;
  /** Run one statement on Snowflake and return its rows (column names upper-case). */
  query(sql: string): Promise<Record<string, unknown>[]>;
  /** Every object under an S3 prefix of the lake bucket. */
  listLake(prefix: string): Promise<LakeFile[]>;
}

/** Gather and reconcile every dataset; pure apart from the injected I/O. */
export async function checkIngestion(
  /** The env's database (callers take it from the naming helper, or the Lambda from its environment). */
  target: { database: string },
  opts: { hours: number; graceMinutes: number },
  deps: IngestionCheckDeps,
): Promise<DatasetIngestion[]> {
  const { database } = target;
  const window = {
    start: new Date(deps.now.getTime() - opts.hours * 3_600_000),
    end: deps.now,
    graceMinutes: opts.graceMinutes,
  };
  const results: DatasetIngestion[] = [];
  for (const dataset of CHECKED_DATASETS) {
    const [statusRow] = await deps.query(pipeStatusQuery(database, dataset));
    const pipe = parsePipeStatus(statusRow?.PIPE_STATUS, pipeFqn(database, dataset));
    const history = parseCopyHistory(await deps.query(copyHistoryQuery(database, dataset, window.start)));
    const lakeFiles: LakeFile[] = [];
    for (const prefix of lakePrefixesForWindow(dataset, window.start, window.end))
      lakeFiles.push(...(await deps.listLake(prefix)));
    results.push(reconcile({ dataset, pipe, history, lakeFiles, window }));
  }
  return results;
}
