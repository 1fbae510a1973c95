/**
 * Backfill planning and result accounting, pure: which raw objects a backfill covers, how they group into
 * work items (one per dataset and run, exactly what the pipeline's transform receives), where its manifest
 * and results live, and how the Distributed Map's result files add up to a summary.
 *
 * The state machine (statemachines/backfill.asl.json) runs: plan (lists the archive, writes the manifest)
 * → Distributed Map over the manifest (the transform per item, items batched per child execution) →
 * summary (reads the map's result files). Handlers: lambdas/handlers/backfill-plan.ts, backfill-summary.ts.
 */
import type { TransformInput } from '../contracts';
import { DATASET_NAMES, DATASETS, type DatasetName, datasetForEndpoint } from './datasets';
import { ConfigError } from './errors';
import { BACKFILL_PREFIX, hivePartition, RAW_PREFIX, REBUILD_TAG, stamp } from './lake';

/** What a user asks for: a half-open time range [from, to) of runs, optionally some datasets. */
export interface BackfillRequest {
  /** The backfill's id (its execution name): tags every file it writes. */
  readonly backfillId: string;
  readonly from: Date;
  readonly to: Date;
  /** Empty = every dataset. */
  readonly datasets: readonly DatasetName[];
}

/** One work item of the manifest: the transform's input for one dataset of one run. */
export interface BackfillItem extends TransformInput {
  readonly rebuild: string;
}

/** The plan handler's input (the state machine passes the execution input through). */
export interface BackfillPlanInput {
  /** Execution name; also the run id of the plan's own logs. */
  readonly runId: string;
  /** Execution start; required by the handler wrapper's run context. */
  readonly partitionTime: string;
  readonly from?: unknown;
  readonly to?: unknown;
  readonly datasets?: unknown;
}

/** What the plan step returns (small: the manifest itself is in S3). */
export interface BackfillPlan {
  readonly backfillId: string;
  readonly from: string;
  readonly to: string;
  readonly datasets: readonly DatasetName[];
  /** Lake key of the manifest (a JSON array of BackfillItem) the Distributed Map reads. */
  readonly manifestKey: string;
  /** Lake prefix the Distributed Map's ResultWriter writes under. */
  readonly resultsPrefix: string;
  readonly items: number;
  readonly runs: number;
  readonly rawObjects: number;
  /** Items per dataset. */
  readonly perDataset: Readonly<Partial<Record<DatasetName, number>>>;
}

/** Longest range one backfill may cover: a year and a day (larger rebuilds are split; see the runbook). */
export const MAX_RANGE_DAYS = 367;
const DAY_MS = 86_400_000;

/** Validate the execution input; throws ConfigError naming the field and what is expected. */
export function parseBackfillRequest(input: BackfillPlanInput): BackfillRequest {
  const problems: string[] = [];
  const time = (field: 'from' | 'to'): Date | undefined => {
    const v = input[field];
    const t = typeof v === 'string' ? new Date(v) : undefined;
    if (!t || Number.isNaN(t.getTime())) {
      problems.push(
        `"${field}" must be an ISO-8601 time such as 2026-01-01T00:00:00Z, got ${JSON.stringify(v)}`,
      );
      return undefined;
    }
    return t;
  };
  const from = time('from');
  const to = time('to');
  if (from && to && !(from < to)) problems.push(`"from" (${from.toISOString()}) must be before "to"`);
  if (from && to && to.getTime() - from.getTime() > MAX_RANGE_DAYS * DAY_MS)
    problems.push(`the range is longer than ${MAX_RANGE_DAYS} days; split it into several backfills`);
  let datasets: DatasetName[] = [];
  if (input.datasets !== undefined && input.datasets !== null) {
    if (!Array.isArray(input.datasets) || !input.datasets.every((d) => typeof d === 'string'))
      problems.push('"datasets" must be an array of dataset names');
    else {
      const unknown = input.datasets.filter((d) => !(DATASET_NAMES as readonly string[]).includes(d));
      if (unknown.length)
        problems.push(
          `unknown dataset(s) ${unknown.join(', ')}; expected some of ${DATASET_NAMES.join(', ')}`,
        );
      datasets = [...new Set(input.datasets as DatasetName[])];
    }
  }
  if (!REBUILD_TAG.test(input.runId ?? ''))
    problems.push(
      `the execution name "${input.runId}" must match ${REBUILD_TAG.source}: it tags every rebuilt file (e.g. backfill-20260101T000000Z)`,
    );
  if (problems.length) throw new ConfigError(`backfill input: ${problems.join('; ')}`);
  return { backfillId: input.runId, from: from!, to: to!, datasets };
}

/** The datasets a request covers, in schema order. */
export function requestedDatasets(req: BackfillRequest): DatasetName[] {
  return DATASET_NAMES.filter((d) => req.datasets.length === 0 || req.datasets.includes(d));
}

/**
 * The raw prefixes to list: per requested dataset's source/endpoint, one per UTC day the range touches
 * (`raw/<source>/<endpoint>/year=…/month=…/day=…/`). Listing by day keeps a one-week backfill from
 * listing a year of objects.
 */
export function rawPrefixes(req: BackfillRequest): string[] {
  const out: string[] = [];
  for (const dataset of requestedDatasets(req)) {
    const { source, endpoint } = DATASETS[dataset];
    for (let day = Math.floor(req.from.getTime() / DAY_MS); day * DAY_MS < req.to.getTime(); day++)
      out.push(`${RAW_PREFIX}${source}/${endpoint}/${hivePartition(new Date(day * DAY_MS))}/`);
  }
  return out;
}

const RAW_KEY =
  /^raw\/([^/]+)\/([^/]+)\/(?:[^/]+\/)*[^/]+_(\d{4})(\d{2})(\d{2})_(\d{2})(\d{2})_[A-Za-z0-9_-]+\.json$/;

/** Dataset and run partition time of a raw key (rawKey in lake.ts), or undefined for other keys. */
export function parseRawKey(key: string): { dataset: DatasetName; partitionTime: Date } | undefined {
  const m = RAW_KEY.exec(key);
  if (!m) return undefined;
  const spec = datasetForEndpoint(m[1]!, m[2]!);
  if (!spec) return undefined;
  const [y, mo, d, h, mi] = m.slice(3).map(Number) as [number, number, number, number, number];
  const t = new Date(Date.UTC(y, mo - 1, d, h, mi));
  return Number.isNaN(t.getTime()) ? undefined : { dataset: spec.name, partitionTime: t };
}

/** The id of the rows a backfill item writes: `<backfill id>-<YYYYMMDD_HHMM>` (run_id column). */
export function backfillRunId(backfillId: string, partitionTime: Date): string {
  return `${backfillId}-${stamp(partitionTime)}`;
}

export const manifestKey = (backfillId: string) => `${BACKFILL_PREFIX}${backfillId}/manifest.json`;
export const resultsPrefix = (backfillId: string) => `${BACKFILL_PREFIX}${backfillId}/results`;

/**
 * Group raw keys into items, one per (dataset, run) inside the range and the requested datasets, ordered
 * by run time then schema order: the order the pipeline produced them, so a partly failed backfill has
 * rebuilt the oldest runs first.
 */
export function planItems(req: BackfillRequest, keys: readonly string[]): BackfillItem[] {
  const wanted = new Set(requestedDatasets(req));
  const groups = new Map<string, { dataset: DatasetName; time: Date; keys: string[] }>();
  for (const key of keys) {
    const p = parseRawKey(key);
    if (!p || !wanted.has(p.dataset) || p.partitionTime < req.from || p.partitionTime >= req.to) continue;
    const id = `${p.partitionTime.toISOString()}|${DATASET_NAMES.indexOf(p.dataset)}`;
    const g = groups.get(id);
    if (g) g.keys.push(key);
    else groups.set(id, { dataset: p.dataset, time: p.partitionTime, keys: [key] });
  }
  return [...groups.entries()]
    .sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0))
    .map(([, g]) => ({
      runId: backfillRunId(req.backfillId, g.time),
      partitionTime: g.time.toISOString(),
      dataset: g.dataset,
      rawKeys: g.keys.sort(),
      rebuild: req.backfillId,
    }));
}

/** The plan's summary of its items. */
export function describePlan(req: BackfillRequest, items: readonly BackfillItem[]): BackfillPlan {
  const perDataset: Partial<Record<DatasetName, number>> = {};
  for (const i of items) perDataset[i.dataset] = (perDataset[i.dataset] ?? 0) + 1;
  return {
    backfillId: req.backfillId,
    from: req.from.toISOString(),
    to: req.to.toISOString(),
    datasets: requestedDatasets(req),
    manifestKey: manifestKey(req.backfillId),
    resultsPrefix: resultsPrefix(req.backfillId),
    items: items.length,
    runs: new Set(items.map((i) => i.partitionTime)).size,
    rawObjects: items.reduce((n, i) => n + i.rawKeys.length, 0),
    perDataset,
  };
}

/** What one item's transform reports inside a child execution (TransformOutput minus the key lists). */
export interface ItemOutcome {
  readonly dataset: DatasetName;
  readonly partitionTime: string;
  readonly key?: string;
  readonly rows: number;
  readonly rejects: number;
  readonly skipped: number;
}

/**
 * One child execution as the Distributed Map's ResultWriter records it (the fields read here). Input and
 * Output are JSON strings: the child's input is `{Items: BackfillItem[]}` (ItemBatcher), its output the
 * ItemOutcome array of its batch.
 */
export interface ChildExecutionRecord {
  readonly Name?: string;
  readonly Status: string;
  readonly Input?: string;
  readonly Output?: string;
  readonly Error?: string;
  readonly Cause?: string;
}

/** The ResultWriter's `manifest.json`: where the result files of one map run are. */
export interface ResultManifest {
  readonly DestinationBucket?: string;
  readonly MapRunArn?: string;
  readonly ResultFiles: Readonly<Record<string, readonly { readonly Key: string; readonly Size?: number }[]>>;
}

export interface DatasetTotals {
  readonly dataset: DatasetName;
  items: number;
  files: number;
  rows: number;
  rejects: number;
  skipped: number;
}

export interface BatchFailure {
  /** Child execution name. */
  readonly batch: string;
  readonly error: string;
  readonly cause: string;
  /** `<dataset>@<partition time>` of the batch's items: what to rebuild again. */
  readonly items: readonly string[];
}

export interface BackfillSummary {
  readonly batches: number;
  readonly batchesFailed: number;
  readonly items: number;
  readonly itemsFailed: number;
  readonly files: number;
  readonly rows: number;
  readonly rejects: number;
  readonly skipped: number;
  readonly perDataset: readonly DatasetTotals[];
  /** The first MAX_LISTED_FAILURES failed batches (the result files in S3 hold all of them). */
  readonly failures: readonly BatchFailure[];
}

export const MAX_LISTED_FAILURES = 20;

const parseJson = <T>(text: string | undefined, fallback: T): T => {
  try {
    return text === undefined ? fallback : (JSON.parse(text) as T);
  } catch {
    return fallback;
  }
};

/** Add up the child execution records of one map run (every result file's records, any status). */
export function summarizeResults(records: readonly ChildExecutionRecord[]): BackfillSummary {
  const totals = new Map<DatasetName, DatasetTotals>();
  const total = (dataset: DatasetName) => {
    let t = totals.get(dataset);
    if (!t) {
      t = { dataset, items: 0, files: 0, rows: 0, rejects: 0, skipped: 0 };
      totals.set(dataset, t);
    }
    return t;
  };
  let items = 0;
  let itemsFailed = 0;
  let batchesFailed = 0;
  const failures: BatchFailure[] = [];
  for (const r of records) {
    const input = parseJson<{ Items?: BackfillItem[] }>(r.Input, {});
    const batchItems = input.Items ?? [];
    items += batchItems.length;
    if (r.Status === 'SUCCEEDED') {
      for (const o of parseJson<ItemOutcome[]>(r.Output, [])) {
        const t = total(o.dataset);
        t.items++;
        t.files += o.key ? 1 : 0;
        t.rows += o.rows;
        t.rejects += o.rejects;
        t.skipped += o.skipped;
      }
      continue;
    }
    batchesFailed++;
    itemsFailed += batchItems.length;
    if (failures.length < MAX_LISTED_FAILURES)
      failures.push({
        batch: r.Name ?? '?',
        error: r.Error ?? r.Status,
        cause: (r.Cause ?? '').slice(0, 300),
        items: batchItems.map((i) => `${i.dataset}@${i.partitionTime}`),
      });
  }
  const perDataset = DATASET_NAMES.flatMap((d) => (totals.has(d) ? [totals.get(d)!] : []));
  const sum = (k: 'files' | 'rows' | 'rejects' | 'skipped') => perDataset.reduce((n, t) => n + t[k], 0);
  return {
    batches: records.length,
    batchesFailed,
    items,
    itemsFailed,
    files: sum('files'),
    rows: sum('rows'),
    rejects: sum('rejects'),
    skipped: sum('skipped'),
    perDataset,
    failures,
  };
}
