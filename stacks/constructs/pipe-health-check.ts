import type { IamRole } from '@cdktf/provider-aws/lib/iam-role';
import { IamRolePolicy } from '@cdktf/provider-aws/lib/iam-role-policy';
import { SchedulerSchedule } from '@cdktf/provider-aws/lib/scheduler-schedule';
import { SecretsmanagerSecret } from '@cdktf/provider-aws/lib/secretsmanager-secret';
import { Construct } from 'constructs';
import type { PipeHealthConfig } from '../../envs/types';
import { CHECK_ENV, HANDLER_ENV, PIPE_METRICS } from '../../lambdas/contracts';
import { DATASET_NAMES, type DatasetName } from '../../lambdas/core/datasets';
import { assumeRolePolicy, boundedRole, policyDocument } from '../iam';
import { Alarm } from './alarm';
import { PipelineFunction } from './pipeline-function';
import { rateExpression } from './pipeline-schedule';

/** The function's Powertools service: also the `service` dimension of every metric it emits. */
const SERVICE = 'check-ingestion';

export interface PipeHealthCheckProps {
  /** Physical names (from Naming). */
  readonly functionName: string;
  readonly functionRoleName: string;
  readonly logGroupName: string;
  readonly scheduleName: string;
  readonly scheduleRoleName: string;
  readonly secretName: string;
  /** Alarm name of a dataset's pipe. */
  readonly alarmName: (dataset: DatasetName) => string;
  readonly functionAlarmName: string;
  readonly logRetentionDays: number;
  readonly imageUri: string;
  readonly accountId: string;
  readonly lakeBucketName: string;
  readonly lakeBucketArn: string;
  readonly alertsTopicArn: string;
  /** What the function connects to (LOADER role: MONITOR on pipes, COPY_HISTORY on RAW). */
  readonly snowflake: {
    readonly account: string;
    readonly database: string;
    readonly role: string;
    readonly warehouse: string;
  };
  readonly settings: PipeHealthConfig;
  /** Metric namespace (POWERTOOLS_METRICS_NAMESPACE). */
  readonly namespace: string;
}

/**
 * The scheduled pipe health check: the check-ingestion function (the shared ingestion check, with Snowflake
 * credentials from a secret set outside Terraform), its EventBridge Scheduler schedule, and one alarm per
 * pipe on the PipeProblems metric it publishes. Missing data breaches while the schedule is enabled: a
 * check that stops reporting leaves the pipes unwatched, which is itself worth a page.
 */
export class PipeHealthCheck extends Construct {
  readonly function: PipelineFunction;
  readonly secret: SecretsmanagerSecret;
  readonly schedule: SchedulerSchedule;
  /** The role EventBridge Scheduler assumes: may only invoke this function. */
  readonly scheduleRole: IamRole;

  constructor(scope: Construct, id: string, props: PipeHealthCheckProps) {
    super(scope, id);
    const { settings } = props;
    // The value is never in Terraform (it would land in state): `aws secretsmanager put-secret-value`.
    this.secret = new SecretsmanagerSecret(this, 'credentials', {
      name: props.secretName,
      description:
        'Snowflake key-pair user for the pipe health check {"user","private_key"}; value set outside Terraform (docs/runbook.md).',
      recoveryWindowInDays: 7,
    });
    this.function = new PipelineFunction(this, 'function', {
      functionName: props.functionName,
      roleName: props.functionRoleName,
      logGroupName: props.logGroupName,
      logRetentionDays: props.logRetentionDays,
      imageUri: props.imageUri,
      handler: `${SERVICE}.handler`,
      // snowflake-sdk and the listings of a few day partitions: small and quick.
      memoryMb: 512,
      timeoutSeconds: 120,
      environment: {
        [HANDLER_ENV.lakeBucket]: props.lakeBucketName,
        POWERTOOLS_SERVICE_NAME: SERVICE,
        POWERTOOLS_LOG_LEVEL: 'INFO',
        POWERTOOLS_METRICS_NAMESPACE: props.namespace,
        [CHECK_ENV.snowflakeAccount]: props.snowflake.account,
        [CHECK_ENV.snowflakeDatabase]: props.snowflake.database,
        [CHECK_ENV.snowflakeRole]: props.snowflake.role,
        [CHECK_ENV.snowflakeWarehouse]: props.snowflake.warehouse,
        [CHECK_ENV.snowflakeSecretArn]: this.secret.arn,
        [CHECK_ENV.windowHours]: String(settings.windowHours),
        [CHECK_ENV.graceMinutes]: String(settings.graceMinutes),
        [CHECK_ENV.maxPendingFiles]: String(settings.maxPendingFiles),
        [CHECK_ENV.maxIngestAgeMinutes]: String(settings.maxIngestAgeMinutes),
      },
      statements: [
        {
          Sid: 'ListDatasetPrefixes',
          Effect: 'Allow',
          Action: 's3:ListBucket',
          Resource: props.lakeBucketArn,
          Condition: { StringLike: { 's3:prefix': DATASET_NAMES.map((d) => `${d}/*`) } },
        },
        {
          Sid: 'ReadSnowflakeCredentials',
          Effect: 'Allow',
          Action: 'secretsmanager:GetSecretValue',
          Resource: this.secret.arn,
        },
      ],
      alarmTopicArn: props.alertsTopicArn,
      alarmName: props.functionAlarmName,
    });

    this.scheduleRole = boundedRole(this, 'schedule_role', {
      name: props.scheduleRoleName,
      assumeRolePolicy: assumeRolePolicy('scheduler.amazonaws.com', props.accountId),
    });
    new IamRolePolicy(this, 'schedule_permissions', {
      name: 'invoke-check',
      role: this.scheduleRole.id,
      policy: policyDocument([
        {
          Sid: 'InvokeCheck',
          Effect: 'Allow',
          Action: 'lambda:InvokeFunction',
          Resource: this.function.arn,
        },
      ]),
    });
    this.schedule = new SchedulerSchedule(this, 'schedule', {
      name: props.scheduleName,
      description: `Checks every pipe ${rateExpression(settings.rateMinutes)}`,
      scheduleExpression: rateExpression(settings.rateMinutes),
      state: settings.enabled ? 'ENABLED' : 'DISABLED',
      flexibleTimeWindow: { mode: 'OFF' },
      target: {
        arn: this.function.arn,
        roleArn: this.scheduleRole.arn,
        // A missed check is covered by the next one and by the breaching alarms below: retry briefly.
        retryPolicy: { maximumEventAgeInSeconds: 900, maximumRetryAttempts: 2 },
      },
    });

    for (const dataset of DATASET_NAMES)
      new Alarm(this, `${dataset}_alarm`, {
        alarmName: props.alarmName(dataset),
        description: `Pipe health check found a problem with the ${dataset} pipe (or did not report): docs/runbook.md, "Pipe health".`,
        namespace: props.namespace,
        metricName: PIPE_METRICS.problems,
        // Powertools adds the service dimension to every metric.
        dimensions: { service: SERVICE, Pipe: dataset },
        statistic: 'Maximum',
        periodSeconds: settings.rateMinutes * 60,
        topicArn: props.alertsTopicArn,
        missingData: settings.enabled ? 'breaching' : 'notBreaching',
      });
  }
}
