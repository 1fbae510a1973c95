/**
 * Monthly cost model of one environment (pure: no I/O, no clock). scripts/costs.ts feeds it the env config,
 * the state machine definition and docs/measured-durations.json, and prints/writes docs/costs.md.
 *
 * Every unit price is a named constant with its source and date; every volume is derived from the config
 * (schedule, pages, subreddits, memory) or from a named assumption. Free tiers are ignored on purpose: they
 * are per account and shared with whatever else runs there.
 */

import type { EnvConfig, FunctionName } from '../envs/types';
import { DATASET_NAMES, type DatasetName } from '../lambdas/core/datasets';
import { pipeHealthConfig } from './ingestion-check';

/** Unit prices, USD. Region eu-west-1 (Ireland), list prices read 2026-11 from the AWS and Snowflake pricing pages; verify before relying on them. */
export const PRICES = {
  /** Lambda x86_64 compute, per GB-second (aws.amazon.com/lambda/pricing, eu-west-1, first 6 B GB-s tier). */
  lambdaGbSecond: 0.0000166667,
  /** Lambda requests, per request ($0.20 per 1M). */
  lambdaRequest: 0.2 / 1e6,
  /** Step Functions Standard, per state transition ($0.025 per 1,000). */
  sfnTransition: 0.025 / 1000,
  /** S3 Standard PUT/COPY/POST/LIST, per request ($0.005 per 1,000). */
  s3Put: 0.005 / 1000,
  /** S3 Standard GET/SELECT, per request ($0.0004 per 1,000). */
  s3Get: 0.0004 / 1000,
  /** S3 lifecycle transition to Standard-IA, per object ($0.01 per 1,000). */
  s3TransitionIa: 0.01 / 1000,
  /** S3 Standard storage, per GB-month (first 50 TB). */
  s3StandardGbMonth: 0.023,
  /** S3 Standard-IA storage, per GB-month. */
  s3IaGbMonth: 0.0125,
  /** SNS standard topic publish, per request ($0.50 per 1M; deliveries to SQS are free). */
  snsPublish: 0.5 / 1e6,
  /** CloudWatch Logs ingestion (standard class), per GB. */
  logsIngestGb: 0.57,
  /** CloudWatch Logs archived storage, per GB-month (compressed). */
  logsStoreGbMonth: 0.03,
  /** CloudWatch standard-resolution metric alarm, per alarm-month. */
  alarmMonth: 0.1,
  /** Secrets Manager, per secret-month. */
  secretMonth: 0.4,
  /** ECR private repository storage, per GB-month. */
  ecrGbMonth: 0.1,
  /** Snowflake credit price, USD (Enterprise edition on AWS EU (Ireland), on demand; Standard edition is lower). */
  snowflakeCredit: 3.0,
  /** Snowpipe, credits per GB ingested (the per-GB Snowpipe billing model; older accounts billed compute + 0.06 credits per 1,000 files). */
  snowpipeCreditsPerGb: 0.0037,
} as const;

/** Credits per hour by warehouse size (Snowflake's standard warehouse table). */
export const WAREHOUSE_CREDITS_PER_HOUR = { XSMALL: 1, SMALL: 2, MEDIUM: 4 } as const;

/** Volumes that are not in the config: named estimates, each with its reason. Override per call. */
export interface Assumptions {
  /** Hours in a month (AWS's billing convention: 730). */
  readonly hoursPerMonth: number;
  /** Reddit listing pages fetched per listing per run (/new and /comments each): a 15-minute lookback fits one page of 100 on the listed subreddits. */
  readonly redditPagesPerListing: number;
  /** Posts and comments per subreddit per run reaching the lake (busy crypto subreddits, 10-minute window). */
  readonly postsPerSubredditRun: number;
  readonly commentsPerSubredditRun: number;
  /** Raw envelope sizes, bytes: a tickers page of 100 coins (~450 B per coin as JSON), /global, a Reddit listing page (raw_json, ~1.5 KB per item, 100 items). */
  readonly tickersPageBytes: number;
  readonly globalBytes: number;
  readonly redditPageBytes: number;
  /**
   * Parquet bytes per row (Snappy where it pays, typed columns), per dataset. Keyed by DatasetName, so a new dataset
   * does not compile until it has a figure here and in `rowsPerRun` (it can never silently cost $0).
   */
  readonly parquetBytesPerRow: Readonly<Record<DatasetName, number>>;
  /** S3 lifecycle does not transition objects below 128 KiB (the S3 default since 2024-09), so small envelopes stay in Standard. */
  readonly iaMinObjectBytes: number;
  /** Month of life at which storage is priced: the lake's Parquet grows without expiry. */
  readonly storageMonth: number;
  /** CloudWatch Logs bytes per Lambda invocation (structured start/end + a line per page) and per execution (ERROR-level state machine logs). */
  readonly logBytesPerInvocation: number;
  readonly logBytesPerExecution: number;
  /** CloudWatch Logs compressed storage ratio. */
  readonly logsCompression: number;
  /** BI and ingestion-check use of the warehouse: active minutes per day and sessions per day (each session pays the auto-suspend tail). */
  readonly biMinutesPerDay: number;
  readonly biSessionsPerDay: number;
  /** Lambda image size in ECR (compressed) and images kept by the repository's lifecycle policy. */
  readonly imageGb: number;
  readonly imagesKept: number;
}

export const DEFAULT_ASSUMPTIONS: Assumptions = {
  hoursPerMonth: 730,
  redditPagesPerListing: 1,
  postsPerSubredditRun: 10,
  commentsPerSubredditRun: 100,
  tickersPageBytes: 45_000,
  globalBytes: 1_000,
  redditPageBytes: 150_000,
  parquetBytesPerRow: {
    coinlore_tickers: 120,
    coinlore_global: 400,
    reddit_posts: 600,
    reddit_comments: 300,
  },
  iaMinObjectBytes: 128 * 1024,
  storageMonth: 12,
  logBytesPerInvocation: 3_000,
  logBytesPerExecution: 1_000,
  logsCompression: 0.15,
  biMinutesPerDay: 30,
  biSessionsPerDay: 10,
  imageGb: 0.3,
  imagesKept: 10,
};

/** Measured (or estimated) duration of one invocation of each function: `baseMs + perUnitMs × units`. */
export interface FunctionDuration {
  readonly baseMs: number;
  readonly perUnitMs: number;
  /** What one unit is: a Coinlore page, a Reddit listing page, 1,000 rows transformed. */
  readonly unit: string;
  /** Where the numbers come from (bench, CloudWatch REPORT lines, estimate). */
  readonly source: string;
}

export type MeasuredDurations = Readonly<Record<FunctionName, FunctionDuration>>;

export type CostKind = 'per-run' | 'fixed';

export interface CostLine {
  readonly service: string;
  readonly item: string;
  readonly kind: CostKind;
  readonly quantity: number;
  readonly unit: string;
  readonly unitPriceUsd: number;
  readonly monthlyUsd: number;
  /** The formula, in words and numbers, so the doc shows how the value was computed. */
  readonly formula: string;
}

export interface CostModelInput {
  readonly env: Pick<
    EnvConfig,
    | 'name'
    | 'schedule'
    | 'subreddits'
    | 'coinlore'
    | 'functions'
    | 'lake'
    | 'logRetentionDays'
    | 'snowflake'
    | 'pipeHealth'
  >;
  readonly durations: MeasuredDurations;
  /** State transitions of one successful execution, as a function of the Map sizes (see countHappyPathTransitions). */
  readonly transitionsPerRun: number;
  /** Datasets written per run (one Parquet file and one transform invocation each). */
  readonly datasets: number;
  /** CloudWatch alarms the stacks declare. */
  readonly alarms: number;
  readonly assumptions?: Partial<Assumptions>;
}

export interface CostReport {
  readonly env: string;
  readonly runsPerMonth: number;
  readonly lines: readonly CostLine[];
  readonly totalUsd: number;
  readonly assumptions: Assumptions;
}

const GB = 1e9;
const fmt = (n: number) =>
  Number.isInteger(n)
    ? n.toLocaleString('en-US')
    : n.toLocaleString('en-US', { maximumSignificantDigits: 4 });

/** Runs per month: one per `rateMinutes` while the schedule is enabled, none otherwise. */
export function runsPerMonth(schedule: EnvConfig['schedule'], hoursPerMonth: number): number {
  return schedule.enabled ? Math.floor((hoursPerMonth * 60) / schedule.rateMinutes) : 0;
}

/** Lambda bills duration rounded up to the millisecond. */
function billedSeconds(ms: number): number {
  return Math.ceil(ms) / 1000;
}

/** Rows each dataset writes per run (Coinlore pages hold 100 coins; /global is one row). */
export function rowsPerRun(
  env: Pick<EnvConfig, 'subreddits' | 'coinlore'>,
  a: Pick<Assumptions, 'postsPerSubredditRun' | 'commentsPerSubredditRun'>,
): Record<DatasetName, number> {
  return {
    coinlore_tickers: env.coinlore.pages * 100,
    coinlore_global: 1,
    reddit_posts: env.subreddits.length * a.postsPerSubredditRun,
    reddit_comments: env.subreddits.length * a.commentsPerSubredditRun,
  };
}

/** The monthly cost lines of one env. */
export function monthlyCost(input: CostModelInput): CostReport {
  const a: Assumptions = { ...DEFAULT_ASSUMPTIONS, ...input.assumptions };
  const { env, durations, datasets } = input;
  const runs = runsPerMonth(env.schedule, a.hoursPerMonth);
  const subs = env.subreddits.length;
  const pages = env.coinlore.pages;
  const redditPages = subs * 2 * a.redditPagesPerListing;
  const rows = rowsPerRun(env, a);
  const totalRows = DATASET_NAMES.reduce((n, d) => n + rows[d], 0);
  const lines: CostLine[] = [];
  const add = (l: Omit<CostLine, 'monthlyUsd'>) =>
    lines.push({ ...l, monthlyUsd: l.quantity * l.unitPriceUsd });

  // Lambda: invocations and GB-seconds per function.
  const invocations: Record<FunctionName, number> = {
    'extract-coinlore': 1,
    'extract-reddit': subs,
    transform: datasets,
  };
  const units: Record<FunctionName, number> = {
    'extract-coinlore': pages + 1,
    'extract-reddit': 2 * a.redditPagesPerListing,
    transform: totalRows / datasets / 1000,
  };
  const perRunInvocations = Object.values(invocations).reduce((s, n) => s + n, 0);
  add({
    service: 'Lambda',
    item: 'requests',
    kind: 'per-run',
    quantity: runs * perRunInvocations,
    unit: 'requests',
    unitPriceUsd: PRICES.lambdaRequest,
    formula: `${fmt(runs)} runs × ${perRunInvocations} invocations (1 coinlore + ${subs} reddit + ${datasets} transform)`,
  });
  for (const fn of Object.keys(invocations) as FunctionName[]) {
    const d = durations[fn];
    const ms = d.baseMs + d.perUnitMs * units[fn];
    const gb = env.functions[fn].memoryMb / 1024;
    const gbs = runs * invocations[fn] * billedSeconds(ms) * gb;
    add({
      service: 'Lambda',
      item: `${fn} compute`,
      kind: 'per-run',
      quantity: gbs,
      unit: 'GB-s',
      unitPriceUsd: PRICES.lambdaGbSecond,
      formula: `${fmt(runs)} runs × ${invocations[fn]} inv × ${fmt(billedSeconds(ms))} s (${d.baseMs} ms + ${d.perUnitMs} ms × ${fmt(units[fn])} ${d.unit}) × ${gb} GB`,
    });
  }

  add({
    service: 'Step Functions',
    item: 'state transitions (Standard)',
    kind: 'per-run',
    quantity: runs * input.transitionsPerRun,
    unit: 'transitions',
    unitPriceUsd: PRICES.sfnTransition,
    formula: `${fmt(runs)} runs × ${input.transitionsPerRun} transitions per successful execution`,
  });

  // S3 requests: raw envelopes written by extractors and read by transform; one Parquet per dataset written
  // by transform and read by Snowpipe.
  const rawObjects = pages + 1 + redditPages;
  add({
    service: 'S3',
    item: 'PUT requests',
    kind: 'per-run',
    quantity: runs * (rawObjects + datasets),
    unit: 'requests',
    unitPriceUsd: PRICES.s3Put,
    formula: `${fmt(runs)} runs × (${rawObjects} raw envelopes [${pages} tickers pages + 1 global + ${redditPages} reddit pages] + ${datasets} Parquet files)`,
  });
  add({
    service: 'S3',
    item: 'GET requests',
    kind: 'per-run',
    quantity: runs * (rawObjects + datasets),
    unit: 'requests',
    unitPriceUsd: PRICES.s3Get,
    formula: `${fmt(runs)} runs × (${rawObjects} raw reads by transform + ${datasets} Parquet reads by Snowpipe)`,
  });

  // S3 storage at month `storageMonth`: raw/ cycles through Standard → IA → expiry; Parquet accumulates.
  const runsPerDay = runs / (a.hoursPerMonth / 24);
  const iaEligible = [
    { bytes: a.tickersPageBytes, count: pages },
    { bytes: a.globalBytes, count: 1 },
    { bytes: a.redditPageBytes, count: redditPages },
  ];
  const rawBytesPerRun = iaEligible.reduce((s, o) => s + o.bytes * o.count, 0);
  const iaBytesPerRun = iaEligible
    .filter((o) => o.bytes >= a.iaMinObjectBytes)
    .reduce((s, o) => s + o.bytes * o.count, 0);
  const iaObjectsPerRun = iaEligible
    .filter((o) => o.bytes >= a.iaMinObjectBytes)
    .reduce((s, o) => s + o.count, 0);
  const ageDays = a.storageMonth * (a.hoursPerMonth / 24);
  const keptDays = Math.min(ageDays, env.lake.rawExpireDays);
  const standardDays = Math.min(keptDays, env.lake.rawInfrequentAccessDays);
  const iaDays = keptDays - standardDays;
  const rawStdGb =
    (runsPerDay * (rawBytesPerRun * standardDays + (rawBytesPerRun - iaBytesPerRun) * iaDays)) / GB;
  const rawIaGb = (runsPerDay * iaBytesPerRun * iaDays) / GB;
  const parquetBytesPerRun = DATASET_NAMES.reduce((n, d) => n + rows[d] * a.parquetBytesPerRow[d], 0);
  const parquetGb = (runsPerDay * parquetBytesPerRun * ageDays) / GB;
  add({
    service: 'S3',
    item: `storage Standard (month ${a.storageMonth})`,
    kind: 'per-run',
    quantity: rawStdGb + parquetGb,
    unit: 'GB-month',
    unitPriceUsd: PRICES.s3StandardGbMonth,
    formula: `raw ${fmt(rawBytesPerRun / 1e3)} KB/run × ${fmt(runsPerDay)} runs/day × ${standardDays} d (objects < 128 KiB stay ${iaDays} d more) + Parquet ${fmt(parquetBytesPerRun / 1e3)} KB/run × ${fmt(ageDays)} d`,
  });
  add({
    service: 'S3',
    item: `storage Standard-IA (month ${a.storageMonth})`,
    kind: 'per-run',
    quantity: rawIaGb,
    unit: 'GB-month',
    unitPriceUsd: PRICES.s3IaGbMonth,
    formula: `raw objects ≥ 128 KiB: ${fmt(iaBytesPerRun / 1e3)} KB/run × ${fmt(runsPerDay)} runs/day × ${iaDays} d (IA after ${env.lake.rawInfrequentAccessDays} d, expiry ${env.lake.rawExpireDays} d)`,
  });
  add({
    service: 'S3',
    item: 'lifecycle transitions to IA',
    kind: 'per-run',
    quantity: iaDays > 0 ? runs * iaObjectsPerRun : 0,
    unit: 'objects',
    unitPriceUsd: PRICES.s3TransitionIa,
    formula: `${fmt(runs)} runs × ${iaObjectsPerRun} raw objects ≥ 128 KiB`,
  });

  add({
    service: 'SNS',
    item: 'publishes (S3 → dataset topics)',
    kind: 'per-run',
    quantity: runs * datasets,
    unit: 'requests',
    unitPriceUsd: PRICES.snsPublish,
    formula: `${fmt(runs)} runs × ${datasets} Parquet files (one S3 event each); SNS → Snowflake's SQS deliveries are free`,
  });

  const ingestGb = (runs * parquetBytesPerRun) / GB;
  add({
    service: 'Snowflake',
    item: 'Snowpipe ingestion',
    kind: 'per-run',
    quantity: ingestGb * PRICES.snowpipeCreditsPerGb,
    unit: 'credits',
    unitPriceUsd: PRICES.snowflakeCredit,
    formula: `${fmt(ingestGb)} GB/month of Parquet × ${PRICES.snowpipeCreditsPerGb} credits/GB`,
  });
  const sf = env.snowflake;
  // The scheduled pipe health check resumes the warehouse once per check (COPY_HISTORY needs one).
  const health = pipeHealthConfig(env);
  const healthSessionsPerDay = health.enabled ? 1440 / health.rateMinutes : 0;
  const sessionsPerDay = a.biSessionsPerDay + healthSessionsPerDay;
  const billedMinutesPerDay = a.biMinutesPerDay + (sessionsPerDay * sf.warehouseAutoSuspendSeconds) / 60;
  const creditsPerHour = WAREHOUSE_CREDITS_PER_HOUR[sf.warehouseSize];
  add({
    service: 'Snowflake',
    item: `warehouse ${sf.warehouseSize} (BI, checks)`,
    kind: 'fixed',
    quantity: (billedMinutesPerDay / 60) * creditsPerHour * (a.hoursPerMonth / 24),
    unit: 'credits',
    unitPriceUsd: PRICES.snowflakeCredit,
    formula: `(${a.biMinutesPerDay} min + (${a.biSessionsPerDay} BI + ${fmt(healthSessionsPerDay)} health-check) sessions × ${sf.warehouseAutoSuspendSeconds} s auto-suspend tail)/day × ${creditsPerHour} credit/h × ${fmt(a.hoursPerMonth / 24)} d`,
  });

  const logGb = (runs * (perRunInvocations * a.logBytesPerInvocation + a.logBytesPerExecution)) / GB;
  add({
    service: 'CloudWatch',
    item: 'log ingestion',
    kind: 'per-run',
    quantity: logGb,
    unit: 'GB',
    unitPriceUsd: PRICES.logsIngestGb,
    formula: `${fmt(runs)} runs × (${perRunInvocations} × ${a.logBytesPerInvocation} B + ${a.logBytesPerExecution} B)`,
  });
  add({
    service: 'CloudWatch',
    item: `log storage (${env.logRetentionDays} d retention)`,
    kind: 'per-run',
    quantity: logGb * (Math.min(env.logRetentionDays, ageDays) / (a.hoursPerMonth / 24)) * a.logsCompression,
    unit: 'GB-month',
    unitPriceUsd: PRICES.logsStoreGbMonth,
    formula: `${fmt(logGb)} GB/month × ${env.logRetentionDays} d kept × ${a.logsCompression} compression`,
  });
  add({
    service: 'CloudWatch',
    item: 'alarms',
    kind: 'fixed',
    quantity: input.alarms,
    unit: 'alarm-months',
    unitPriceUsd: PRICES.alarmMonth,
    formula: `${input.alarms} alarms (failed + timed-out executions, Errors per function, pipe health per pipe, schedule dead letters)`,
  });
  add({
    service: 'Secrets Manager',
    item: 'Reddit and Snowflake health-check credentials',
    kind: 'fixed',
    quantity: 2,
    unit: 'secret-months',
    unitPriceUsd: PRICES.secretMonth,
    formula: '2 secrets (the health check keeps its secret even while disabled)',
  });
  add({
    service: 'ECR',
    item: 'image storage',
    kind: 'fixed',
    quantity: a.imageGb * a.imagesKept,
    unit: 'GB-month',
    unitPriceUsd: PRICES.ecrGbMonth,
    formula: `${a.imagesKept} images kept × ${a.imageGb} GB (layers shared between tags make this an upper bound)`,
  });

  const totalUsd = lines.reduce((s, l) => s + l.monthlyUsd, 0);
  return { env: env.name, runsPerMonth: runs, lines, totalUsd, assumptions: a };
}

/** A state of an ASL definition (only what the transition count reads). */
interface AslState {
  readonly Type: string;
  readonly Next?: string;
  readonly End?: boolean;
  readonly Default?: string;
  readonly Choices?: readonly { readonly Next: string }[];
  readonly Branches?: readonly AslMachine[];
  readonly ItemProcessor?: AslMachine;
  readonly Iterator?: AslMachine;
}

export interface AslMachine {
  readonly StartAt: string;
  readonly States: Readonly<Record<string, AslState>>;
}

/**
 * State transitions of a successful execution, counted from the definition: every state entered counts
 * once (Step Functions bills each state entered), Parallel counts itself plus every branch, Map counts
 * itself plus its item path × `mapItems[stateName]` (required: a Map without a count throws, so a renamed
 * state cannot silently count as one item). Catch paths are not taken; a Choice takes
 * the path that reaches a Succeed state (or ends without a Fail).
 */
export function countHappyPathTransitions(
  machine: AslMachine,
  mapItems: Readonly<Record<string, number>> = {},
): number {
  const walk = (m: AslMachine, at: string, seen: ReadonlySet<string>): number | undefined => {
    const state = m.States[at];
    if (!state) throw new Error(`state "${at}" is not defined`);
    if (seen.has(at)) throw new Error(`state "${at}" loops: the happy path must be acyclic`);
    const next = new Set(seen).add(at);
    let own = 1;
    if (state.Type === 'Fail') return undefined;
    if (state.Type === 'Parallel')
      for (const b of state.Branches ?? []) own += countHappyPathTransitions(b, mapItems);
    if (state.Type === 'Map') {
      const inner = state.ItemProcessor ?? state.Iterator;
      const items = mapItems[at];
      if (items === undefined)
        throw new Error(`Map state "${at}": say how many items it iterates (mapItems)`);
      if (inner) own += items * countHappyPathTransitions(inner, mapItems);
    }
    if (state.Type === 'Succeed' || state.End) return own;
    if (state.Type === 'Choice') {
      for (const target of [...(state.Choices ?? []).map((c) => c.Next), state.Default].filter(
        (t): t is string => t !== undefined,
      )) {
        const rest = walk(m, target, next);
        if (rest !== undefined) return own + rest;
      }
      return undefined;
    }
    if (!state.Next) throw new Error(`state "${at}" has neither Next nor End`);
    const rest = walk(m, state.Next, next);
    return rest === undefined ? undefined : own + rest;
  };
  const total = walk(machine, machine.StartAt, new Set());
  if (total === undefined) throw new Error('no successful path through the state machine');
  return total;
}

/** Markdown table of a report. */
export function costTable(report: CostReport): string {
  const usd = (n: number) => `$${n < 0.01 && n > 0 ? n.toFixed(4) : n.toFixed(2)}`;
  const rows = report.lines.map(
    (l) =>
      `| ${l.service} | ${l.item} | ${l.kind} | ${fmt(l.quantity)} ${l.unit} | ${l.unitPriceUsd < 0.001 ? l.unitPriceUsd.toExponential(3) : l.unitPriceUsd} | ${usd(l.monthlyUsd)} |`,
  );
  return [
    '| service | item | kind | quantity / month | unit price (USD) | USD / month |',
    '|---|---|---|---|---|---|',
    ...rows,
    `| **total** | | | | | **${usd(report.totalUsd)}** |`,
  ].join('\n');
}
