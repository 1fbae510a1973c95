import { IamRolePolicy } from '@cdktf/provider-aws/lib/iam-role-policy';
import { TerraformStack, Testing } from 'cdktf';
import { afterAll, describe, expect, it } from 'vitest';
import { bucketEncryption } from '../../stacks/policy/bucket-encryption';
import { bucketPublicAccessBlock } from '../../stacks/policy/bucket-public-access-block';
import { bucketTlsOnly } from '../../stacks/policy/bucket-tls-only';
import { exempt } from '../../stacks/policy/exemption';
import { checkPolicies, POLICY_RULES } from '../../stacks/policy/index';
import { lambdaOwnRole } from '../../stacks/policy/lambda-own-role';
import { logRetention } from '../../stacks/policy/log-retention';
import { noWildcardIam } from '../../stacks/policy/no-wildcard-iam';
import { oneNotificationPerBucket } from '../../stacks/policy/one-notification-per-bucket';
import { rolePermissionsBoundary } from '../../stacks/policy/role-permissions-boundary';
import type { TerraformJson } from '../../stacks/policy/types';
import { removeOutdirs, tempOutdir } from './support';

afterAll(removeOutdirs);

type Resources = Record<string, Record<string, Record<string, unknown>>>;

/** Synthesized-JSON fixture from resource maps (later maps add to earlier ones). */
const tf = (...parts: Resources[]): TerraformJson => {
  const resource: Resources = {};
  for (const part of parts)
    for (const [type, byName] of Object.entries(part)) resource[type] = { ...resource[type], ...byName };
  return { resource };
};
const ref = (type: string, name: string, attr: string) => `\${${type}.${name}.${attr}}`;
const doc = (...Statement: object[]) => JSON.stringify({ Version: '2012-10-17', Statement });

const bucket: Resources = { aws_s3_bucket: { lake: { bucket: 'finance-de-lab-test' } } };
const encryption = (algorithm = 'AES256'): Resources => ({
  aws_s3_bucket_server_side_encryption_configuration: {
    lake_sse: {
      bucket: ref('aws_s3_bucket', 'lake', 'id'),
      rule: [{ apply_server_side_encryption_by_default: { sse_algorithm: algorithm } }],
    },
  },
});
const publicAccessBlock = (restrictPublicBuckets = true): Resources => ({
  aws_s3_bucket_public_access_block: {
    lake_pab: {
      bucket: ref('aws_s3_bucket', 'lake', 'id'),
      block_public_acls: true,
      block_public_policy: true,
      ignore_public_acls: true,
      restrict_public_buckets: restrictPublicBuckets,
    },
  },
});
const tlsPolicy = (resources: string[]): Resources => ({
  aws_s3_bucket_policy: {
    lake_policy: {
      bucket: ref('aws_s3_bucket', 'lake', 'id'),
      policy: doc({
        Effect: 'Deny',
        Principal: '*',
        Action: 's3:*',
        Resource: resources,
        Condition: { Bool: { 'aws:SecureTransport': 'false' } },
      }),
    },
  },
});
const bucketArn = ref('aws_s3_bucket', 'lake', 'arn');
const rolePolicy = (statement: object): Resources => ({
  aws_iam_role_policy: { fn: { role: ref('aws_iam_role', 'fn', 'id'), policy: doc(statement) } },
});
const lambda = (name: string, role: string): Resources => ({
  aws_lambda_function: {
    [name]: { function_name: `fdl-test-${name}`, role: ref('aws_iam_role', role, 'arn') },
  },
});
const logGroup = (name: string, retention?: number): Resources => ({
  aws_cloudwatch_log_group: {
    [`${name}_logs`]: {
      name: `/aws/lambda/fdl-test-${name}`,
      ...(retention ? { retention_in_days: retention } : {}),
    },
  },
});
const notification = (name: string): Resources => ({
  aws_s3_bucket_notification: { [name]: { bucket: ref('aws_s3_bucket', 'lake', 'id'), topic: [] } },
});

describe('noWildcardIam', () => {
  it('passes when Allow statements name actions and resources, and Deny statements are broad', () => {
    const stack = tf(
      rolePolicy({ Effect: 'Allow', Action: ['s3:PutObject'], Resource: `${bucketArn}/raw/*` }),
      tlsPolicy([bucketArn, `${bucketArn}/*`]),
    );
    expect(noWildcardIam.check(stack)).toEqual([]);
  });

  it.each([
    ['a "*" action', { Effect: 'Allow', Action: '*', Resource: bucketArn }, /wildcard action\(s\) \*/],
    [
      'a service wildcard',
      { Effect: 'Allow', Action: ['s3:*'], Resource: bucketArn },
      /wildcard action\(s\) s3:\*/,
    ],
    ['Resource "*"', { Effect: 'Allow', Action: 's3:GetObject', Resource: '*' }, /Resource "\*"/],
    ['NotAction', { Effect: 'Allow', NotAction: 's3:DeleteObject', Resource: bucketArn }, /NotAction/],
    [
      'Principal "*"',
      { Effect: 'Allow', Principal: { AWS: '*' }, Action: 'sns:Publish', Resource: bucketArn },
      /Principal "\*"/,
    ],
  ])('reports %s when an Allow statement has one', (_, statement, message) => {
    const findings = noWildcardIam.check(tf(rolePolicy(statement)));
    expect(findings).toHaveLength(1);
    expect(findings[0]).toMatchObject({ rule: 'no-wildcard-iam', address: 'aws_iam_role_policy.fn' });
    expect(findings[0]!.message).toMatch(message);
  });

  it('reports a policy it cannot parse when the document is not literal JSON', () => {
    const stack = tf({
      aws_iam_role_policy: { fn: { policy: ref('data.aws_iam_policy_document', 'x', 'json') } },
    });
    expect(noWildcardIam.check(stack)[0]!.message).toMatch(/not literal JSON/);
  });
});

describe('bucketEncryption', () => {
  it('passes when the bucket has a default encryption configuration', () => {
    expect(bucketEncryption.check(tf(bucket, encryption()))).toEqual([]);
  });
  it('reports the bucket when it has no encryption configuration', () => {
    expect(bucketEncryption.check(tf(bucket))).toEqual([
      expect.objectContaining({ rule: 'bucket-encryption', address: 'aws_s3_bucket.lake' }),
    ]);
  });
});

describe('bucketPublicAccessBlock', () => {
  it('passes when all four flags are on', () => {
    expect(bucketPublicAccessBlock.check(tf(bucket, publicAccessBlock()))).toEqual([]);
  });
  it('reports the bucket when one flag is off', () => {
    expect(bucketPublicAccessBlock.check(tf(bucket, publicAccessBlock(false)))).toEqual([
      expect.objectContaining({ rule: 'bucket-public-access-block', address: 'aws_s3_bucket.lake' }),
    ]);
  });
});

describe('bucketTlsOnly', () => {
  it('passes when the bucket policy denies non-TLS requests on bucket and objects', () => {
    expect(bucketTlsOnly.check(tf(bucket, tlsPolicy([bucketArn, `${bucketArn}/*`])))).toEqual([]);
  });
  it('reports the bucket when the deny covers the bucket but not its objects', () => {
    expect(bucketTlsOnly.check(tf(bucket, tlsPolicy([bucketArn])))).toEqual([
      expect.objectContaining({ rule: 'bucket-tls-only', address: 'aws_s3_bucket.lake' }),
    ]);
  });
  it('reports the bucket when it has no bucket policy', () => {
    expect(bucketTlsOnly.check(tf(bucket))).toHaveLength(1);
  });
});

describe('logRetention', () => {
  it('passes when every log group has retention and every function has its log group', () => {
    expect(logRetention.check(tf(lambda('a', 'a'), logGroup('a', 14)))).toEqual([]);
  });
  it('reports the log group when it keeps logs forever', () => {
    expect(logRetention.check(tf(lambda('a', 'a'), logGroup('a')))).toEqual([
      expect.objectContaining({ rule: 'log-retention', address: 'aws_cloudwatch_log_group.a_logs' }),
    ]);
  });
  it('reports the function when no managed log group matches its name', () => {
    expect(logRetention.check(tf(lambda('a', 'a'), logGroup('b', 14)))).toEqual([
      expect.objectContaining({ rule: 'log-retention', address: 'aws_lambda_function.a' }),
    ]);
  });
});

describe('lambdaOwnRole', () => {
  it('passes when each function has its own role', () => {
    expect(lambdaOwnRole.check(tf(lambda('a', 'a'), lambda('b', 'b')))).toEqual([]);
  });
  it('reports both functions when they share a role', () => {
    const findings = lambdaOwnRole.check(tf(lambda('a', 'shared'), lambda('b', 'shared')));
    expect(findings.map((f) => f.address).sort()).toEqual(['aws_lambda_function.a', 'aws_lambda_function.b']);
  });
  it('reports the function when its role is not managed in the stack', () => {
    const stack = tf({ aws_lambda_function: { a: { role: 'arn:aws:iam::111111111111:role/Admin' } } });
    expect(lambdaOwnRole.check(stack)).toHaveLength(1);
  });
});

describe('oneNotificationPerBucket', () => {
  it('passes when the bucket has one notification', () => {
    expect(oneNotificationPerBucket.check(tf(bucket, notification('events')))).toEqual([]);
  });
  it('reports every notification of a bucket when it has two', () => {
    const findings = oneNotificationPerBucket.check(tf(bucket, notification('a'), notification('b')));
    expect(findings.map((f) => f.address).sort()).toEqual([
      'aws_s3_bucket_notification.a',
      'aws_s3_bucket_notification.b',
    ]);
  });
});

describe('rolePermissionsBoundary', () => {
  const role = (name: string, boundary?: unknown): Resources => ({
    aws_iam_role: {
      [name]: {
        name: `FdlTest${name}`,
        assume_role_policy: doc({ Effect: 'Allow', Action: 'sts:AssumeRole' }),
        ...(boundary === undefined ? {} : { permissions_boundary: boundary }),
      },
    },
  });
  const boundary = 'arn:aws:iam::111111111111:policy/FdlTestPermissionsBoundary';
  it('passes when every role carries an env permissions boundary', () => {
    expect(rolePermissionsBoundary.check(tf(role('a', boundary), role('b', boundary)))).toEqual([]);
  });
  it('reports the role when it has no permissions boundary', () => {
    const findings = rolePermissionsBoundary.check(tf(role('a', boundary), role('b')));
    expect(findings.map((f) => f.address)).toEqual(['aws_iam_role.b']);
    expect(findings[0]!.message).toContain('boundedRole');
  });
  it('reports the role when its boundary is some other policy', () => {
    const admin = 'arn:aws:iam::aws:policy/AdministratorAccess';
    const findings = rolePermissionsBoundary.check(tf(role('a', admin), role('b', '')));
    expect(findings.map((f) => f.address).sort()).toEqual(['aws_iam_role.a', 'aws_iam_role.b']);
  });
  it('is one of the rules checkPolicies runs by default', () => {
    expect(POLICY_RULES).toContain(rolePermissionsBoundary);
    expect(checkPolicies(tf(role('a'))).violations.map((f) => f.rule)).toContain('role-permissions-boundary');
  });
});

describe('exempt', () => {
  const exemptedStack = (reason: string) => {
    const stack = new TerraformStack(Testing.app({ outdir: tempOutdir() }), 'stack');
    const policy = new IamRolePolicy(stack, 'logs', {
      role: 'r',
      policy: doc({ Effect: 'Allow', Action: 'logs:CreateLogDelivery', Resource: '*' }),
    });
    exempt(policy, 'no-wildcard-iam', reason);
    return JSON.parse(JSON.stringify(stack.toTerraform())) as TerraformJson;
  };

  it('sets a finding aside with its reason when the resource carries a written exemption for that rule', () => {
    const reason = 'Log delivery actions support no resource-level permissions (AWS docs).';
    const report = checkPolicies(exemptedStack(reason), POLICY_RULES);
    expect(report.violations).toEqual([]);
    expect(report.exempted).toEqual([expect.objectContaining({ rule: 'no-wildcard-iam', reason })]);
  });

  it('keeps reporting other rules when the resource is exempted from one', () => {
    const stack = tf(bucket, rolePolicy({ Effect: 'Allow', Action: 's3:*', Resource: bucketArn }));
    (stack.resource!.aws_s3_bucket!.lake as Record<string, unknown>)['//'] = {
      policy_exemptions: { 'no-wildcard-iam': 'Exempting the bucket from the wildcard rule only.' },
    };
    const report = checkPolicies(stack);
    expect(report.violations.map((v) => v.rule).sort()).toEqual([
      'bucket-encryption',
      'bucket-public-access-block',
      'bucket-tls-only',
      'no-wildcard-iam',
    ]);
  });

  it('throws when the reason is missing or too short to say why', () => {
    expect(() => exemptedStack('needed')).toThrow(/needs a written reason/);
  });
});
