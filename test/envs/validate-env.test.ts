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

describe('validateEnv patterns and messages', () => {
  it.each([
    ['region', 'xeu-west-1'],
    ['region', 'eu-west-1x'],
    ['lakeBucket', '-abc'],
    ['lakeBucket', 'abc-'],
    ['lakeBucket', 'a'.repeat(64)],
    ['subreddits', ['Bitcoin!']],
    ['subreddits', ['!Bitcoin']],
    ['reddit.userAgent', 'x a:b:c (by /u/x)'],
    ['reddit.userAgent', 'a:b:c (by /u/x) extra'],
    ['alertEmail', 'a@b.c d'],
    ['alertEmail', 'x a@b.c'],
    ['github.repository', 'a/b/c'],
    ['github.repository', ' a/b'],
    ['github.environment', 'prod!'],
    ['state.bucket', '-abc'],
    ['state.bucket', 'abc-'],
    ['state.region', 'xeu-west-1'],
    ['state.region', 'eu-west-1x'],
    ['snowflake.organizationName', 'ORG-'],
    ['snowflake.database', 'FDL-'],
    ['snowflake.database', '-FDL'],
  ])('refuses %s = %j (the whole value must match, not a part)', (field, value) => {
    expect(problemFields(withField(field, value))).toEqual([
      field.startsWith('subreddits') ? 'subreddits[0]' : field,
    ]);
  });

  it.each([
    ['lakeBucket', 'abcd'],
    ['lake.rejectsExpireDays', 1],
  ])('accepts %s = %j', (field, value) => {
    expect(problemFields(withField(field, value))).toEqual([]);
  });

  /** The full problem line for one bad field. */
  const line = (field: string, value: unknown) => {
    try {
      validateEnv(withField(field, value), 'envs/t.env.ts');
    } catch (err) {
      return (err as Error).message.split('\n')[1];
    }
    return undefined;
  };

  it.each([
    ['name', 'X', 'must be 2-12 lowercase letters/digits starting with a letter, got "X"'],
    ['account', '1', 'must be a 12-digit AWS account id, got "1"'],
    ['region', 'x', 'must be an AWS region like "eu-west-1", got "x"'],
    ['lakeBucket', 'A', 'must be a valid S3 bucket name (3-63 chars, lowercase, digits, -), got "A"'],
    ['schedule.enabled', 1, 'must be true or false'],
    ['schedule.rateMinutes', 0, 'must be an integer 1-1440, got 0'],
    ['subreddits', [], 'must list at least one subreddit'],
    ['subreddits', ['ab', 'ab'], 'has duplicates'],
    ['coinlore.pages', 0, 'must be an integer 1-200 (pages of 100 tickers), got 0'],
    ['reddit.lookbackMinutes', 0, 'must be a positive integer, got 0'],
    [
      'reddit.userAgent',
      'x',
      `must follow Reddit's format "<platform>:<app ID>:<version> (by /u/<username>)", got "x"`,
    ],
    ['alertEmail', 'x', 'must be an email address, got "x"'],
    ['imageTag', 'latest', 'must be an immutable ECR tag (not "latest"), got "latest"'],
    ['functions.transform', undefined, 'is missing'],
    ['functions.transform.memoryMb', 1, 'must be an integer 128-10240, got 1'],
    ['functions.transform.timeoutSeconds', 0, 'must be an integer 1-900, got 0'],
    ['lake', undefined, 'is missing'],
    ['lake.rejectsExpireDays', 0, 'must be a positive integer, got 0'],
    ['lake.rawInfrequentAccessDays', 29, 'must be at least 30 (an S3 rule)'],
    ['lake.rawExpireDays', 30, 'must be greater than lake.rawInfrequentAccessDays'],
    ['topicSuffix', 'X', 'must be 1-8 lowercase letters/digits (e.g. "v1"), got "X"'],
    ['github.repository', 'x', 'must be "owner/name", got "x"'],
    ['github.environment', 'a b', 'must be a GitHub environment name, got "a b"'],
    ['state.bucket', 'A', 'must be the S3 bucket holding Terraform state, got "A"'],
    ['state.region', 'x', 'must be an AWS region, got "x"'],
    ['snowflake', undefined, 'is missing'],
    ['snowflake.organizationName', '1', 'must be a Snowflake organization name, got "1"'],
    ['snowflake.accountName', '1', 'must be a Snowflake account name, got "1"'],
    ['snowflake.database', 'x', 'must be UPPER_SNAKE_CASE, got "x"'],
    ['snowflake.warehouseSize', 'XL', 'must be XSMALL, SMALL or MEDIUM, got "XL"'],
    ['snowflake.warehouseAutoSuspendSeconds', 1, 'must be an integer >= 60, got 1'],
    ['snowflake.dataRetentionDays', 91, 'must be an integer 0-90, got 91'],
  ])('explains %s = %j as "%s"', (field, value, message) => {
    expect(line(field, value)).toBe(`  - ${field}: ${message}`);
  });

  it('lists the accepted log retentions in its message', () => {
    expect(line('logRetentionDays', 2)).toBe(
      '  - logRetentionDays: must be one of 1, 3, 5, 7, 14, 30, 60, 90, 120, 150, 180, 365, 400, 545, 731, 1096, 1827, 2192, 2557, 2922, 3288, 3653, got 2',
    );
  });

  it('reports missing sections without throwing a TypeError', () => {
    for (const section of ['schedule', 'coinlore', 'reddit', 'functions', 'github', 'state'])
      expect(() => validateEnv(withField(section, undefined), 'envs/t.env.ts')).toThrow(ConfigError);
  });
});
