/**
 * check-ingestion: the scheduled pipe health check (hourly by default). It runs the same check as
 * `fdl check-ingestion` (ops/ingestion-check.ts: SYSTEM$PIPE_STATUS and COPY_HISTORY of every pipe against
 * the lake's files of the window) and publishes, per pipe, the number of findings and the figures behind
 * them as CloudWatch metrics (EMF, dimension Pipe = dataset); one alarm per pipe notifies the alerts topic.
 *
 * Findings are metrics, not a thrown error: a failed invocation means the check itself could not run (no
 * Snowflake, no secret), which the function's own error alarm reports, and the two stay distinguishable.
 *
 * Snowflake credentials come from a Secrets Manager secret {"user","private_key"} (a key-pair user with the
 * env's LOADER role), set outside Terraform like the Reddit secret; nothing of it is logged.
 */
import { MetricUnit } from '@aws-lambda-powertools/metrics';
import { S3Client } from '@aws-sdk/client-s3';
import { GetSecretValueCommand, SecretsManagerClient } from '@aws-sdk/client-secrets-manager';
import {
  checkIngestion,
  findings,
  type HealthLimits,
  type IngestionCheckDeps,
  type PipeHealthMetrics,
  pipeHealthMetrics,
} from '../../ops/ingestion-check';
import { s3PrefixLister } from '../adapters/s3-lake-store';
import { connectSnowflake, type SnowflakeQuery } from '../adapters/snowflake';
import { CHECK_ENV, HANDLER_ENV, PIPE_METRICS } from '../contracts';
import { ConfigError } from '../core/errors';
import { awsLogger, awsMetrics, requireEnv } from './aws-deps';

export interface CheckIngestionSettings {
  readonly database: string;
  readonly windowHours: number;
  readonly graceMinutes: number;
  readonly limits: HealthLimits;
}

export interface CheckIngestionDeps {
  readonly now: () => Date;
  readonly connect: () => Promise<SnowflakeQuery>;
  readonly listLake: IngestionCheckDeps['listLake'];
  readonly publish: (metrics: readonly PipeHealthMetrics[]) => void;
  readonly log: (message: string, extra: Record<string, unknown>) => void;
}

export interface CheckIngestionOutput {
  readonly checkedAt: string;
  /** One line per finding (empty: every pipe healthy). */
  readonly problems: readonly string[];
  readonly pipes: readonly PipeHealthMetrics[];
}

/** The check with its I/O injected: connect, check every pipe, publish per-pipe metrics, close. */
export function createCheckIngestion(settings: CheckIngestionSettings, deps: CheckIngestionDeps) {
  return async (): Promise<CheckIngestionOutput> => {
    const now = deps.now();
    const snowflake = await deps.connect();
    try {
      const results = await checkIngestion(
        { database: settings.database },
        { hours: settings.windowHours, graceMinutes: settings.graceMinutes },
        { now, query: (sql) => snowflake.query(sql), listLake: deps.listLake },
      );
      const pipes = results.map((r) => pipeHealthMetrics(r, settings.limits));
      deps.publish(pipes);
      const problems = results.flatMap((r) => findings(r, settings.limits).map((f) => f.message));
      for (const p of problems) deps.log('pipe health finding', { finding: p });
      return { checkedAt: now.toISOString(), problems, pipes };
    } finally {
      await snowflake.close();
    }
  };
}

/** Parse the secret {"user","private_key"}; names the missing field, never prints a value. */
export function parseSnowflakeSecret(
  secretString: string | undefined,
  secretId: string,
): { user: string; privateKey: string } {
  let value: unknown;
  try {
    value = JSON.parse(secretString ?? '');
  } catch {
    throw new ConfigError(`secret ${secretId} is not JSON; expected {"user","private_key"}`);
  }
  const v = (value ?? {}) as Record<string, unknown>;
  for (const field of ['user', 'private_key'])
    if (typeof v[field] !== 'string' || v[field] === '')
      throw new ConfigError(`secret ${secretId} has no "${field}"; expected {"user","private_key"}`);
  return { user: v.user as string, privateKey: v.private_key as string };
}

const intEnv = (name: string, env: Readonly<Record<string, string | undefined>>) => {
  const raw = requireEnv(name, env);
  const n = Number(raw);
  if (!Number.isFinite(n))
    throw new ConfigError(`environment variable ${name} must be a number, got "${raw}"`);
  return n;
};

/** Settings from the function's environment (the AWS stack sets every variable). */
export function settingsFromEnv(env: Readonly<Record<string, string | undefined>> = process.env) {
  return {
    database: requireEnv(CHECK_ENV.snowflakeDatabase, env),
    windowHours: intEnv(CHECK_ENV.windowHours, env),
    graceMinutes: intEnv(CHECK_ENV.graceMinutes, env),
    limits: {
      maxPendingFiles: intEnv(CHECK_ENV.maxPendingFiles, env),
      maxIngestAgeMinutes: intEnv(CHECK_ENV.maxIngestAgeMinutes, env),
    },
  } satisfies CheckIngestionSettings;
}

/** Each pipe's figures as EMF metrics with the dimension Pipe = dataset (one alarm per pipe). */
export function publishPipeMetrics(pipes: readonly PipeHealthMetrics[]): void {
  for (const p of pipes) {
    const figures: [string, number | undefined][] = [
      [PIPE_METRICS.problems, p.problems],
      [PIPE_METRICS.pendingFiles, p.pendingFiles],
      [PIPE_METRICS.filesNotLoaded, p.filesNotLoaded],
      [PIPE_METRICS.minutesSinceLastIngest, p.minutesSinceLastIngest],
    ];
    for (const [name, value] of figures) {
      if (value === undefined) continue;
      const m = awsMetrics().singleMetric();
      m.addDimension('Pipe', p.dataset);
      m.addMetric(name, MetricUnit.Count, value);
    }
  }
}

let run: (() => Promise<CheckIngestionOutput>) | undefined;

/** The Lambda entry point (scheduled by EventBridge Scheduler; the event carries nothing it needs). */
export async function handler(): Promise<CheckIngestionOutput> {
  const env = process.env;
  if (!run) {
    const bucket = requireEnv(HANDLER_ENV.lakeBucket, env);
    const s3 = new S3Client({});
    const secretId = requireEnv(CHECK_ENV.snowflakeSecretArn, env);
    run = createCheckIngestion(settingsFromEnv(env), {
      now: () => new Date(),
      connect: async () => {
        const out = await new SecretsManagerClient({}).send(
          new GetSecretValueCommand({ SecretId: secretId }),
        );
        const secret = parseSnowflakeSecret(out.SecretString, secretId);
        return connectSnowflake({
          account: requireEnv(CHECK_ENV.snowflakeAccount, env),
          username: secret.user,
          privateKey: secret.privateKey,
          role: requireEnv(CHECK_ENV.snowflakeRole, env),
          warehouse: requireEnv(CHECK_ENV.snowflakeWarehouse, env),
          database: requireEnv(CHECK_ENV.snowflakeDatabase, env),
        });
      },
      listLake: s3PrefixLister(s3, bucket),
      publish: publishPipeMetrics,
      log: (message, extra) => awsLogger().warn(message, extra),
    });
  }
  try {
    return await run();
  } finally {
    awsMetrics().publishStoredMetrics();
  }
}
