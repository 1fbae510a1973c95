/**
 * IAM policy documents as plain typed objects, rendered with JSON.stringify. CDKTF resolves the tokens
 * embedded in the strings (ARNs of other resources) into Terraform references, and the synthesized policy
 * stays literal JSON: the policy-as-code rules in stacks/policy/ can parse and check every statement.
 */

type OneOrMany = string | readonly string[];

export interface PolicyStatement {
  readonly Sid?: string;
  readonly Effect: 'Allow' | 'Deny';
  readonly Principal?: '*' | Readonly<Record<string, OneOrMany>>;
  readonly Action: OneOrMany;
  /** Absent only in trust policies (the role itself is the resource). */
  readonly Resource?: OneOrMany;
  readonly Condition?: Readonly<Record<string, Readonly<Record<string, OneOrMany>>>>;
}

/** A policy document (identity, resource or trust policy) as a JSON string. */
export function policyDocument(statements: readonly PolicyStatement[]): string {
  return JSON.stringify({ Version: '2012-10-17', Statement: statements });
}

/**
 * Trust policy letting an AWS service assume a role. `sourceAccount` adds the confused-deputy guard AWS
 * recommends for services that send it (Step Functions, EventBridge).
 */
export function assumeRolePolicy(service: string, sourceAccount?: string): string {
  return policyDocument([
    {
      Effect: 'Allow',
      Principal: { Service: service },
      Action: 'sts:AssumeRole',
      ...(sourceAccount ? { Condition: { StringEquals: { 'aws:SourceAccount': sourceAccount } } } : {}),
    },
  ]);
}

/** CloudWatch Logs actions a function or service needs to write to the log group `logGroupArn` only. */
export function writeLogsStatement(logGroupArn: string): PolicyStatement {
  return {
    Sid: 'WriteOwnLogGroup',
    Effect: 'Allow',
    Action: ['logs:CreateLogStream', 'logs:PutLogEvents'],
    // The provider's log group `arn` has no `:*`; log streams live under `<arn>:log-stream:…`.
    Resource: `${logGroupArn}:*`,
  };
}

/**
 * "Only the lake bucket of this account may publish to this topic": the statement S3 event notifications
 * need. Written once because two policies carry it: the dataset topic's initial inline policy (AWS stack)
 * and the merged policy that replaces it (Snowflake stack); they must never disagree.
 */
export function lakePublishStatement(
  topicArn: string,
  bucketArn: string,
  accountId: string,
): PolicyStatement {
  return {
    Sid: 'AllowLakeBucketPublish',
    Effect: 'Allow',
    Principal: { Service: 's3.amazonaws.com' },
    Action: 'sns:Publish',
    Resource: topicArn,
    Condition: {
      ArnLike: { 'aws:SourceArn': bucketArn },
      StringEquals: { 'aws:SourceAccount': accountId },
    },
  };
}
