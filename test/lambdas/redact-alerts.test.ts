import { afterEach, describe, expect, it, vi } from 'vitest';
import { UpstreamError } from '../../lambdas/core/errors';
import { lambdaHandler } from '../../lambdas/handlers/aws-deps';
import { alertRecord } from '../../local/runner';

const FAKE_SECRET = 'FAKE-alert-s3cr3t-51ab';
const FAKE_BASIC = Buffer.from(`fake-id:${FAKE_SECRET}`).toString('base64');
const leakyCause = `POST https://auth.invalid/token answered 400: {"error":"bad","echo":"authorization: Basic ${FAKE_BASIC}","refresh_token":"${FAKE_SECRET}"}`;

describe('alert redaction', () => {
  afterEach(() => vi.unstubAllEnvs());

  it('redacts credentials quoted in an alert message and subject when the twin records it', () => {
    const at = new Date('2026-11-24T10:20:00Z');
    const a = alertRecord(
      { TopicArn: 'local:alerts', Subject: `token=${FAKE_SECRET}`, Message: leakyCause },
      at,
    );
    const text = JSON.stringify(a);
    expect(text).not.toContain(FAKE_SECRET);
    expect(text).not.toContain(FAKE_BASIC);
    expect(a.message).toContain('answered 400');
    expect(a.at).toBe(at.toISOString());
  });

  it('redacts the error message a Lambda fails with, keeping its name for Retry/Catch', async () => {
    // awsDeps() reads these once per container; a bucket name is all it needs to build (no AWS call).
    vi.stubEnv('POWERTOOLS_METRICS_DISABLED', 'true');
    vi.stubEnv('LAKE_BUCKET', 'fdl-test-bucket');
    vi.stubEnv('REDDIT_USER_AGENT', 'test');
    const handler = lambdaHandler('test-fn', () => async () => {
      throw new UpstreamError(leakyCause, 400);
    });
    const err = await handler({ runId: 'r1' } as never).catch((e: unknown) => e);
    expect(err).toBeInstanceOf(UpstreamError);
    expect((err as Error).name).toBe('UpstreamError');
    expect((err as Error).message).not.toContain(FAKE_SECRET);
    expect((err as Error).message).not.toContain(FAKE_BASIC);
    expect((err as Error).message).toContain('answered 400');
  });
});
