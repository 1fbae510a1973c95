import { describe, expect, it } from 'vitest';
import { bucketTlsOnly } from '../../stacks/policy/bucket-tls-only';
import { logRetention } from '../../stacks/policy/log-retention';
import { noWildcardIam } from '../../stacks/policy/no-wildcard-iam';
import type { TerraformJson } from '../../stacks/policy/types';

/**
 * One test per condition each rule depends on: the compliant fixture passes, and changing exactly that
 * condition makes the rule report. A rule that ignored the condition would pass both.
 */
type Resources = Record<string, Record<string, Record<string, unknown>>>;
const tf = (...parts: Resources[]): TerraformJson => {
  const resource: Resources = {};
  for (const part of parts)
    for (const [type, byName] of Object.entries(part)) resource[type] = { ...resource[type], ...byName };
  return { resource };
};
const ref = (type: string, name: string, attr: string) => `\${${type}.${name}.${attr}}`;
const doc = (...Statement: object[]) => JSON.stringify({ Version: '2012-10-17', Statement });
const bucket: Resources = { aws_s3_bucket: { lake: { bucket: 'finance-de-lab-test' } } };
const bucketArn = ref('aws_s3_bucket', 'lake', 'arn');

const TLS_DENY = {
  Effect: 'Deny',
  Principal: '*',
  Action: 's3:*',
  Resource: [bucketArn, `${bucketArn}/*`],
  Condition: { Bool: { 'aws:SecureTransport': 'false' } },
};
const bucketPolicy = (statement: object, bucketRef = ref('aws_s3_bucket', 'lake', 'id')): Resources => ({
  aws_s3_bucket_policy: { lake_policy: { bucket: bucketRef, policy: doc(statement) } },
});

describe('bucketTlsOnly', () => {
  it('passes the compliant deny, also with Principal {"AWS": "*"} and Action "*"', () => {
    expect(bucketTlsOnly.check(tf(bucket, bucketPolicy(TLS_DENY)))).toEqual([]);
    expect(
      bucketTlsOnly.check(tf(bucket, bucketPolicy({ ...TLS_DENY, Principal: { AWS: '*' }, Action: '*' }))),
    ).toEqual([]);
  });

  it.each([
    ['the statement allows instead of denying', { Effect: 'Allow' }],
    ['the condition is on another key', { Condition: { Bool: { 'aws:ViaAWSService': 'false' } } }],
    ['the condition denies secure transport', { Condition: { Bool: { 'aws:SecureTransport': 'true' } } }],
    ['there is no condition (a plain deny-all is a different rule)', { Condition: undefined }],
    ['the principal is one account, not everyone', { Principal: { AWS: 'arn:aws:iam::111111111111:root' } }],
    ['the action is one S3 action, not all', { Action: 's3:GetObject' }],
    ['the deny covers the objects but not the bucket', { Resource: [`${bucketArn}/*`] }],
  ])('reports the bucket when %s', (_why, change) => {
    const findings = bucketTlsOnly.check(tf(bucket, bucketPolicy({ ...TLS_DENY, ...change })));
    expect(findings).toEqual([
      { rule: 'bucket-tls-only', address: 'aws_s3_bucket.lake', message: expect.stringContaining('TLS') },
    ]);
  });

  it('reports the bucket when the compliant policy is attached to another bucket', () => {
    const other = { aws_s3_bucket: { other: { bucket: 'x' } } };
    const findings = bucketTlsOnly.check(
      tf(bucket, other, bucketPolicy(TLS_DENY, ref('aws_s3_bucket', 'other', 'id'))),
    );
    expect(findings.map((f) => f.address).sort()).toEqual(['aws_s3_bucket.lake', 'aws_s3_bucket.other']);
  });
});

describe('noWildcardIam', () => {
  const allow = {
    Sid: 'Read',
    Effect: 'Allow',
    Action: ['s3:GetObject'],
    Resource: [`${bucketArn}/raw/*`],
  };
  const role = (statement: object): Resources => ({
    aws_iam_role_policy: { fn: { role: ref('aws_iam_role', 'fn', 'id'), policy: doc(statement) } },
  });
  const messages = (statement: object) => noWildcardIam.check(tf(role(statement))).map((f) => f.message);

  it('passes a statement that names its actions and resources', () => {
    expect(messages(allow)).toEqual([]);
  });

  it.each([
    ['a service wildcard action', { Action: ['s3:GetObject', 's3:*'] }, 'allows wildcard action(s) s3:*'],
    ['the "*" action', { Action: '*' }, 'allows wildcard action(s) *'],
    ['NotAction', { Action: undefined, NotAction: ['iam:*'] }, 'uses NotAction (allows everything else)'],
    ['Resource "*"', { Resource: '*' }, 'allows Resource "*"'],
    [
      'NotResource',
      { Resource: undefined, NotResource: [bucketArn] },
      'uses NotResource (allows every other resource)',
    ],
    ['Principal "*"', { Principal: '*' }, 'allows Principal "*"'],
    ['Principal {"AWS": ["*"]}', { Principal: { AWS: ['*'] } }, 'allows Principal "*"'],
  ])('reports %s in an Allow statement, naming the statement', (_what, change, message) => {
    expect(messages({ ...allow, ...change })).toEqual([`policy: statement "Read" ${message}`]);
  });

  it('allows any breadth in a Deny statement', () => {
    expect(messages({ Effect: 'Deny', Action: '*', NotResource: [bucketArn], Principal: '*' })).toEqual([]);
  });

  it('checks trust policies and topic policies, not only role policies', () => {
    const trust = { aws_iam_role: { fn: { assume_role_policy: doc({ ...allow, Principal: '*' }) } } };
    const topic = { aws_sns_topic: { t: { policy: doc({ ...allow, Resource: '*' }) } } };
    expect(noWildcardIam.check(tf(trust, topic)).map((f) => f.address)).toEqual([
      'aws_iam_role.fn',
      'aws_sns_topic.t',
    ]);
  });
});

describe('logRetention', () => {
  const fn = { aws_lambda_function: { a: { function_name: 'fdl-a' } } };
  const group = (retention: unknown): Resources => ({
    aws_cloudwatch_log_group: { a_logs: { name: '/aws/lambda/fdl-a', retention_in_days: retention } },
  });

  it.each([[0], [-1], ['14'], [undefined]])('reports a log group whose retention_in_days is %j', (days) => {
    expect(logRetention.check(tf(fn, group(days)))).toEqual([
      expect.objectContaining({ address: 'aws_cloudwatch_log_group.a_logs' }),
    ]);
  });

  it('passes a retention of 1 day', () => {
    expect(logRetention.check(tf(fn, group(1)))).toEqual([]);
  });

  it('accepts a function whose logging_config names a managed group, by name or by reference', () => {
    const byName = {
      aws_lambda_function: { a: { function_name: 'fdl-a', logging_config: { log_group: '/custom/a' } } },
    };
    const byRef = {
      aws_lambda_function: {
        a: {
          function_name: 'fdl-a',
          logging_config: { log_group: ref('aws_cloudwatch_log_group', 'c', 'name') },
        },
      },
    };
    const custom = { aws_cloudwatch_log_group: { c: { name: '/custom/a', retention_in_days: 7 } } };
    expect(logRetention.check(tf(byName, custom))).toEqual([]);
    expect(logRetention.check(tf(byRef, custom))).toEqual([]);
    expect(
      logRetention.check(
        tf(
          { aws_lambda_function: { a: { function_name: 'fdl-a', logging_config: { log_group: '/other' } } } },
          custom,
        ),
      ),
    ).toEqual([expect.objectContaining({ address: 'aws_lambda_function.a' })]);
  });
});
