import { describe, expect, it } from 'vitest';
import { env as dev } from '../../envs/dev.env';
import { env as prod } from '../../envs/prod.env';
import { type EnvConfig, validateEnv } from '../../envs/types';
import { ConfigError } from '../../lambdas/core/errors';

/**
 * validateEnv, rule by rule: the dev config with ONE field changed is refused with exactly one problem
 * naming that field, and each rule's boundary value is still accepted.
 */
const clone = (): Record<string, unknown> => structuredClone(dev) as unknown as Record<string, unknown>;

/** dev with `path` (dot-separated) set to `value`; `undefined` deletes the field. */
function withField(path: string, value: unknown): EnvConfig {
  const copy = clone();
  const keys = path.split('.');
  let o = copy as Record<string, unknown>;
  for (const k of keys.slice(0, -1)) o = o[k] as Record<string, unknown>;
  const last = keys.at(-1)!;
  if (value === undefined) delete o[last];
  else o[last] = value;
  return copy as unknown as EnvConfig;
}

/** The problems validateEnv reports, as the field names that start each line. */
function problemFields(env: EnvConfig): string[] {
  try {
    validateEnv(env, 'envs/test.env.ts');
    return [];
  } catch (err) {
    expect(err).toBeInstanceOf(ConfigError);
    return (err as Error).message
      .split('\n')
      .slice(1)
      .map((l) => /^ {2}- ([^:]+):/.exec(l)![1]!);
  }
}

describe('validateEnv', () => {
  it('accepts the shipped dev and prod configs', () => {
    expect(validateEnv(dev, 'envs/dev.env.ts')).toBe(dev);
    expect(validateEnv(prod, 'envs/prod.env.ts')).toBe(prod);
  });

  it.each([
    ['name', 'Dev'],
    ['name', 'd'],
    ['name', 'abcdefghijklm'],
    ['account', '11111111111'],
    ['account', '1111111111112'],
    ['region', 'eu-west'],
    ['region', 'EU-WEST-1'],
    ['lakeBucket', 'Bad_Bucket'],
    ['lakeBucket', 'ab'],
    ['schedule.enabled', 'yes'],
    ['schedule.rateMinutes', 0],
    ['schedule.rateMinutes', 1441],
    ['schedule.rateMinutes', 2.5],
    ['subreddits', []],
    ['coinlore.pages', 0],
    ['coinlore.pages', 201],
    ['coinlore.pages', 1.5],
    ['reddit.lookbackMinutes', 0],
    ['reddit.lookbackMinutes', 7.5],
    ['reddit.userAgent', 'finance-de-lab/0.1'],
    ['alertEmail', 'alerts.example.com'],
    ['logRetentionDays', 0],
    ['logRetentionDays', 10],
    ['imageTag', 'latest'],
    ['imageTag', 'has space'],
    ['functions.transform', undefined],
    ['functions.transform.memoryMb', 127],
    ['functions.transform.memoryMb', 10241],
    ['functions.transform.timeoutSeconds', 0],
    ['functions.transform.timeoutSeconds', 901],
    ['lake', undefined],
    ['lake.rejectsExpireDays', 0],
    ['lake.rawInfrequentAccessDays', 29],
    ['lake.rawExpireDays', 30],
    ['topicSuffix', 'V1'],
    ['topicSuffix', 'abcdefghi'],
    ['github.repository', 'no-slash'],
    ['github.environment', 'has space'],
    ['state.bucket', 'UPPER'],
    ['state.region', 'nowhere'],
    ['snowflake', undefined],
    ['snowflake.organizationName', '1ORG'],
    ['snowflake.accountName', 'has-dash'],
    ['snowflake.database', 'lower_case'],
    ['snowflake.warehouseSize', 'LARGE'],
    ['snowflake.warehouseAutoSuspendSeconds', 59],
    ['snowflake.dataRetentionDays', -1],
    ['snowflake.dataRetentionDays', 91],
  ])('refuses %s = %j with one problem naming the field', (field, value) => {
    expect(problemFields(withField(field, value))).toEqual([field]);
  });

  it('names each bad subreddit by index, and reports duplicates', () => {
    expect(problemFields(withField('subreddits', ['Bitcoin', 'r/ethereum', 'x']))).toEqual([
      'subreddits[1]',
      'subreddits[2]',
    ]);
    expect(problemFields(withField('subreddits', ['Bitcoin', 'Bitcoin']))).toEqual(['subreddits']);
  });

  it('reports every problem at once, counting them in the first line', () => {
    const env = withField('name', 'X');
    (env as { account: string }).account = 'x';
    expect(() => validateEnv(env, 'envs/x.env.ts')).toThrow(
      /^Invalid environment config in envs\/x\.env\.ts \(2 problems\):\n {2}- name: .*\n {2}- account: /,
    );
    expect(() => validateEnv(withField('name', 'X'), 'envs/x.env.ts')).toThrow(/\(1 problem\):/);
  });

  it.each([
    ['name', 'ab'],
    ['name', 'abcdefghijkl'],
    ['region', 'us-gov-west-1'],
    ['lakeBucket', 'abc'],
    ['schedule.rateMinutes', 1],
    ['schedule.rateMinutes', 1440],
    ['subreddits', ['ab']],
    ['coinlore.pages', 1],
    ['coinlore.pages', 200],
    ['reddit.lookbackMinutes', 1],
    ['logRetentionDays', 1],
    ['logRetentionDays', 3653],
    ['imageTag', 'sha-0123abc'],
    ['functions.transform.memoryMb', 128],
    ['functions.transform.memoryMb', 10240],
    ['functions.transform.timeoutSeconds', 1],
    ['functions.transform.timeoutSeconds', 900],
    ['lake.rawInfrequentAccessDays', 30],
    ['lake.rawExpireDays', 31],
    ['topicSuffix', 'abcdefgh'],
    ['snowflake.database', 'FDL_DB'],
    ['snowflake.warehouseSize', 'MEDIUM'],
    ['snowflake.warehouseAutoSuspendSeconds', 60],
    ['snowflake.dataRetentionDays', 0],
    ['snowflake.dataRetentionDays', 90],
  ])('accepts the boundary value %s = %j', (field, value) => {
    expect(problemFields(withField(field, value))).toEqual([]);
  });
});
