/**
 * The pipeline's error tree. Each class sets `name`, which AWS Lambda reports as the error type, so the
 * state machine's Retry/Catch can match it (`"ErrorEquals": ["RateLimitedError"]`). Messages say what
 * failed, where, and what to do; the original error is kept as `cause`.
 */
export class PipelineError extends Error {
  override name = 'PipelineError';
  constructor(message: string, options?: { cause?: unknown }) {
    super(message, options);
  }
}

/** The upstream API said "slow down" (HTTP 429 or an exhausted rate-limit budget). Retryable. */
export class RateLimitedError extends PipelineError {
  override name = 'RateLimitedError';
  constructor(
    message: string,
    /** Seconds the upstream asked us to wait, when it said. */
    readonly retryAfterSeconds?: number,
    options?: { cause?: unknown },
  ) {
    super(message, options);
  }
}

/** The upstream API failed: 5xx, timeout, connection error, or a body that is not JSON. Retryable. */
export class UpstreamError extends PipelineError {
  override name = 'UpstreamError';
  constructor(
    message: string,
    readonly status?: number,
    options?: { cause?: unknown },
  ) {
    super(message, options);
  }
}

/** Credentials were refused (401/403). Not retryable: fix the secret. */
export class AuthError extends PipelineError {
  override name = 'AuthError';
}

/** The response parsed but does not have the shape the pipeline depends on. Not retryable. */
export class SchemaDriftError extends PipelineError {
  override name = 'SchemaDriftError';
}

/** Bad or missing configuration (env file, environment variable, CLI flag). Not retryable. */
export class ConfigError extends PipelineError {
  override name = 'ConfigError';
}

/**
 * Error names the state machine retries; everything else goes straight to the alert path. Every Retry of a
 * Lambda task in statemachines/*.asl.json lists exactly these plus LAMBDA_SERVICE_ERRORS
 * (test/statemachines/definitions.test.ts holds the two together).
 */
export const RETRYABLE_ERRORS = ['RateLimitedError', 'UpstreamError'] as const;

/**
 * Transient errors of the Lambda service itself (not of our code) that Step Functions reports for a
 * `lambda:invoke` task; AWS recommends retrying them (docs/contributing.md, "Retries").
 */
export const LAMBDA_SERVICE_ERRORS = [
  'Lambda.ServiceException',
  'Lambda.AWSLambdaException',
  'Lambda.SdkClientException',
  'Lambda.TooManyRequestsException',
] as const;
