/**
 * Payloads between the state machine and the Lambda handlers. Kept small on purpose (S3 keys and counts,
 * never data): Step Functions limits payloads and variables to 256 KiB.
 */
import type { DatasetName } from './core/datasets';

/** Common fields the state machine's Init state computes once per execution. */
export interface RunContext {
  /** The execution name (cloud) or a generated id (local). */
  readonly runId: string;
  /** ISO-8601 UTC execution start truncated to the minute; every key of the run derives from it. */
  readonly partitionTime: string;
}

/** A set of raw envelopes that one transform invocation turns into one dataset file. */
export interface RawBatch {
  readonly dataset: DatasetName;
  readonly rawKeys: readonly string[];
}

export interface ExtractCoinloreInput extends RunContext {
  /** Pages of 100 tickers to fetch (1 … ~150 for the whole universe). */
  readonly pages: number;
}

export interface ExtractRedditInput extends RunContext {
  readonly subreddit: string;
  /** Page back with `after` until items are older than partitionTime minus this many minutes. */
  readonly lookbackMinutes: number;
}

export interface ExtractOutput {
  readonly source: 'coinlore' | 'reddit';
  /** Subreddit for reddit extractions. */
  readonly scope?: string;
  readonly requests: number;
  readonly batches: readonly RawBatch[];
}

export interface TransformInput extends RunContext, RawBatch {
  /**
   * Set by a backfill (its execution name): the outputs get new keys `…_HHMM_<rebuild>.parquet` that
   * Snowpipe loads as new files (docs/backfill.md). Absent in the pipeline.
   */
  readonly rebuild?: string;
}

export interface TransformOutput {
  readonly dataset: DatasetName;
  /** Lake key of the Parquet file written (absent when the batch produced no valid rows). */
  readonly key?: string;
  readonly rows: number;
  readonly rejects: number;
  readonly rejectsKey?: string;
  /** Envelopes skipped (non-2xx or wrong shape), each with its reason. */
  readonly skipped: readonly { readonly rawKey: string; readonly reason: string }[];
}

/**
 * Input of one state machine execution. In the cloud the EventBridge rule's target input carries it
 * (built from the env config); locally `fdl run` builds it from the same config.
 */
export interface PipelineInput {
  readonly subreddits: readonly string[];
  readonly coinlorePages: number;
  readonly lookbackMinutes: number;
}

/** Environment variables the handlers read (set by the AWS stack; by the local twin in-process). */
export const HANDLER_ENV = {
  /** All functions: the lake bucket name (locally, see the lake adapter). */
  lakeBucket: 'LAKE_BUCKET',
  /** extract-reddit: Secrets Manager secret id holding {"client_id","client_secret"}. */
  redditSecretArn: 'REDDIT_SECRET_ARN',
  /** extract-reddit: User-Agent in Reddit's required format. */
  redditUserAgent: 'REDDIT_USER_AGENT',
  /** Optional base URL overrides (tests, replay). Unset in the cloud. */
  coinloreBaseUrl: 'COINLORE_BASE_URL',
  redditApiBaseUrl: 'REDDIT_API_BASE_URL',
  redditAuthUrl: 'REDDIT_AUTH_URL',
} as const;

/** Environment variables of the check-ingestion function (set by the AWS stack). */
export const CHECK_ENV = {
  snowflakeAccount: 'SNOWFLAKE_ACCOUNT',
  snowflakeDatabase: 'SNOWFLAKE_DATABASE',
  snowflakeRole: 'SNOWFLAKE_ROLE',
  snowflakeWarehouse: 'SNOWFLAKE_WAREHOUSE',
  /** Secrets Manager secret id holding {"user","private_key"}. */
  snowflakeSecretArn: 'SNOWFLAKE_SECRET_ARN',
  windowHours: 'CHECK_WINDOW_HOURS',
  graceMinutes: 'CHECK_GRACE_MINUTES',
  maxPendingFiles: 'CHECK_MAX_PENDING_FILES',
  maxIngestAgeMinutes: 'CHECK_MAX_INGEST_AGE_MINUTES',
} as const;

/** The metric names the alarms watch (namespace from POWERTOOLS_METRICS_NAMESPACE). */
export const PIPE_METRICS = {
  problems: 'PipeProblems',
  pendingFiles: 'PipePendingFiles',
  filesNotLoaded: 'PipeFilesNotLoaded',
  minutesSinceLastIngest: 'PipeMinutesSinceLastIngest',
} as const;
