import { afterEach, describe, expect, it, vi } from 'vitest';
import { ConfigError } from '../../lambdas/core/errors';
import { awsDeps, parseRedditSecret, requireEnv } from '../../lambdas/handlers/aws-deps';

describe('awsDeps', () => {
  it('throws ConfigError naming LAKE_BUCKET when it is not set', () => {
    expect(() => awsDeps({})).toThrow(ConfigError);
    expect(() => awsDeps({})).toThrow(/LAKE_BUCKET/);
  });

  it('throws ConfigError naming REDDIT_USER_AGENT only when a handler reads it', () => {
    const deps = awsDeps({ LAKE_BUCKET: 'b', AWS_REGION: 'eu-west-1' });
    expect(deps.lake.location).toBe('s3://b');
    expect(() => deps.redditUserAgent).toThrow(/REDDIT_USER_AGENT/);
  });
});

describe('requireEnv', () => {
  it('throws ConfigError naming the variable when it is empty', () => {
    expect(() => requireEnv('X_TEST', { X_TEST: ' ' })).toThrow(/X_TEST/);
    expect(requireEnv('X_TEST', { X_TEST: 'v' })).toBe('v');
  });
});

describe('parseRedditSecret', () => {
  it('returns the credentials when the secret has both fields', () => {
    expect(parseRedditSecret('{"client_id":"a","client_secret":"b"}', 's')).toEqual({
      clientId: 'a',
      clientSecret: 'b',
    });
  });

  it.each([
    ['{"client_id":"a"}', /"client_secret"/],
    ['not json', /not JSON/],
  ])('names the problem without printing values when the secret is %s', (raw, message) => {
    const err = (() => {
      try {
        parseRedditSecret(raw, 'arn:secret');
      } catch (e) {
        return e as Error;
      }
      return undefined;
    })();
    expect(err).toBeInstanceOf(ConfigError);
    expect(err?.message).toMatch(message);
    expect(err?.message).not.toContain('"a"');
  });
});

describe('awsMetrics', () => {
  afterEach(() => vi.unstubAllEnvs());

  it('publishes under the namespace and service the stack sets when POWERTOOLS_* variables are set', async () => {
    // Prepare: a fresh module so the per-container singleton is built under these variables.
    vi.resetModules();
    vi.stubEnv('POWERTOOLS_SERVICE_NAME', 'transform');
    vi.stubEnv('POWERTOOLS_METRICS_NAMESPACE', 'ns-from-stack');
    const { awsMetrics } = await import('../../lambdas/handlers/aws-deps');
    // Act
    const metrics = awsMetrics();
    metrics.addMetric('Rows', 'Count', 3);
    const emf = metrics.serializeMetrics();
    metrics.clearMetrics();
    // Assess
    expect(emf._aws.CloudWatchMetrics[0]!.Namespace).toBe('ns-from-stack');
    expect((emf as unknown as Record<string, unknown>).service).toBe('transform');
  });
});
