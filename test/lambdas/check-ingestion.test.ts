import { describe, expect, it } from 'vitest';
import { CHECK_ENV, PIPE_METRICS } from '../../lambdas/contracts';
import { DATASET_NAMES } from '../../lambdas/core/datasets';
import { ConfigError } from '../../lambdas/core/errors';
import {
  createCheckIngestion,
  parseSnowflakeSecret,
  publishPipeMetrics,
  settingsFromEnv,
} from '../../lambdas/handlers/check-ingestion';
import type { PipeHealthMetrics } from '../../ops/ingestion-check';
import { DEFAULT_HEALTH_LIMITS } from '../../ops/ingestion-check';

const NOW = new Date('2026-11-24T10:30:00Z');
const status = (over: Record<string, unknown> = {}) =>
  JSON.stringify({
    executionState: 'RUNNING',
    pendingFileCount: 0,
    lastIngestedTimestamp: '2026-11-24T10:21:00Z',
    ...over,
  });

/** A Snowflake fake: SYSTEM$PIPE_STATUS per pipe, empty COPY_HISTORY; records what was asked. */
function fakeSnowflake(statusOf: (sql: string) => string) {
  const calls = { queries: 0, closed: 0 };
  return {
    calls,
    connect: async () => ({
      query: async (sql: string) => {
        calls.queries++;
        return sql.includes('SYSTEM$PIPE_STATUS') ? [{ PIPE_STATUS: statusOf(sql) }] : [];
      },
      close: async () => {
        calls.closed++;
      },
    }),
  };
}

describe('check-ingestion handler', () => {
  const settings = { database: 'FDL_DEV', windowHours: 3, graceMinutes: 15, limits: DEFAULT_HEALTH_LIMITS };

  it('publishes one set of metrics per pipe and lists the findings when one pipe is stalled', async () => {
    const sf = fakeSnowflake((sql) =>
      sql.includes('REDDIT_POSTS_PIPE') ? status({ executionState: 'STOPPED_CLUSTER_ERROR' }) : status(),
    );
    const published: PipeHealthMetrics[][] = [];
    const run = createCheckIngestion(settings, {
      now: () => NOW,
      connect: sf.connect,
      listLake: async () => [],
      publish: (m) => published.push([...m]),
      log: () => {},
    });
    const out = await run();
    expect(published).toHaveLength(1);
    expect(published[0]!.map((m) => m.dataset)).toEqual([...DATASET_NAMES]);
    expect(published[0]!.find((m) => m.dataset === 'reddit_posts')!.problems).toBe(1);
    expect(published[0]!.filter((m) => m.problems > 0)).toHaveLength(1);
    expect(out.problems).toEqual(['reddit_posts: pipe is STOPPED_CLUSTER_ERROR']);
    expect(sf.calls).toEqual({ queries: DATASET_NAMES.length * 2, closed: 1 });
  });

  it('closes the connection and publishes nothing when Snowflake fails mid-check', async () => {
    const sf = fakeSnowflake(() => 'not json');
    const published: unknown[] = [];
    const run = createCheckIngestion(settings, {
      now: () => NOW,
      connect: sf.connect,
      listLake: async () => [],
      publish: (m) => published.push(m),
      log: () => {},
    });
    await expect(run()).rejects.toThrow(/SYSTEM\$PIPE_STATUS/);
    expect(published).toEqual([]);
    expect(sf.calls.closed).toBe(1);
  });

  it('reads the Snowflake secret, naming a missing field without printing any value', () => {
    expect(parseSnowflakeSecret('{"user":"CHECKER","private_key":"-----BEGIN"}', 's')).toEqual({
      user: 'CHECKER',
      privateKey: '-----BEGIN',
    });
    expect(() => parseSnowflakeSecret('{"user":"CHECKER"}', 's')).toThrow(/no "private_key"/);
    expect(() => parseSnowflakeSecret('{"user":"CHECKER","private_key":"k3y-VALUE"', 's')).toThrow(
      ConfigError,
    );
    try {
      parseSnowflakeSecret('{"user":"CHECKER","private_key":"k3y-VALUE"', 's');
    } catch (err) {
      expect((err as Error).message).not.toContain('k3y-VALUE');
    }
  });

  it('takes its settings from the function environment, naming a missing variable', () => {
    const env = {
      [CHECK_ENV.snowflakeDatabase]: 'FDL_DEV',
      [CHECK_ENV.windowHours]: '3',
      [CHECK_ENV.graceMinutes]: '15',
      [CHECK_ENV.maxPendingFiles]: '20',
      [CHECK_ENV.maxIngestAgeMinutes]: '60',
    };
    expect(settingsFromEnv(env)).toEqual({
      database: 'FDL_DEV',
      windowHours: 3,
      graceMinutes: 15,
      limits: { maxPendingFiles: 20, maxIngestAgeMinutes: 60 },
    });
    const { [CHECK_ENV.windowHours]: _, ...missing } = env;
    expect(() => settingsFromEnv(missing)).toThrow(new RegExp(CHECK_ENV.windowHours));
  });
});

describe('check-ingestion metrics', () => {
  it('emits EMF with exactly the namespace and dimensions the per-pipe alarms watch', async () => {
    // What the stack sets on the function (stacks/constructs/pipe-health-check.ts).
    process.env.POWERTOOLS_SERVICE_NAME = 'check-ingestion';
    process.env.POWERTOOLS_METRICS_NAMESPACE = 'finance-de-lab';
    const lines: string[] = [];
    const write = process.stdout.write;
    process.stdout.write = ((chunk: string) => lines.push(String(chunk)) > 0) as typeof process.stdout.write;
    try {
      publishPipeMetrics([{ dataset: 'reddit_posts', problems: 2, pendingFiles: 0, filesNotLoaded: 1 }]);
    } finally {
      process.stdout.write = write;
    }
    const emf = lines
      .flatMap((l) => l.split('\n'))
      .filter((l) => l.startsWith('{'))
      .map((l) => JSON.parse(l) as Record<string, unknown> & { _aws: { CloudWatchMetrics: unknown[] } });
    const problems = emf.find((e) => PIPE_METRICS.problems in e)!;
    expect(problems[PIPE_METRICS.problems]).toBe(2);
    expect(problems._aws.CloudWatchMetrics).toEqual([
      {
        Namespace: 'finance-de-lab',
        Dimensions: [['service', 'Pipe']],
        Metrics: [{ Name: PIPE_METRICS.problems, Unit: 'Count' }],
      },
    ]);
    expect(problems).toMatchObject({ service: 'check-ingestion', Pipe: 'reddit_posts' });
    // No minutesSinceLastIngest given: no such metric (an absent figure is not published as 0).
    expect(emf.some((e) => PIPE_METRICS.minutesSinceLastIngest in e)).toBe(false);
    expect(emf).toHaveLength(3);
  });
});
