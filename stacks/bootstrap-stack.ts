/**
 * `fdl-<env>-bootstrap`: what GitHub Actions needs before it can deploy the env — the GitHub OIDC
 * identity provider, the env's deploy role (`Fdl<Env>GithubDeploy`), its read-only plan role and the env's
 * permissions boundary (`Fdl<Env>PermissionsBoundary`).
 *
 * Least privilege for CI (docs/security.md): the deploy role may create or change a role only when the
 * role carries the boundary (condition `iam:PermissionsBoundary`), may never remove a boundary, change the
 * boundary policy, or touch itself or the plan role, and cannot read secret values. So a compromised
 * workflow cannot mint an admin role: any role it makes is capped by the boundary, which grants no IAM.
 *
 * Chicken and egg: the deploy role is what CI uses to run `cdktf deploy`, so CI cannot create it. An admin
 * deploys this stack once per env with local credentials (docs/runbook.md, "First deploy of an env"); its
 * state lives in the env's state bucket under `<env>/fdl-<env>-bootstrap.tfstate`, a key the deploy role
 * itself may read but never write (so CI cannot widen its own permissions).
 *
 * One OIDC provider exists per AWS account and URL: dev and prod live in different accounts here. If two
 * envs ever share an account, deploy the provider from one env's bootstrap and import it in the other.
 */

import { IamOpenidConnectProvider } from '@cdktf/provider-aws/lib/iam-openid-connect-provider';
import { IamPolicy } from '@cdktf/provider-aws/lib/iam-policy';
import { IamRole } from '@cdktf/provider-aws/lib/iam-role';
import { IamRolePolicy } from '@cdktf/provider-aws/lib/iam-role-policy';
import { AwsProvider } from '@cdktf/provider-aws/lib/provider';
import { TerraformOutput } from 'cdktf';
import type { Construct } from 'constructs';
import type { EnvConfig } from '../envs/types';
import { configureBackend, stateKey } from './backend';
import { FdlStack } from './fdl-stack';
import { LOG_DELIVERY_ACTIONS, type PolicyStatement, permissionsBoundaryArn, policyDocument } from './iam';
import { Naming, pascal } from './naming';
import { exempt } from './policy/exemption';

/** GitHub's OIDC issuer host; `sub` and `aud` claims are namespaced by it in IAM conditions. */
export const GITHUB_OIDC_HOST = 'token.actions.githubusercontent.com';
/** The audience configure-aws-credentials requests. */
export const GITHUB_OIDC_AUDIENCE = 'sts.amazonaws.com';

/** The only `sub` claim the env's deploy role accepts: jobs of this repository running in the env's GitHub environment. */
export function githubSubject(env: Pick<EnvConfig, 'github'>): string {
  return `repo:${env.github.repository}:environment:${env.github.environment}`;
}

/**
 * The `sub` claim of pull-request jobs of this repository: the only caller the read-only plan role trusts
 * (`cdktf diff` in ci.yml). Fork PRs never get an OIDC token, so this means same-repository branches.
 */
export function githubPullRequestSubject(env: Pick<EnvConfig, 'github'>): string {
  return `repo:${env.github.repository}:pull_request`;
}

/** State key of the bootstrap stack: `<env>/fdl-<env>-bootstrap.tfstate` (the admin's; CI may not write it). */
export function bootstrapStateKey(env: EnvConfig): string {
  return stateKey(env, new Naming(env).stack('bootstrap'));
}

/** ARN of the env's deploy role `Fdl<Env>GithubDeploy` (a string: the policies below name it before it exists). */
export function deployRoleArn(env: EnvConfig): string {
  return `arn:aws:iam::${env.account}:role/${new Naming(env).iam('GithubDeploy')}`;
}

/** ARN of the env's read-only plan role `Fdl<Env>GithubPlan`. */
export function planRoleArn(env: EnvConfig): string {
  return `arn:aws:iam::${env.account}:role/${new Naming(env).iam('GithubPlan')}`;
}

/** Trust policy for GitHub's OIDC provider: exactly one `sub` and the STS audience. */
function trustPolicy(providerArn: string, subject: string): string {
  return policyDocument([
    {
      Effect: 'Allow',
      Principal: { Federated: providerArn },
      Action: 'sts:AssumeRoleWithWebIdentity',
      Condition: {
        // StringEquals (not StringLike): exactly this subject, no wildcard.
        StringEquals: {
          [`${GITHUB_OIDC_HOST}:aud`]: GITHUB_OIDC_AUDIENCE,
          [`${GITHUB_OIDC_HOST}:sub`]: subject,
        },
      },
    },
  ]);
}

/** The role policies' statements always name their Sid and resources. */
type Statement = PolicyStatement & Required<Pick<PolicyStatement, 'Sid' | 'Resource'>>;

/**
 * The deploy role's permissions: create/update/delete the env's resources, scoped by their name prefixes
 * (`fdl-<env>-*`, `Fdl<Env>*`, the lake bucket, the state key prefix). Exported for the tests.
 */
export function deployPolicyStatements(env: EnvConfig): Statement[] {
  const naming = new Naming(env);
  const { region, account } = env;
  const kebabPrefix = naming.resource('x').slice(0, -1); // `fdl-dev-`
  const iamPrefix = `Fdl${pascal(env.name)}`; // `FdlDev`
  const lake = naming.lakeBucket();
  const at = (service: string, resource: string) => `arn:aws:${service}:${region}:${account}:${resource}`;
  const envRoles = `arn:aws:iam::${account}:role/${iamPrefix}*`;
  const boundary = permissionsBoundaryArn(env);

  return [
    {
      // Terraform state of the env's stacks (S3-native locking writes and deletes `<key>.tflock`).
      Sid: 'StateReadWrite',
      Effect: 'Allow',
      Action: ['s3:GetObject', 's3:PutObject', 's3:DeleteObject'],
      Resource: `arn:aws:s3:::${env.state.bucket}/${env.name}/*`,
    },
    {
      Sid: 'StateList',
      Effect: 'Allow',
      Action: 's3:ListBucket',
      Resource: `arn:aws:s3:::${env.state.bucket}`,
      Condition: { StringLike: { 's3:prefix': [`${env.name}/*`] } },
    },
    {
      // The bootstrap state is the admin's: CI may read its outputs but must not rewrite its own role.
      Sid: 'BootstrapStateIsAdminOnly',
      Effect: 'Deny',
      Action: ['s3:PutObject', 's3:DeleteObject'],
      Resource: `arn:aws:s3:::${env.state.bucket}/${bootstrapStateKey(env)}*`,
    },
    {
      // The deploy role owns the whole lifecycle of the lake bucket (config, policy, notification,
      // lifecycle, versioning); `s3:*` is bounded by the bucket ARN. Objects: not needed to deploy.
      Sid: 'LakeBucket',
      Effect: 'Allow',
      Action: 's3:*',
      Resource: `arn:aws:s3:::${lake}`,
    },
    {
      // Service-wide actions are bounded by the env's name prefix: the role owns these resources' whole
      // lifecycle, and listing every Get/List/Tag call the Terraform provider makes per resource is brittle.
      // Functions it deploys run under roles capped by the permissions boundary (below).
      Sid: 'EnvResources',
      Effect: 'Allow',
      Action: ['lambda:*', 'sns:*', 'states:*', 'ecr:*', 'cloudwatch:*', 'logs:*'],
      Resource: [
        at('lambda', `function:${kebabPrefix}*`),
        at('sns', `${kebabPrefix}*`),
        at('states', `stateMachine:${kebabPrefix}*`),
        at('states', `execution:${kebabPrefix}*`),
        at('ecr', `repository/${kebabPrefix}*`),
        at('cloudwatch', `alarm:${kebabPrefix}*`),
        at('logs', `log-group:*${kebabPrefix}*`),
      ],
    },
    {
      // The secret's container and writing its value (deploy.yml sets the Reddit credentials from the
      // GitHub environment), never reading it: Terraform manages no secret version.
      Sid: 'SecretsWriteNotRead',
      Effect: 'Allow',
      Action: [
        'secretsmanager:CreateSecret',
        'secretsmanager:PutSecretValue',
        'secretsmanager:DeleteSecret',
        'secretsmanager:RestoreSecret',
        'secretsmanager:DescribeSecret',
        'secretsmanager:UpdateSecret',
        'secretsmanager:TagResource',
        'secretsmanager:UntagResource',
        'secretsmanager:GetResourcePolicy',
        'secretsmanager:PutResourcePolicy',
        'secretsmanager:DeleteResourcePolicy',
        'secretsmanager:ListSecretVersionIds',
      ],
      Resource: at('secretsmanager', `secret:${kebabPrefix}*`),
    },
    {
      // Explicit, so that no later Allow (a wildcard added by mistake) can grant it.
      Sid: 'NoSecretValues',
      Effect: 'Deny',
      Action: 'secretsmanager:GetSecretValue',
      Resource: '*',
    },
    {
      // Kept after the move to EventBridge Scheduler so an upgrade can delete the old 10-minute rule.
      Sid: 'EventRules',
      Effect: 'Allow',
      Action: 'events:*',
      Resource: at('events', `rule/${iamPrefix}*`),
    },
    {
      // The pipeline's and the pipe health check's schedules (EventBridge Scheduler, default group).
      Sid: 'Schedules',
      Effect: 'Allow',
      Action: 'scheduler:*',
      Resource: at('scheduler', `schedule/default/${iamPrefix}*`),
    },
    {
      // The schedule's dead-letter queue.
      Sid: 'Queues',
      Effect: 'Allow',
      Action: 'sqs:*',
      Resource: at('sqs', `${kebabPrefix}*`),
    },
    {
      // Creating a role or changing its permissions is allowed only when the role carries the env's
      // boundary: whatever policy the role gets, its effective permissions stay within the boundary.
      Sid: 'ChangeRolesOnlyWithBoundary',
      Effect: 'Allow',
      Action: [
        'iam:CreateRole',
        'iam:PutRolePolicy',
        'iam:DeleteRolePolicy',
        'iam:AttachRolePolicy',
        'iam:DetachRolePolicy',
        'iam:PutRolePermissionsBoundary',
      ],
      Resource: envRoles,
      Condition: { StringEquals: { 'iam:PermissionsBoundary': boundary } },
    },
    {
      // The rest of a role's lifecycle; none of these changes what the role may do. The list is explicit
      // (no iam:*) so the role cannot touch users, managed policies, identity providers or account settings.
      Sid: 'EnvRoles',
      Effect: 'Allow',
      Action: [
        'iam:DeleteRole',
        'iam:GetRole',
        'iam:UpdateRole',
        'iam:UpdateRoleDescription',
        'iam:UpdateAssumeRolePolicy',
        'iam:TagRole',
        'iam:UntagRole',
        'iam:ListRoleTags',
        'iam:GetRolePolicy',
        'iam:ListRolePolicies',
        'iam:ListAttachedRolePolicies',
        'iam:ListInstanceProfilesForRole',
      ],
      Resource: envRoles,
    },
    {
      // A role without its boundary would be uncapped.
      Sid: 'KeepBoundaries',
      Effect: 'Deny',
      Action: 'iam:DeleteRolePermissionsBoundary',
      Resource: '*',
    },
    {
      // The boundary policy is the admin's (bootstrap state): no new version, no new default, no delete.
      Sid: 'BoundaryIsAdminOnly',
      Effect: 'Deny',
      Action: [
        'iam:CreatePolicyVersion',
        'iam:DeletePolicyVersion',
        'iam:SetDefaultPolicyVersion',
        'iam:DeletePolicy',
        'iam:TagPolicy',
        'iam:UntagPolicy',
      ],
      Resource: boundary,
    },
    {
      // The deploy and plan roles match the Fdl<Env>* prefix the deploy role manages; they are the
      // admin's: no policy, trust, boundary or deletion change by CI, and no PassRole of them either.
      Sid: 'NotItselfNorThePlanRole',
      Effect: 'Deny',
      Action: 'iam:*',
      Resource: [deployRoleArn(env), planRoleArn(env)],
    },
    {
      // Guard against escalation through the roles it creates: never attach broad AWS-managed policies
      // (the boundary caps them anyway; this keeps the intent readable in the policy).
      Sid: 'NoBroadManagedPolicies',
      Effect: 'Deny',
      Action: 'iam:AttachRolePolicy',
      Resource: '*',
      Condition: {
        ArnLike: {
          'iam:PolicyARN': [
            'arn:aws:iam::aws:policy/AdministratorAccess',
            'arn:aws:iam::aws:policy/PowerUserAccess',
            'arn:aws:iam::aws:policy/IAMFullAccess',
          ],
        },
      },
    },
    {
      Sid: 'PassEnvRolesToTheirServices',
      Effect: 'Allow',
      Action: 'iam:PassRole',
      Resource: `arn:aws:iam::${account}:role/${iamPrefix}*`,
      Condition: {
        StringEquals: {
          'iam:PassedToService': [
            'lambda.amazonaws.com',
            'states.amazonaws.com',
            'events.amazonaws.com',
            'scheduler.amazonaws.com',
          ],
        },
      },
    },
    {
      // "*" because these actions have no resource-level permissions in IAM: the caller identity data
      // source (sts), the ECR registry login token, and log-delivery/describe calls the Step Functions
      // logging configuration and log-group reads make (logs:DescribeLogGroups lists across the account).
      Sid: 'NoResourceLevelPermissions',
      Effect: 'Allow',
      Action: [
        'sts:GetCallerIdentity',
        'ecr:GetAuthorizationToken',
        'logs:DescribeLogGroups',
        'logs:CreateLogDelivery',
        'logs:GetLogDelivery',
        'logs:UpdateLogDelivery',
        'logs:DeleteLogDelivery',
        'logs:ListLogDeliveries',
        'logs:DescribeResourcePolicies',
        'logs:PutResourcePolicy',
      ],
      Resource: '*',
    },
  ];
}

/**
 * The env's permissions boundary: the most any role of the env may ever do, whatever its own policy says
 * (effective permissions are the intersection). It covers what the pipeline's roles need — data in the
 * lake, invoking the env's functions, publishing to its topics, running its state machines, its queues,
 * reading its secrets, writing its logs — on env-prefixed resources only, and nothing of IAM, so a role
 * the deploy role creates can never grant, assume or widen anything. Exported for the tests, which also
 * check that every role policy of every stack stays inside it.
 */
export function boundaryPolicyStatements(env: EnvConfig): Statement[] {
  const naming = new Naming(env);
  const { region, account } = env;
  const kebabPrefix = naming.resource('x').slice(0, -1);
  const lake = `arn:aws:s3:::${naming.lakeBucket()}`;
  const at = (service: string, resource: string) => `arn:aws:${service}:${region}:${account}:${resource}`;
  return [
    {
      Sid: 'LakeObjects',
      Effect: 'Allow',
      Action: [
        's3:GetObject',
        's3:GetObjectVersion',
        's3:PutObject',
        's3:DeleteObject',
        's3:AbortMultipartUpload',
        's3:ListMultipartUploadParts',
      ],
      Resource: `${lake}/*`,
    },
    {
      Sid: 'LakeBucket',
      Effect: 'Allow',
      Action: ['s3:ListBucket', 's3:GetBucketLocation'],
      Resource: lake,
    },
    {
      Sid: 'EnvRuntime',
      Effect: 'Allow',
      Action: [
        'lambda:InvokeFunction',
        'sns:Publish',
        'states:StartExecution',
        'states:DescribeExecution',
        'states:StopExecution',
        'sqs:SendMessage',
        'sqs:ReceiveMessage',
        'sqs:DeleteMessage',
        'sqs:GetQueueAttributes',
        'secretsmanager:GetSecretValue',
        'secretsmanager:DescribeSecret',
        'logs:CreateLogStream',
        'logs:PutLogEvents',
      ],
      Resource: [
        at('lambda', `function:${kebabPrefix}*`),
        at('sns', `${kebabPrefix}*`),
        at('states', `stateMachine:${kebabPrefix}*`),
        at('states', `execution:${kebabPrefix}*`),
        at('sqs', `${kebabPrefix}*`),
        at('secretsmanager', `secret:${kebabPrefix}*`),
        at('logs', `log-group:*${kebabPrefix}*`),
      ],
    },
    {
      // "*": Step Functions log delivery and metric/trace writes have no resource-level permissions.
      Sid: 'NoResourceLevelPermissions',
      Effect: 'Allow',
      Action: [
        ...LOG_DELIVERY_ACTIONS,
        'cloudwatch:PutMetricData',
        'xray:PutTraceSegments',
        'xray:PutTelemetryRecords',
      ],
      Resource: '*',
    },
  ];
}

/**
 * The plan role's permissions (`cdktf diff` on pull requests): read the env's state and describe its
 * resources, nothing else. No secret values (`secretsmanager:GetSecretValue` is not granted), no objects
 * of the lake. ci.yml runs the plan with `-lock=false`, so no lock file is written either.
 */
export function planPolicyStatements(env: EnvConfig): Statement[] {
  const deploy = deployPolicyStatements(env);
  const resources = (sid: string) => deploy.find((s) => s.Sid === sid)!.Resource;
  return [
    {
      Sid: 'StateRead',
      Effect: 'Allow',
      Action: 's3:GetObject',
      Resource: `arn:aws:s3:::${env.state.bucket}/${env.name}/*`,
    },
    { ...deploy.find((s) => s.Sid === 'StateList')! },
    {
      // Bucket-level reads only: the resource is the bucket ARN, so object reads are not covered.
      Sid: 'LakeBucketRead',
      Effect: 'Allow',
      Action: [
        's3:GetBucket*',
        's3:GetLifecycleConfiguration',
        's3:GetEncryptionConfiguration',
        's3:GetAccelerateConfiguration',
        's3:GetReplicationConfiguration',
        's3:ListBucket',
      ],
      Resource: resources('LakeBucket'),
    },
    {
      Sid: 'EnvResourcesRead',
      Effect: 'Allow',
      Action: [
        'lambda:Get*',
        'lambda:List*',
        'sns:Get*',
        'sns:List*',
        'states:Describe*',
        'states:List*',
        'secretsmanager:DescribeSecret',
        'secretsmanager:GetResourcePolicy',
        'secretsmanager:ListSecretVersionIds',
        'ecr:Describe*',
        'ecr:GetLifecyclePolicy',
        'ecr:GetRepositoryPolicy',
        'ecr:ListTagsForResource',
        'cloudwatch:Describe*',
        'cloudwatch:ListTagsForResource',
        'logs:Describe*',
        'logs:ListTagsForResource',
        'logs:ListTagsLogGroup',
        'events:Describe*',
        'events:ListTagsForResource',
        'events:ListTargetsByRule',
        'scheduler:GetSchedule',
        'scheduler:ListTagsForResource',
        'sqs:GetQueueAttributes',
        'sqs:GetQueueUrl',
        'sqs:ListQueueTags',
      ],
      Resource: ['EnvResources', 'SecretsWriteNotRead', 'EventRules', 'Schedules', 'Queues'].flatMap((sid) =>
        [resources(sid)].flat(),
      ),
    },
    {
      Sid: 'EnvRolesRead',
      Effect: 'Allow',
      Action: ['iam:Get*', 'iam:List*'],
      Resource: resources('EnvRoles'),
    },
    {
      // "*": no resource-level permissions for these reads (see the deploy policy).
      Sid: 'NoResourceLevelPermissions',
      Effect: 'Allow',
      Action: ['sts:GetCallerIdentity', 'logs:DescribeLogGroups', 'logs:DescribeResourcePolicies'],
      Resource: '*',
    },
  ];
}

export interface BootstrapStackProps {
  readonly env: EnvConfig;
}

export class BootstrapStack extends FdlStack {
  /** ARN of the env's permissions boundary (the same string as permissionsBoundaryArn(env)). */
  readonly boundaryArn: string;
  /** ARN of the env's deploy role (`Fdl<Env>GithubDeploy`), assumed by deploy.yml in the env's GitHub environment. */
  readonly deployRoleArn: string;
  /** ARN of the env's read-only plan role (`Fdl<Env>GithubPlan`), assumed by ci.yml's `cdktf diff` on pull requests. */
  readonly planRoleArn: string;

  constructor(scope: Construct, id: string, props: BootstrapStackProps) {
    super(scope, id);
    const { env } = props;
    const naming = new Naming(env);

    // Same backend as every stack, but this state is written by an admin, never by CI: its key
    // (bootstrapStateKey) is the one the deploy role's policy denies writes to.
    configureBackend(this, env, naming.stack('bootstrap'));

    new AwsProvider(this, 'aws', {
      region: env.region,
      allowedAccountIds: [env.account],
      defaultTags: [{ tags: { project: 'finance-de-lab', env: env.name, stack: id } }],
    });

    const github = new IamOpenidConnectProvider(this, naming.id('github'), {
      url: `https://${GITHUB_OIDC_HOST}`,
      clientIdList: [GITHUB_OIDC_AUDIENCE],
      // No thumbprint: AWS validates GitHub's certificate against its trusted CAs (since 2023); the
      // argument is optional in provider 5.x.
    });

    // Created here, by the admin, so CI can never change it (the deploy policy denies new versions).
    const boundary = new IamPolicy(this, naming.id('permissions boundary'), {
      name: naming.permissionsBoundary(),
      description: `Caps every role of ${env.name}: the deploy role may only create roles that carry it.`,
      policy: policyDocument(boundaryPolicyStatements(env)),
    });
    exempt(
      boundary,
      'no-wildcard-iam',
      'A ceiling, not a grant: Resource "*" only for log-delivery, PutMetricData and X-Ray writes, which have ' +
        'no resource-level permissions; every other action is scoped to env-prefixed ARNs and there is no IAM.',
    );
    const adminRole =
      'Created by an admin from the bootstrap state (CI may not write it) and protected by the deploy ' +
      "policy's explicit deny; the boundary caps what the deploy identity creates, and a boundary on the " +
      'deploy role itself would have to contain IAM rights, which is what it exists to withhold.';

    const role = new IamRole(this, naming.id('github deploy'), {
      name: naming.iam('GithubDeploy'),
      description: `GitHub Actions deploys of ${env.name} from ${githubSubject(env)}`,
      maxSessionDuration: 3600,
      assumeRolePolicy: trustPolicy(github.arn, githubSubject(env)),
    });
    exempt(role, 'role-permissions-boundary', adminRole);

    const deployPolicy = new IamRolePolicy(this, naming.id('deploy'), {
      name: naming.iam('GithubDeployPolicy'),
      role: role.name,
      policy: policyDocument(deployPolicyStatements(env)),
    });
    exempt(
      deployPolicy,
      'no-wildcard-iam',
      'The deploy role runs terraform apply for the whole env: service-wide actions (lambda:*, sns:*, s3:* …) ' +
        'are bounded by the env-prefixed resource ARNs it owns; Resource "*" is only for sts:GetCallerIdentity, ' +
        'ecr:GetAuthorizationToken and log-delivery/describe actions, which have no resource-level permissions.',
    );

    const plan = new IamRole(this, naming.id('github plan'), {
      name: naming.iam('GithubPlan'),
      description: `Read-only cdktf diff of ${env.name} from ${githubPullRequestSubject(env)}`,
      maxSessionDuration: 3600,
      assumeRolePolicy: trustPolicy(github.arn, githubPullRequestSubject(env)),
    });
    exempt(plan, 'role-permissions-boundary', adminRole);
    const planPolicy = new IamRolePolicy(this, naming.id('plan'), {
      name: naming.iam('GithubPlanPolicy'),
      role: plan.name,
      policy: policyDocument(planPolicyStatements(env)),
    });
    exempt(
      planPolicy,
      'no-wildcard-iam',
      'Read-only: Resource "*" only for sts:GetCallerIdentity and logs:DescribeLogGroups/DescribeResourcePolicies, ' +
        'which have no resource-level permissions; every other read is scoped to the env-prefixed ARNs.',
    );

    this.boundaryArn = boundary.arn;
    this.deployRoleArn = role.arn;
    this.planRoleArn = plan.arn;
    new TerraformOutput(this, 'permissions_boundary_arn', {
      value: boundary.arn,
      description: 'Every role of the env carries it (stacks/iam.ts boundedRole)',
    });
    new TerraformOutput(this, 'deploy_role_arn', { value: role.arn, description: 'deploy.yml assumes it' });
    new TerraformOutput(this, 'plan_role_arn', {
      value: plan.arn,
      description: 'ci.yml assumes it for cdktf diff: set the GitHub variable AWS_PLAN_ROLE_ARN_<ENV>',
    });
  }
}
