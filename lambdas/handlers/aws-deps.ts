/**
 * HandlerDeps for AWS, built once per container from the HANDLER_ENV variables (lambdas/contracts.ts):
 * the lake bucket through S3, Reddit credentials from Secrets Manager (cached), Powertools logging and
 * metrics, the real clock. A missing variable throws ConfigError naming it, at the first access that
 * needs it (extract-coinlore does not need the Reddit variables).
 */
import { Logger } from '@aws-lambda-powertools/logger';
import { Metrics, MetricUnit } from '@aws-lambda-powertools/metrics';
import { S3Client } from '@aws-sdk/client-s3';
import { GetSecretValueCommand, SecretsManagerClient } from '@aws-sdk/client-secrets-manager';
import { S3LakeStore } from '../adapters/s3-lake-store';
import { HANDLER_ENV, type RunContext } from '../contracts';
import { ConfigError } from '../core/errors';
import { redactText } from '../core/redact';
import { DEFAULT_BASE_URLS, type HandlerDeps, type PipelineLogger, type RedditCredentials } from '../deps';

type Env = Readonly<Record<string, string | undefined>>;

/** Read a required environment variable; a missing or empty one throws ConfigError with its name. */
export function requireEnv(name: string, env: Env = process.env): string {
  const v = env[name];
  if (v === undefined || v.trim() === '')
    throw new ConfigError(`environment variable ${name} is not set; the stack must set it on the function`);
  return v;
}

let logger: Logger | undefined;
let metrics: Metrics | undefined;
let deps: HandlerDeps | undefined;

/** Used only when the function has no POWERTOOLS_* variables (the stack sets them; bundle tests may not). */
const FALLBACK = { serviceName: 'finance-de-lab', namespace: 'finance-de-lab' } as const;

/**
 * The container's Powertools Logger: service from POWERTOOLS_SERVICE_NAME (the function's name, set by the
 * stack), level from POWERTOOLS_LOG_LEVEL. Powertools gives constructor options precedence over the
 * variables, so none are passed when the variable is set: the stack's value is the one declaration.
 */
export function awsLogger(env: Env = process.env): Logger {
  logger ??= new Logger(env.POWERTOOLS_SERVICE_NAME ? {} : { serviceName: FALLBACK.serviceName });
  return logger;
}

/** The container's Powertools Metrics (EMF): namespace and service from the stack's POWERTOOLS_* variables. */
export function awsMetrics(env: Env = process.env): Metrics {
  metrics ??= new Metrics({
    ...(env.POWERTOOLS_METRICS_NAMESPACE ? {} : { namespace: FALLBACK.namespace }),
    ...(env.POWERTOOLS_SERVICE_NAME ? {} : { serviceName: FALLBACK.serviceName }),
  });
  return metrics;
}

/** Parse the secret {"client_id","client_secret"}; names the missing field, never prints a value. */
export function parseRedditSecret(secretString: string | undefined, secretId: string): RedditCredentials {
  let value: unknown;
  try {
    value = JSON.parse(secretString ?? '');
  } catch {
    throw new ConfigError(`secret ${secretId} is not JSON; expected {"client_id","client_secret"}`);
  }
  const v = (value ?? {}) as Record<string, unknown>;
  for (const field of ['client_id', 'client_secret']) {
    if (typeof v[field] !== 'string' || v[field] === '')
      throw new ConfigError(`secret ${secretId} has no "${field}"; expected {"client_id","client_secret"}`);
  }
  return { clientId: v.client_id as string, clientSecret: v.client_secret as string };
}

/**
 * Read and parse the Reddit secret with `read` (GetSecretValue in AWS). A secret that does not exist or has
 * no value yet (first deploy: Terraform creates the secret, an admin sets its value) and an empty value are
 * ConfigErrors: the state machine does not retry them and alerts once per run naming the fix. Other
 * failures (throttling, network) propagate unchanged. Never prints the value.
 */
export async function fetchRedditCredentials(
  read: (secretId: string) => Promise<{ SecretString?: string }>,
  secretId: string,
): Promise<RedditCredentials> {
  const fix = `set it once with \`aws secretsmanager put-secret-value --secret-id ${secretId} --secret-string file://reddit.json\` (docs/runbook.md, "Reddit credentials")`;
  let out: { SecretString?: string };
  try {
    out = await read(secretId);
  } catch (error) {
    if ((error as { name?: unknown }).name === 'ResourceNotFoundException')
      throw new ConfigError(`secret ${secretId} has no value yet: ${fix}`, { cause: error });
    throw error;
  }
  if (!out.SecretString?.trim()) throw new ConfigError(`secret ${secretId} is empty: ${fix}`);
  return parseRedditSecret(out.SecretString, secretId);
}

/** Build (once per container) the HandlerDeps for AWS from HANDLER_ENV variables. */
export function awsDeps(env: Env = process.env): HandlerDeps {
  if (deps) return deps;
  const bucket = requireEnv(HANDLER_ENV.lakeBucket, env);
  // An S3-compatible endpoint (AWS_ENDPOINT_URL_S3: LocalStack, MinIO, the bundle test's fake) needs path-style URLs.
  const s3 = new S3Client({ forcePathStyle: Boolean(env.AWS_ENDPOINT_URL_S3) });
  const log = awsLogger();
  const pipelineLogger: PipelineLogger = {
    debug: (m, e) => log.debug(m, e ?? {}),
    info: (m, e) => log.info(m, e ?? {}),
    warn: (m, e) => log.warn(m, e ?? {}),
    error: (m, e) => log.error(m, e ?? {}),
  };
  let secret: Promise<RedditCredentials> | undefined;
  deps = {
    lake: new S3LakeStore(bucket, s3),
    logger: pipelineLogger,
    coinloreBaseUrl: env[HANDLER_ENV.coinloreBaseUrl] || DEFAULT_BASE_URLS.coinlore,
    redditApiBaseUrl: env[HANDLER_ENV.redditApiBaseUrl] || DEFAULT_BASE_URLS.redditApi,
    redditAuthUrl: env[HANDLER_ENV.redditAuthUrl] || DEFAULT_BASE_URLS.redditAuth,
    get redditUserAgent() {
      return requireEnv(HANDLER_ENV.redditUserAgent, env);
    },
    getRedditCredentials() {
      const secretId = requireEnv(HANDLER_ENV.redditSecretArn, env);
      secret ??= fetchRedditCredentials(
        (id) => new SecretsManagerClient({}).send(new GetSecretValueCommand({ SecretId: id })),
        secretId,
      );
      // A failed read is not cached: the next invocation tries again.
      secret.catch(() => {
        secret = undefined;
      });
      return secret;
    },
    now: () => new Date(),
    sleep: (ms) => new Promise((resolve) => setTimeout(resolve, ms)),
  };
  return deps;
}

/** The part of the Lambda context object the wrapper reads (avoids a dependency on @types/aws-lambda). */
export interface LambdaContextLike {
  readonly awsRequestId?: string;
}

/**
 * Wrap `create(deps)` as a Lambda handler: deps built once per container, run id on the log context,
 * a few metrics per invocation (the summary's counts, a failure count), flushed even on error.
 */
export function lambdaHandler<I extends RunContext, O>(
  functionName: string,
  create: (deps: HandlerDeps) => (input: I) => Promise<O>,
  metricsOf: (out: O) => Readonly<Record<string, number>> = () => ({}),
): (input: I, context?: LambdaContextLike) => Promise<O> {
  let run: ((input: I) => Promise<O>) | undefined;
  return async (input: I, context?: LambdaContextLike) => {
    const m = awsMetrics();
    m.addDimension('function', functionName);
    awsLogger().appendKeys({
      run_id: input?.runId,
      function: functionName,
      ...(context?.awsRequestId ? { aws_request_id: context.awsRequestId } : {}),
    });
    try {
      run ??= create(awsDeps());
      const out = await run(input);
      for (const [name, value] of Object.entries(metricsOf(out))) m.addMetric(name, MetricUnit.Count, value);
      m.addMetric('Invocations', MetricUnit.Count, 1);
      return out;
    } catch (err) {
      // The message becomes the execution's Cause and, through the state machine, an SNS alert.
      if (err instanceof Error) err.message = redactText(err.message);
      m.addMetric('Failures', MetricUnit.Count, 1);
      awsLogger().error('handler failed', {
        error: err instanceof Error ? err.name : 'unknown',
        message: String((err as Error)?.message ?? err),
      });
      throw err;
    } finally {
      m.publishStoredMetrics();
      awsLogger().removeKeys(['run_id', 'function', 'aws_request_id']);
    }
  };
}
