import { IamRolePolicy } from '@cdktf/provider-aws/lib/iam-role-policy';
import { TerraformStack, Testing } from 'cdktf';
import { afterAll, describe, expect, it } from 'vitest';
import { bucketEncryption } from '../../stacks/policy/bucket-encryption';
import { bucketPublicAccessBlock } from '../../stacks/policy/bucket-public-access-block';
import { bucketTlsOnly } from '../../stacks/policy/bucket-tls-only';
import { exempt, exemptionReason, MIN_REASON_LENGTH } from '../../stacks/policy/exemption';
import { formatFindings } from '../../stacks/policy/index';
import { lambdaOwnRole } from '../../stacks/policy/lambda-own-role';
import { logRetention } from '../../stacks/policy/log-retention';
import { noWildcardIam } from '../../stacks/policy/no-wildcard-iam';
import { oneNotificationPerBucket } from '../../stacks/policy/one-notification-per-bucket';
import { referencedName, type TerraformJson } from '../../stacks/policy/types';
import { removeOutdirs, tempOutdir } from './support';

afterAll(removeOutdirs);

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

describe('bucketTlsOnly statement search', () => {
  it('passes when the TLS deny is the second statement of the policy', () => {
    const other = {
      Sid: 'ReadOnly',
      Effect: 'Allow',
      Principal: { AWS: 'arn:aws:iam::1:root' },
      Action: 's3:GetObject',
      Resource: bucketArn,
    };
    const policy = {
      aws_s3_bucket_policy: {
        p: { bucket: ref('aws_s3_bucket', 'lake', 'id'), policy: doc(other, TLS_DENY) },
      },
    };
    expect(bucketTlsOnly.check(tf(bucket, policy))).toEqual([]);
  });

  it('reports the bucket, without throwing, when the condition has no Bool block', () => {
    const findings = bucketTlsOnly.check(
      tf(bucket, bucketPolicy({ ...TLS_DENY, Condition: { StringEquals: { 'aws:SourceVpce': 'vpce-1' } } })),
    );
    expect(findings.map((f) => f.address)).toEqual(['aws_s3_bucket.lake']);
  });

  it('says what the bucket policy lacks', () => {
    expect(bucketTlsOnly.check(tf(bucket))[0]!.message).toBe(
      'has no bucket policy denying non-TLS requests (aws:SecureTransport = false) on bucket and objects',
    );
  });
});

describe('bucketEncryption', () => {
  const sse = (bucketName: string, rules: object[]): Resources => ({
    aws_s3_bucket_server_side_encryption_configuration: {
      [`${bucketName}_sse`]: { bucket: ref('aws_s3_bucket', bucketName, 'id'), rule: rules },
    },
  });
  const aes = { apply_server_side_encryption_by_default: { sse_algorithm: 'AES256' } };

  it('passes when one of the rules sets a default algorithm', () => {
    expect(bucketEncryption.check(tf(bucket, sse('lake', [{ bucket_key_enabled: true }, aes])))).toEqual([]);
  });

  it.each([
    ['the configuration belongs to another bucket', sse('other', [aes])],
    ['no rule sets a default algorithm', sse('lake', [{ bucket_key_enabled: true }])],
    ['the default block has no algorithm', sse('lake', [{ apply_server_side_encryption_by_default: {} }])],
  ])('reports the bucket when %s', (_why, config) => {
    expect(bucketEncryption.check(tf(bucket, config))).toEqual([
      {
        rule: 'bucket-encryption',
        address: 'aws_s3_bucket.lake',
        message: 'has no server-side encryption configuration with a default sse_algorithm',
      },
    ]);
  });
});

describe('bucketPublicAccessBlock message', () => {
  it('names the four flags that must be true', () => {
    expect(bucketPublicAccessBlock.check(tf(bucket))[0]!.message).toBe(
      'has no public access block with block_public_acls, block_public_policy, ignore_public_acls, restrict_public_buckets all true',
    );
  });
});

describe('lambdaOwnRole messages', () => {
  const fn = (name: string, role: string) => ({
    [name]: { function_name: name, role: role.startsWith('arn:') ? role : ref('aws_iam_role', role, 'arn') },
  });
  it('names the shared role and the other functions, never the function itself', () => {
    const findings = lambdaOwnRole.check(
      tf({ aws_lambda_function: { ...fn('a', 'shared'), ...fn('b', 'shared'), ...fn('c', 'shared') } }),
    );
    expect(findings).toEqual([
      {
        rule: 'lambda-own-role',
        address: 'aws_lambda_function.a',
        message: 'shares role aws_iam_role.shared with aws_lambda_function.b, aws_lambda_function.c',
      },
      {
        rule: 'lambda-own-role',
        address: 'aws_lambda_function.b',
        message: 'shares role aws_iam_role.shared with aws_lambda_function.a, aws_lambda_function.c',
      },
      {
        rule: 'lambda-own-role',
        address: 'aws_lambda_function.c',
        message: 'shares role aws_iam_role.shared with aws_lambda_function.a, aws_lambda_function.b',
      },
    ]);
  });
  it('says the role is not managed here when it is an ARN', () => {
    expect(lambdaOwnRole.check(tf({ aws_lambda_function: fn('a', 'arn:aws:iam::1:role/Admin') }))).toEqual([
      {
        rule: 'lambda-own-role',
        address: 'aws_lambda_function.a',
        message: 'role is not an aws_iam_role of this stack',
      },
    ]);
  });
});

describe('oneNotificationPerBucket', () => {
  it('groups notifications by bucket name when they name the bucket literally, and says how many', () => {
    const n = (name: string, b: string) => ({ [name]: { bucket: b, topic: [] } });
    const findings = oneNotificationPerBucket.check(
      tf({
        aws_s3_bucket_notification: { ...n('a', 'my-bucket'), ...n('b', 'my-bucket'), ...n('c', 'other') },
      }),
    );
    expect(findings.map((f) => f.message)).toEqual([
      'bucket my-bucket has 2 notification resources (aws_s3_bucket_notification.a, aws_s3_bucket_notification.b): merge them into one',
      'bucket my-bucket has 2 notification resources (aws_s3_bucket_notification.a, aws_s3_bucket_notification.b): merge them into one',
    ]);
  });
});

describe('logRetention messages', () => {
  it('says the logs are kept forever, and which log group the function expected', () => {
    const findings = logRetention.check(
      tf(
        { aws_lambda_function: { a: { function_name: 'fdl-a' } } },
        { aws_cloudwatch_log_group: { g: { name: '/aws/lambda/other' } } },
      ),
    );
    expect(findings.map((f) => f.message)).toEqual([
      'has no retention_in_days (logs kept forever)',
      'writes to a log group this stack does not manage (expected /aws/lambda/fdl-a)',
    ]);
  });
});

describe('formatFindings', () => {
  it('prints one indented line per finding with rule, address and message', () => {
    expect(
      formatFindings([
        { rule: 'r1', address: 'a.b', message: 'm1' },
        { rule: 'r2', address: 'c.d', message: 'm2' },
      ]),
    ).toBe('  [r1] a.b: m1\n  [r2] c.d: m2');
  });
});

describe('referencedName', () => {
  it('reads the resource name of a reference of the given type only', () => {
    expect(referencedName(ref('aws_s3_bucket', 'lake', 'id'), 'aws_s3_bucket')).toBe('lake');
    expect(referencedName(ref('aws_s3_bucket', 'lake', 'id'), 'aws_iam_role')).toBeUndefined();
    expect(referencedName('lake', 'aws_s3_bucket')).toBeUndefined();
    expect(referencedName(42, 'aws_s3_bucket')).toBeUndefined();
    expect(referencedName({ ref: 'x' }, 'aws_s3_bucket')).toBeUndefined();
  });
});

describe('exemptionReason', () => {
  const body = (reason: unknown) => ({ '//': { policy_exemptions: { 'no-wildcard-iam': reason } } });
  it(`accepts a reason of exactly ${MIN_REASON_LENGTH} characters and refuses a shorter or blank-padded one`, () => {
    const exact = 'x'.repeat(MIN_REASON_LENGTH);
    expect(exemptionReason(body(exact), 'no-wildcard-iam')).toBe(exact);
    expect(exemptionReason(body('x'.repeat(MIN_REASON_LENGTH - 1)), 'no-wildcard-iam')).toBeUndefined();
    expect(
      exemptionReason(body(`  ${'x'.repeat(MIN_REASON_LENGTH - 1)}  `), 'no-wildcard-iam'),
    ).toBeUndefined();
    expect(exemptionReason(body(42), 'no-wildcard-iam')).toBeUndefined();
  });
  it('gives undefined for another rule, and for a body without exemptions', () => {
    expect(exemptionReason(body('x'.repeat(40)), 'bucket-tls-only')).toBeUndefined();
    expect(exemptionReason({}, 'no-wildcard-iam')).toBeUndefined();
    expect(exemptionReason({ '//': {} }, 'no-wildcard-iam')).toBeUndefined();
  });
});

describe('exempt', () => {
  const resource = () => {
    const stack = new TerraformStack(Testing.app({ outdir: tempOutdir() }), 'stack');
    const policy = new IamRolePolicy(stack, 'p', {
      role: 'r',
      policy: doc({ Effect: 'Allow', Action: 's3:GetObject', Resource: '*' }),
    });
    return { stack, policy };
  };
  it('stores the trimmed reason, and accepts exactly the minimum length after trimming', () => {
    const { stack, policy } = resource();
    const reason = 'y'.repeat(MIN_REASON_LENGTH);
    exempt(policy, 'no-wildcard-iam', `  ${reason}  `);
    const json = JSON.parse(JSON.stringify(stack.toTerraform())) as TerraformJson;
    expect(exemptionReason(json.resource!.aws_iam_role_policy!.p!, 'no-wildcard-iam')).toBe(reason);
  });
  it('refuses a reason one character short once trimmed', () => {
    const { policy } = resource();
    expect(() => exempt(policy, 'no-wildcard-iam', `   ${'y'.repeat(MIN_REASON_LENGTH - 1)}   `)).toThrow(
      /needs a written reason \(at least 20 characters\)/,
    );
  });
});

describe('noWildcardIam document forms', () => {
  const role = (policy: unknown): Resources => ({
    aws_iam_role_policy: { fn: { role: ref('aws_iam_role', 'fn', 'id'), policy } },
  });
  it('reads a single Statement object, and names a statement without Sid as "a statement"', () => {
    const single = JSON.stringify({ Statement: { Effect: 'Allow', Action: 's3:*', Resource: bucketArn } });
    expect(noWildcardIam.check(tf(role(single))).map((f) => f.message)).toEqual([
      'policy: a statement allows wildcard action(s) s3:*',
    ]);
  });
  it('reports a policy that is not a string, and passes a document with no Statement', () => {
    expect(noWildcardIam.check(tf(role({ Statement: [] }))).map((f) => f.message)).toEqual([
      'policy: policy is not a string',
    ]);
    expect(noWildcardIam.check(tf(role(JSON.stringify({ Version: '2012-10-17' }))))).toEqual([]);
  });
  it('passes an Allow statement without Principal (identity policies have none)', () => {
    expect(
      noWildcardIam.check(tf(role(doc({ Effect: 'Allow', Action: 's3:GetObject', Resource: bucketArn })))),
    ).toEqual([]);
  });
});
