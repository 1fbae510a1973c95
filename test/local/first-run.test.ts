/**
 * First-run ordering: Terraform creates the Reddit secret empty and the schedule live; until an admin
 * sets the value, each run must fail Reddit as a ConfigError — not retried, one clear alert naming the
 * fix — while Coinlore data still lands. Run through the real definition on the local executor, with
 * the secret read by the same function the Lambda uses (fetchRedditCredentials).
 */
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { FsLakeStore } from '../../lambdas/adapters/fs-lake-store';
import type { PipelineInput } from '../../lambdas/contracts';
import { ConfigError } from '../../lambdas/core/errors';
import type { PipelineLogger } from '../../lambdas/deps';
import { fetchRedditCredentials } from '../../lambdas/handlers/aws-deps';
import {
  loadEnvelopes,
  type ReplayServer,
  replaySourceUrls,
  startReplayServer,
} from '../../local/replay-server';
import { createTwin } from '../../local/runner';
import { describeRecording } from '../../local/sources';

const FIXTURES = join(import.meta.dirname, '..', 'fixtures', 'replay');
const SECRET = 'arn:aws:secretsmanager:eu-west-1:111111111111:secret:fdl-dev-reddit-credentials-AbCdEf';
const quiet: PipelineLogger = { debug() {}, info() {}, warn() {}, error() {} };

/** What Secrets Manager answers for a secret created without a value. */
const noValueYet = async () => {
  throw Object.assign(
    new Error("Secrets Manager can't find the specified secret value for staging label: AWSCURRENT"),
    { name: 'ResourceNotFoundException' },
  );
};

describe('first run with an unset Reddit secret', () => {
  let server: ReplayServer;
  let input: PipelineInput;
  let at: Date;
  beforeAll(async () => {
    const envelopes = await loadEnvelopes(FIXTURES);
    const rec = describeRecording(envelopes);
    input = { subreddits: rec.subreddits, coinlorePages: rec.coinlorePages, lookbackMinutes: 15 };
    at = rec.start;
    server = await startReplayServer({ envelopes });
  });
  afterAll(() => server.close());

  const run = async (read: (id: string) => Promise<{ SecretString?: string }>) => {
    let reads = 0;
    const lake = new FsLakeStore(mkdtempSync(join(tmpdir(), 'fdl-first-run-')));
    const twin = createTwin({
      lake,
      source: {
        baseUrls: replaySourceUrls(server),
        getRedditCredentials: () => {
          reads++;
          return fetchRedditCredentials(read, SECRET);
        },
      },
      userAgent: 'test:finance-de-lab:0.0.0 (by /u/test)',
      logger: quiet,
      delayScale: 0,
      http: { maxAttempts: 1, timeoutMs: 5000 },
    });
    const result = await twin.execute(input, { name: 'first-run', at });
    return { result, alerts: twin.alerts, lake, reads: () => reads };
  };

  it.each([
    ['has no value yet', noValueYet, /has no value yet/],
    ['is empty', async () => ({ SecretString: '  ' }), /is empty/],
  ])('alerts once, retries nothing and still lands Coinlore when the secret %s', async (_, read, why) => {
    const { result, alerts, lake, reads } = await run(read);
    expect(result.status).toBe('FAILED');
    expect(result.cause).toMatch(/reddit\/all subreddits: ConfigError/);
    expect(alerts).toHaveLength(1);
    expect(alerts[0]!.subject).toMatch(/Reddit extraction is not configured/);
    expect(alerts[0]!.message).toMatch(why);
    expect(alerts[0]!.message).toContain(`put-secret-value --secret-id ${SECRET}`);
    // Not retried: no RetryScheduled for Reddit, and at most one read per subreddit (the Map stops early).
    expect(result.history.filter((e) => e.type === 'RetryScheduled' && e.state === 'ExtractReddit')).toEqual(
      [],
    );
    expect(reads()).toBeGreaterThan(0);
    expect(reads()).toBeLessThanOrEqual(input.subreddits.length);
    expect((await lake.list('coinlore_tickers/')).length).toBe(1);
    expect(await lake.list('reddit_posts/')).toEqual([]);
  });

  it('raises the SDK error unchanged when Secrets Manager fails for another reason', async () => {
    const throttled = Object.assign(new Error('Rate exceeded'), { name: 'ThrottlingException' });
    await expect(fetchRedditCredentials(async () => Promise.reject(throttled), SECRET)).rejects.toBe(
      throttled,
    );
    await expect(fetchRedditCredentials(noValueYet, SECRET)).rejects.toBeInstanceOf(ConfigError);
  });
});
