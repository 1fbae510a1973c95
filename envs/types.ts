/**
 * Typed per-environment configuration. One file per environment (`envs/<name>.env.ts`, exporting
 * `env` that `satisfies EnvConfig`); adding an environment is adding one file. Constructs never read
 * process.env: everything environment-specific comes from here, validated at synth time.
 */
import { ConfigError } from '../lambdas/core/errors';

/** Lambda functions of the pipeline; one container image, one command per function. */
export const FUNCTION_NAMES = ['extract-coinlore', 'extract-reddit', 'transform'] as const;
export type FunctionName = (typeof FUNCTION_NAMES)[number];

/** The backfill's own functions (same image); the backfill also invokes `transform`. */
export const BACKFILL_FUNCTION_NAMES = ['backfill-plan', 'backfill-summary'] as const;
export type BackfillFunctionName = (typeof BACKFILL_FUNCTION_NAMES)[number];

/** The backfill state machine's knobs (statemachines/backfill.asl.json, docs/backfill.md). */
export interface BackfillConfig {
  /** Child executions at once (Distributed Map MaxConcurrency, 1-10000); each runs up to 4 transforms. */
  readonly maxConcurrency: number;
  /** Work items (one dataset of one run) per child execution (ItemBatcher MaxItemsPerBatch, 1-100). */
  readonly itemsPerBatch: number;
  /** Percentage of items that may fail before the backfill fails (ToleratedFailurePercentage, 0-100). */
  readonly toleratedFailurePercentage: number;
  readonly functions: Readonly<Record<BackfillFunctionName, FunctionConfig>>;
}

/** Functions outside the state machine, scheduled on their own; same image, one command each. */
export const OPS_FUNCTION_NAMES = ['check-ingestion'] as const;
/** Every command the Lambda image carries (lambdas/build.mjs bundles one file per name). */
export const IMAGE_FUNCTION_NAMES = [
  ...FUNCTION_NAMES,
  ...BACKFILL_FUNCTION_NAMES,
  ...OPS_FUNCTION_NAMES,
] as const;

/**
 * The scheduled pipe health check (the check-ingestion function). Every field is optional in an env file;
 * the defaults are in ops/ingestion-check.ts (`pipeHealthConfig`).
 */
export interface PipeHealthConfig {
  /** false deploys its schedule DISABLED (envs without Snowflake credentials yet). */
  readonly enabled: boolean;
  /** Minutes between checks (60: hourly). */
  readonly rateMinutes: number;
  /** Lake files of the last N hours must be in COPY_HISTORY (1-336: COPY_HISTORY keeps 14 days). */
  readonly windowHours: number;
  /** Files newer than this are not judged yet (Snowpipe usually needs about a minute). */
  readonly graceMinutes: number;
  /** More pending files than this is a backlog. */
  readonly maxPendingFiles: number;
  /** No ingestion for longer than this while files arrive is stale. */
  readonly maxIngestAgeMinutes: number;
}

export interface FunctionConfig {
  /** 128 … 10240 MB. */
  readonly memoryMb: number;
  /** 1 … 900 seconds. */
  readonly timeoutSeconds: number;
}

export interface EnvConfig {
  /** Short lowercase name used in every physical name: `dev`, `prod`. */
  readonly name: string;
  /** AWS account id (12 digits) the env deploys to. */
  readonly account: string;
  /** AWS region of every resource of the env (the lake bucket and SNS topics must share it for Snowpipe). */
  readonly region: string;
  /** Lake bucket name. @default `finance-de-lab-<env>-<region>` (the naming helper) */
  readonly lakeBucket?: string;
  readonly schedule: {
    /** false deploys the rule DISABLED (the pipeline can still be started by hand). */
    readonly enabled: boolean;
    /** Minutes between runs. The pipeline is designed for 10. */
    readonly rateMinutes: number;
  };
  /** Subreddit names without the `r/` prefix. */
  readonly subreddits: readonly string[];
  readonly coinlore: {
    /** Pages of 100 tickers per run: 1 … 200 (the whole universe is ~150 pages). */
    readonly pages: number;
  };
  readonly reddit: {
    /** How far back each run pages through /new and /comments (minutes); overlap with the previous run is deduplicated downstream. */
    readonly lookbackMinutes: number;
    /** Reddit's required format: `<platform>:<app ID>:<version> (by /u/<username>)`. */
    readonly userAgent: string;
  };
  /** Receives failure alerts (SNS email subscription; the recipient must confirm it once). */
  readonly alertEmail: string;
  /** CloudWatch Logs retention; one of the values CloudWatch accepts. */
  readonly logRetentionDays: number;
  /** Lambda image tag in the env's ECR repository (CI passes the commit SHA; immutable tags). */
  readonly imageTag: string;
  readonly functions: Readonly<Record<FunctionName, FunctionConfig>>;
  /** Rebuilding datasets from the raw archive at scale (the backfill state machine). */
  readonly backfill: BackfillConfig;
  /** The scheduled pipe health check; defaults in ops/ingestion-check.ts. */
  readonly pipeHealth?: Partial<PipeHealthConfig>;
  readonly lake: {
    /** Days before raw/ envelopes move to infrequent-access storage. */
    readonly rawInfrequentAccessDays: number;
    /** Days before raw/ envelopes expire. */
    readonly rawExpireDays: number;
    /** Days before rejects/ files expire. */
    readonly rejectsExpireDays: number;
  };
  /**
   * Suffix of the per-dataset SNS topic names. AWS blocks a deleted topic's subscription endpoint for 72 h,
   * so recreating a Snowpipe topic means bumping this (v1 → v2); see docs/runbook.md.
   */
  readonly topicSuffix: string;
  /** The GitHub repository and environment allowed to deploy this env (OIDC trust of the deploy role). */
  readonly github: {
    /** `owner/name`. */
    readonly repository: string;
    /** GitHub environment the deploy job runs in (prod has required reviewers). */
    readonly environment: string;
  };
  /** Terraform state: S3 backend, one key per env and stack, S3-native locking. */
  readonly state: { readonly bucket: string; readonly region: string };
  readonly snowflake: {
    /** Organization and account names (the account identifier `<org>-<account>`). */
    readonly organizationName: string;
    readonly accountName: string;
    /** Database name. @default `FDL_<ENV>` */
    readonly database?: string;
    readonly warehouseSize: 'XSMALL' | 'SMALL' | 'MEDIUM';
    readonly warehouseAutoSuspendSeconds: number;
    /** Time travel on RAW/EXPOSED, days. */
    readonly dataRetentionDays: number;
  };
}

/** Values CloudWatch Logs accepts for retention_in_days. */
export const LOG_RETENTION_DAYS = [
  1, 3, 5, 7, 14, 30, 60, 90, 120, 150, 180, 365, 400, 545, 731, 1096, 1827, 2192, 2557, 2922, 3288, 3653,
] as const;

/**
 * Check every field and throw once with all problems, each naming the field, what is wrong and what is
 * expected. `where` names the file the config came from.
 */
export function validateEnv(env: EnvConfig, where: string): EnvConfig {
  const problems: string[] = [];
  const bad = (field: string, message: string) => problems.push(`  - ${field}: ${message}`);
  const str = (v: unknown) => JSON.stringify(v);

  if (!/^[a-z][a-z0-9]{1,11}$/.test(env.name ?? ''))
    bad('name', `must be 2-12 lowercase letters/digits starting with a letter, got ${str(env.name)}`);
  if (!/^\d{12}$/.test(env.account ?? ''))
    bad('account', `must be a 12-digit AWS account id, got ${str(env.account)}`);
  if (!/^[a-z]{2}(-gov)?-[a-z]+-\d$/.test(env.region ?? ''))
    bad('region', `must be an AWS region like "eu-west-1", got ${str(env.region)}`);
  if (env.lakeBucket !== undefined && !/^[a-z0-9][a-z0-9-]{1,61}[a-z0-9]$/.test(env.lakeBucket))
    bad(
      'lakeBucket',
      `must be a valid S3 bucket name (3-63 chars, lowercase, digits, -), got ${str(env.lakeBucket)}`,
    );
  if (typeof env.schedule?.enabled !== 'boolean') bad('schedule.enabled', 'must be true or false');
  if (
    !Number.isInteger(env.schedule?.rateMinutes) ||
    env.schedule.rateMinutes < 1 ||
    env.schedule.rateMinutes > 1440
  )
    bad('schedule.rateMinutes', `must be an integer 1-1440, got ${str(env.schedule?.rateMinutes)}`);
  if (!Array.isArray(env.subreddits) || env.subreddits.length === 0)
    bad('subreddits', 'must list at least one subreddit');
  else
    env.subreddits.forEach((s, i) => {
      if (!/^[A-Za-z0-9][A-Za-z0-9_]{1,20}$/.test(s))
        bad(`subreddits[${i}]`, `must be a subreddit name without "r/" (letters, digits, _), got ${str(s)}`);
    });
  if (new Set(env.subreddits ?? []).size !== (env.subreddits ?? []).length)
    bad('subreddits', 'has duplicates');
  if (!Number.isInteger(env.coinlore?.pages) || env.coinlore.pages < 1 || env.coinlore.pages > 200)
    bad('coinlore.pages', `must be an integer 1-200 (pages of 100 tickers), got ${str(env.coinlore?.pages)}`);
  if (!Number.isInteger(env.reddit?.lookbackMinutes) || env.reddit.lookbackMinutes < 1)
    bad('reddit.lookbackMinutes', `must be a positive integer, got ${str(env.reddit?.lookbackMinutes)}`);
  if (!/^[^:\s]+:[^:\s]+:[^:\s]+ \(by \/u\/[A-Za-z0-9_-]+\)$/.test(env.reddit?.userAgent ?? ''))
    bad(
      'reddit.userAgent',
      `must follow Reddit's format "<platform>:<app ID>:<version> (by /u/<username>)", got ${str(env.reddit?.userAgent)}`,
    );
  if (!/^[^@\s]+@[^@\s]+\.[^@\s]+$/.test(env.alertEmail ?? ''))
    bad('alertEmail', `must be an email address, got ${str(env.alertEmail)}`);
  if (!(LOG_RETENTION_DAYS as readonly number[]).includes(env.logRetentionDays))
    bad(
      'logRetentionDays',
      `must be one of ${LOG_RETENTION_DAYS.join(', ')}, got ${str(env.logRetentionDays)}`,
    );
  if (!/^[A-Za-z0-9_][A-Za-z0-9_.-]{0,127}$/.test(env.imageTag ?? '') || env.imageTag === 'latest')
    bad('imageTag', `must be an immutable ECR tag (not "latest"), got ${str(env.imageTag)}`);
  for (const fn of FUNCTION_NAMES) {
    const f = env.functions?.[fn];
    if (!f) {
      bad(`functions.${fn}`, 'is missing');
      continue;
    }
    if (!Number.isInteger(f.memoryMb) || f.memoryMb < 128 || f.memoryMb > 10240)
      bad(`functions.${fn}.memoryMb`, `must be an integer 128-10240, got ${str(f.memoryMb)}`);
    if (!Number.isInteger(f.timeoutSeconds) || f.timeoutSeconds < 1 || f.timeoutSeconds > 900)
      bad(`functions.${fn}.timeoutSeconds`, `must be an integer 1-900, got ${str(f.timeoutSeconds)}`);
  }
  const bf = env.backfill;
  if (!bf) bad('backfill', 'is missing');
  else {
    const int = (field: string, v: unknown, min: number, max: number) => {
      if (!Number.isInteger(v) || (v as number) < min || (v as number) > max)
        bad(`backfill.${field}`, `must be an integer ${min}-${max}, got ${str(v)}`);
    };
    int('maxConcurrency', bf.maxConcurrency, 1, 10_000);
    int('itemsPerBatch', bf.itemsPerBatch, 1, 100);
    int('toleratedFailurePercentage', bf.toleratedFailurePercentage, 0, 100);
    for (const fn of BACKFILL_FUNCTION_NAMES) {
      const f = bf.functions?.[fn];
      if (!f) bad(`backfill.functions.${fn}`, 'is missing');
      else {
        int(`functions.${fn}.memoryMb`, f.memoryMb, 128, 10240);
        int(`functions.${fn}.timeoutSeconds`, f.timeoutSeconds, 1, 900);
      }
    }
  }
  const health = env.pipeHealth ?? {};
  if (health.enabled !== undefined && typeof health.enabled !== 'boolean')
    bad('pipeHealth.enabled', 'must be true or false');
  const intIn = (k: keyof PipeHealthConfig, min: number, max: number) => {
    const v = health[k];
    if (v !== undefined && (!Number.isInteger(v) || (v as number) < min || (v as number) > max))
      bad(`pipeHealth.${k}`, `must be an integer ${min}-${max}, got ${str(v)}`);
  };
  intIn('rateMinutes', 5, 1440);
  intIn('windowHours', 1, 336);
  intIn('graceMinutes', 0, 1440);
  intIn('maxPendingFiles', 0, 100_000);
  intIn('maxIngestAgeMinutes', 1, 20_160);
  const lake = env.lake;
  if (!lake) bad('lake', 'is missing');
  else {
    for (const k of ['rawInfrequentAccessDays', 'rawExpireDays', 'rejectsExpireDays'] as const)
      if (!Number.isInteger(lake[k]) || lake[k] < 1)
        bad(`lake.${k}`, `must be a positive integer, got ${str(lake[k])}`);
    // S3 requires at least 30 days in STANDARD before STANDARD_IA, and expiry after the transition.
    if (lake.rawInfrequentAccessDays < 30)
      bad('lake.rawInfrequentAccessDays', 'must be at least 30 (an S3 rule)');
    if (lake.rawExpireDays <= lake.rawInfrequentAccessDays)
      bad('lake.rawExpireDays', 'must be greater than lake.rawInfrequentAccessDays');
  }
  if (!/^[a-z0-9]{1,8}$/.test(env.topicSuffix ?? ''))
    bad('topicSuffix', `must be 1-8 lowercase letters/digits (e.g. "v1"), got ${str(env.topicSuffix)}`);
  if (!/^[A-Za-z0-9_.-]+\/[A-Za-z0-9_.-]+$/.test(env.github?.repository ?? ''))
    bad('github.repository', `must be "owner/name", got ${str(env.github?.repository)}`);
  if (!/^[A-Za-z0-9_-]+$/.test(env.github?.environment ?? ''))
    bad('github.environment', `must be a GitHub environment name, got ${str(env.github?.environment)}`);
  if (!/^[a-z0-9][a-z0-9.-]{1,61}[a-z0-9]$/.test(env.state?.bucket ?? ''))
    bad('state.bucket', `must be the S3 bucket holding Terraform state, got ${str(env.state?.bucket)}`);
  if (!/^[a-z]{2}(-gov)?-[a-z]+-\d$/.test(env.state?.region ?? ''))
    bad('state.region', `must be an AWS region, got ${str(env.state?.region)}`);
  const sf = env.snowflake;
  if (!sf) bad('snowflake', 'is missing');
  else {
    if (!/^[A-Za-z][A-Za-z0-9_]*$/.test(sf.organizationName ?? ''))
      bad(
        'snowflake.organizationName',
        `must be a Snowflake organization name, got ${str(sf.organizationName)}`,
      );
    if (!/^[A-Za-z][A-Za-z0-9_]*$/.test(sf.accountName ?? ''))
      bad('snowflake.accountName', `must be a Snowflake account name, got ${str(sf.accountName)}`);
    if (sf.database !== undefined && !/^[A-Z][A-Z0-9_]*$/.test(sf.database))
      bad('snowflake.database', `must be UPPER_SNAKE_CASE, got ${str(sf.database)}`);
    if (!['XSMALL', 'SMALL', 'MEDIUM'].includes(sf.warehouseSize))
      bad('snowflake.warehouseSize', `must be XSMALL, SMALL or MEDIUM, got ${str(sf.warehouseSize)}`);
    if (!Number.isInteger(sf.warehouseAutoSuspendSeconds) || sf.warehouseAutoSuspendSeconds < 60)
      bad(
        'snowflake.warehouseAutoSuspendSeconds',
        `must be an integer >= 60, got ${str(sf.warehouseAutoSuspendSeconds)}`,
      );
    if (!Number.isInteger(sf.dataRetentionDays) || sf.dataRetentionDays < 0 || sf.dataRetentionDays > 90)
      bad('snowflake.dataRetentionDays', `must be an integer 0-90, got ${str(sf.dataRetentionDays)}`);
  }
  if (problems.length) {
    throw new ConfigError(
      `Invalid environment config in ${where} (${problems.length} problem${problems.length > 1 ? 's' : ''}):\n${problems.join('\n')}`,
    );
  }
  return env;
}
