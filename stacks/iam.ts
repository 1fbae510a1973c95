/**
 * IAM policy documents as plain typed objects, rendered with JSON.stringify. CDKTF resolves the tokens
 * embedded in the strings (ARNs of other resources) into Terraform references, and the synthesized policy
 * stays literal JSON: the policy-as-code rules in stacks/policy/ can parse and check every statement.
 */

import { IamRole, type IamRoleConfig } from '@cdktf/provider-aws/lib/iam-role';
import type { Construct } from 'constructs';
import type { EnvConfig } from '../envs/types';
import { Naming } from './naming';

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

/** The env fields the boundary ARN is derived from. */
export type BoundaryEnv = ConstructorParameters<typeof Naming>[0] & Pick<EnvConfig, 'account'>;

/**
 * ARN of the env's permissions boundary (`arn:aws:iam::<account>:policy/Fdl<Env>PermissionsBoundary`).
 * Derived from the naming helper, never referenced across stacks: the bootstrap stack creates the policy
 * under this name and every other stack only needs the string.
 */
export function permissionsBoundaryArn(env: BoundaryEnv): string {
  return `arn:aws:iam::${env.account}:policy/${new Naming(env).permissionsBoundary()}`;
}

/** Construct-context key holding the boundary ARN of the stack's env (set by usePermissionsBoundary). */
export const PERMISSIONS_BOUNDARY_CONTEXT = 'fdl:permissionsBoundaryArn';

/**
 * Declare the env's permissions boundary for every role created under `stack`. Call it first thing in a
 * stack's constructor (construct context cannot be set once the stack has children). Constructs then
 * create roles with `boundedRole` and never need the env or the ARN passed down.
 */
export function usePermissionsBoundary(stack: Construct, env: BoundaryEnv): void {
  stack.node.setContext(PERMISSIONS_BOUNDARY_CONTEXT, permissionsBoundaryArn(env));
}

/**
 * The one way roles are created: an IamRole carrying the permissions boundary declared for its stack.
 * The deploy role may only create or change roles that carry it (bootstrap-stack.ts), and the policy rule
 * `role-permissions-boundary` fails the synth-time checks for a role without it. Throws when no enclosing
 * stack called usePermissionsBoundary, so a forgotten boundary fails synth, not the first deploy.
 */
export function boundedRole(
  scope: Construct,
  id: string,
  config: Omit<IamRoleConfig, 'permissionsBoundary'>,
): IamRole {
  const boundary: unknown = scope.node.tryGetContext(PERMISSIONS_BOUNDARY_CONTEXT);
  if (typeof boundary !== 'string' || boundary === '')
    throw new Error(
      `${scope.node.path}/${id}: no permissions boundary in scope; call usePermissionsBoundary(stack, env) first in the stack's constructor`,
    );
  return new IamRole(scope, id, { ...config, permissionsBoundary: boundary });
}

/**
 * What Step Functions needs to deliver a state machine's logs to CloudWatch Logs. None of these actions
 * supports resource-level permissions (Resource must be "*"). One list for the state machine roles and the
 * permissions boundary that caps them.
 */
export const LOG_DELIVERY_ACTIONS = [
  'logs:CreateLogDelivery',
  'logs:GetLogDelivery',
  'logs:UpdateLogDelivery',
  'logs:DeleteLogDelivery',
  'logs:ListLogDeliveries',
  'logs:PutResourcePolicy',
  'logs:DescribeResourcePolicies',
  'logs:DescribeLogGroups',
] as const;
