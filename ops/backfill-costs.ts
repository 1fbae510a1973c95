/**
 * Cost of one backfill (pure): rebuilding every dataset from a year of raw archive with the backfill
 * state machine (statemachines/backfill.asl.json). A one-off job, so the lines are totals for the job,
 * not per month; the only recurring line is the storage the rebuilt Parquet adds (the originals stay:
 * RAW keeps history, see docs/backfill.md).
 *
 * Volumes come from the env (schedule → runs, pages and subreddits → raw objects and rows, backfill
 * batch size, transform memory, raw expiry) and the same durations and assumptions as ops/costs.ts.
 */
import type { EnvConfig } from '../envs/types';
import { DATASET_NAMES } from '../lambdas/core/datasets';
import {
  type Assumptions,
  type CostLine,
  DEFAULT_ASSUMPTIONS,
  type MeasuredDurations,
  PRICES,
  rowsPerRun,
  runsPerMonth,
} from './costs';

/** Prices the pipeline does not use. eu-west-1 list prices read 2026-11; verify before relying on them. */
export const BACKFILL_PRICES = {
  /** Step Functions Express, per request ($1.00 per 1M): each child execution of the Distributed Map. */
  sfnExpressRequest: 1 / 1e6,
  /** Step Functions Express duration, per GB-second (first tier), billed in 64 MB memory steps. */
  sfnExpressGbSecond: 0.00001667,
} as const;

/** What the backfill model needs beyond the pipeline's assumptions. */
export interface BackfillAssumptions {
  /** Days of archive rebuilt: a year, or less when raw/ expires sooner (lake.rawExpireDays). */
  readonly days: number;
  /** Memory an Express child is billed at (its state is small: keys and counts). */
  readonly expressMemoryGb: number;
  /** Transforms a child runs at once (TransformBatch MaxConcurrency in the definition). */
  readonly transformsPerChild: number;
  /** Parent transitions per child execution (the Map state's own bookkeeping; an upper bound). */
  readonly parentTransitionsPerChild: number;
  /** Keys one S3 LIST request returns (ListObjectsV2 maximum). */
  readonly keysPerList: number;
}

export const DEFAULT_BACKFILL_ASSUMPTIONS: Omit<BackfillAssumptions, 'days'> = {
  expressMemoryGb: 64 / 1024,
  transformsPerChild: 4,
  parentTransitionsPerChild: 1,
  keysPerList: 1000,
};

export interface BackfillCostInput {
  readonly env: Pick<
    EnvConfig,
    'name' | 'schedule' | 'subreddits' | 'coinlore' | 'functions' | 'lake' | 'backfill'
  >;
  readonly durations: MeasuredDurations;
  /** Datasets (one item per dataset per run). */
  readonly datasets: number;
  /** State transitions of the parent execution outside the map (Plan, Rebuild, Summarize, …). */
  readonly parentTransitions: number;
  readonly assumptions?: Partial<Assumptions>;
}

export interface BackfillCostReport {
  readonly env: string;
  readonly days: number;
  readonly runs: number;
  readonly items: number;
  readonly childExecutions: number;
  readonly rows: number;
  readonly lines: readonly CostLine[];
  /** The one-off total (without the recurring storage line). */
  readonly totalUsd: number;
}

const GB = 1e9;
const fmt = (n: number) =>
  Number.isInteger(n)
    ? n.toLocaleString('en-US')
    : n.toLocaleString('en-US', { maximumSignificantDigits: 4 });

/** The cost lines of backfilling a year (or the whole archive, if shorter) of one env. */
export function backfillCost(input: BackfillCostInput): BackfillCostReport {
  const a: Assumptions = { ...DEFAULT_ASSUMPTIONS, ...input.assumptions };
  const b: BackfillAssumptions = {
    ...DEFAULT_BACKFILL_ASSUMPTIONS,
    days: Math.min(365, input.env.lake.rawExpireDays),
  };
  const { env, durations, datasets } = input;
  // Runs that happened in the window at the env's schedule (an archive exists only if the schedule ran).
  const runsPerDay =
    runsPerMonth({ ...env.schedule, enabled: true }, a.hoursPerMonth) / (a.hoursPerMonth / 24);
  const runs = Math.round(runsPerDay * b.days);
  const subs = env.subreddits.length;
  const pages = env.coinlore.pages;
  const rawPerRun = pages + 1 + subs * 2 * a.redditPagesPerListing;
  // Rows and Parquet bytes per run derive from the one per-dataset table, like the monthly model.
  const rows = rowsPerRun(env, a);
  const rowsPerRunTotal = DATASET_NAMES.reduce((n, d) => n + rows[d], 0);
  const parquetPerRun = DATASET_NAMES.reduce((n, d) => n + rows[d] * a.parquetBytesPerRow[d], 0);
  const items = runs * datasets;
  const children = Math.ceil(items / env.backfill.itemsPerBatch);
  const transform = durations.transform;
  const itemSeconds =
    Math.ceil(transform.baseMs + transform.perUnitMs * (rowsPerRunTotal / datasets / 1000)) / 1000;
  const childSeconds = Math.ceil(env.backfill.itemsPerBatch / b.transformsPerChild) * itemSeconds;
  const lines: CostLine[] = [];
  const add = (l: Omit<CostLine, 'monthlyUsd' | 'kind'>, kind: CostLine['kind'] = 'per-run') =>
    lines.push({ ...l, kind, monthlyUsd: l.quantity * l.unitPriceUsd });
  const transformGb = env.functions.transform.memoryMb / 1024;

  add({
    service: 'Lambda',
    item: 'transform requests',
    quantity: items,
    unit: 'requests',
    unitPriceUsd: PRICES.lambdaRequest,
    formula: `${fmt(runs)} runs (${b.days} d × ${fmt(runsPerDay)}/d) × ${datasets} datasets = items; + plan and summary (1 each, negligible)`,
  });
  add({
    service: 'Lambda',
    item: 'transform compute',
    quantity: items * itemSeconds * transformGb,
    unit: 'GB-s',
    unitPriceUsd: PRICES.lambdaGbSecond,
    formula: `${fmt(items)} items × ${fmt(itemSeconds)} s (${transform.baseMs} ms + ${transform.perUnitMs} ms × ${fmt(rowsPerRunTotal / datasets / 1000)} thousand rows, the average item) × ${transformGb} GB`,
  });
  add({
    service: 'Step Functions',
    item: 'child executions (Express) requests',
    quantity: children,
    unit: 'requests',
    unitPriceUsd: BACKFILL_PRICES.sfnExpressRequest,
    formula: `⌈${fmt(items)} items / ${env.backfill.itemsPerBatch} per batch⌉ child executions`,
  });
  add({
    service: 'Step Functions',
    item: 'child executions (Express) duration',
    quantity: children * childSeconds * b.expressMemoryGb,
    unit: 'GB-s',
    unitPriceUsd: BACKFILL_PRICES.sfnExpressGbSecond,
    formula: `${fmt(children)} children × ${fmt(childSeconds)} s (${env.backfill.itemsPerBatch} items, ${b.transformsPerChild} at a time) × ${b.expressMemoryGb} GB`,
  });
  add({
    service: 'Step Functions',
    item: 'parent transitions (Standard)',
    quantity: input.parentTransitions + children * b.parentTransitionsPerChild,
    unit: 'transitions',
    unitPriceUsd: PRICES.sfnTransition,
    formula: `${input.parentTransitions} states + ${b.parentTransitionsPerChild} per child execution (upper bound)`,
  });
  const lists =
    datasets * b.days * Math.max(1, Math.ceil((runsPerDay * rawPerRun) / datasets / b.keysPerList));
  add({
    service: 'S3',
    item: 'GET requests',
    quantity: runs * rawPerRun + 1 + runs * datasets,
    unit: 'requests',
    unitPriceUsd: PRICES.s3Get,
    formula: `${fmt(runs)} runs × ${rawPerRun} raw envelopes read by transform + the manifest + ${fmt(items)} rebuilt files read by Snowpipe`,
  });
  add({
    service: 'S3',
    item: 'PUT + LIST requests',
    quantity: items + lists + 2,
    unit: 'requests',
    unitPriceUsd: PRICES.s3Put,
    formula: `${fmt(items)} Parquet files + ${fmt(lists)} LISTs by plan (${datasets} datasets × ${b.days} days, ≤ ${b.keysPerList} keys each) + manifest + results`,
  });
  add({
    service: 'SNS',
    item: 'publishes (S3 → dataset topics)',
    quantity: items,
    unit: 'requests',
    unitPriceUsd: PRICES.snsPublish,
    formula: `${fmt(items)} new Parquet files, one S3 event each`,
  });
  const ingestGb = (runs * parquetPerRun) / GB;
  add({
    service: 'Snowflake',
    item: 'Snowpipe load of the rebuilt files',
    quantity: ingestGb * PRICES.snowpipeCreditsPerGb,
    unit: 'credits',
    unitPriceUsd: PRICES.snowflakeCredit,
    formula: `${fmt(ingestGb)} GB of Parquet × ${PRICES.snowpipeCreditsPerGb} credits/GB`,
  });
  const totalUsd = lines.reduce((s, l) => s + l.monthlyUsd, 0);
  add(
    {
      service: 'S3',
      item: 'rebuilt Parquet kept (every month after)',
      quantity: ingestGb,
      unit: 'GB-month',
      unitPriceUsd: PRICES.s3StandardGbMonth,
      formula: `${fmt(ingestGb)} GB: the originals stay (RAW keeps both loads), so a rebuild adds its size`,
    },
    'fixed',
  );
  return {
    env: env.name,
    days: b.days,
    runs,
    items,
    childExecutions: children,
    rows: runs * rowsPerRunTotal,
    lines,
    totalUsd,
  };
}

/** Markdown table of a backfill report. */
export function backfillCostTable(r: BackfillCostReport): string {
  const usd = (n: number) => `$${n < 0.01 && n > 0 ? n.toFixed(4) : n.toFixed(2)}`;
  return [
    '| service | item | quantity | unit price (USD) | USD |',
    '|---|---|---|---|---|',
    ...r.lines.map(
      (l) =>
        `| ${l.service} | ${l.item}${l.kind === 'fixed' ? ' (recurring)' : ''} | ${fmt(l.quantity)} ${l.unit} | ${l.unitPriceUsd < 0.001 ? l.unitPriceUsd.toExponential(3) : l.unitPriceUsd} | ${usd(l.monthlyUsd)}${l.kind === 'fixed' ? ' / month' : ''} |`,
    ),
    `| **one-off total** | | | | **${usd(r.totalUsd)}** |`,
  ].join('\n');
}
