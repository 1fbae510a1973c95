import { SecretsmanagerSecret } from '@cdktf/provider-aws/lib/secretsmanager-secret';
import { TerraformOutput } from 'cdktf';
import type { Construct } from 'constructs';
import { type EnvConfig, FUNCTION_NAMES, type FunctionName } from '../envs/types';
import { HANDLER_ENV, type PipelineInput } from '../lambdas/contracts';
import { DATASET_NAMES, type DatasetName, type Source } from '../lambdas/core/datasets';
import { datasetPrefix, RAW_PREFIX, REJECTS_PREFIX } from '../lambdas/core/lake';
import { pipeHealthConfig } from '../ops/ingestion-check';
import {
  loadPipelineDefinition,
  type PipelinePlaceholders,
  renderDefinition,
} from '../statemachines/placeholders';
import type { AwsStackOutputs } from './aws-outputs';
import { configureAwsProvider } from './aws-provider';
import { configureBackend } from './backend';
import { AlertsTopic } from './constructs/alerts-topic';
import { BackfillWorkflow } from './constructs/backfill-workflow';
import { DatasetTopic } from './constructs/dataset-topic';
import { LakeBucket } from './constructs/lake-bucket';
import { LakeNotification } from './constructs/lake-notification';
import { PipeHealthCheck } from './constructs/pipe-health-check';
import { PipelineFunction } from './constructs/pipeline-function';
import { PipelineSchedule } from './constructs/pipeline-schedule';
import { PipelineStateMachine } from './constructs/pipeline-state-machine';
import { FdlStack } from './fdl-stack';
import { type PolicyStatement, usePermissionsBoundary } from './iam';
import { Naming, PROJECT } from './naming';

export interface AwsStackProps {
  readonly env: EnvConfig;
  /** The ECR repository URL from the ECR stack (a token: CDKTF reads it from that stack's state). */
  readonly repositoryUrl: string;
  /**
   * ASL template with `${Placeholder}`s (tests use it to prove an unresolved placeholder fails synth).
   * @default the contents of statemachines/pipeline.asl.json
   */
  readonly definitionTemplate?: string;
}

/** The raw/ source prefix each extract function writes to (rawKey(source, …) in lambdas/core/lake.ts). */
const EXTRACT_SOURCE = {
  'extract-coinlore': 'coinlore',
  'extract-reddit': 'reddit',
} as const satisfies Partial<Record<FunctionName, Source>>;

/** The execution input the schedule sends, from the env config (PipelineInput in lambdas/contracts.ts). */
export function pipelineInput(env: EnvConfig): PipelineInput {
  return {
    subreddits: [...env.subreddits],
    coinlorePages: env.coinlore.pages,
    lookbackMinutes: env.reddit.lookbackMinutes,
  };
}

/**
 * `fdl-<env>-aws`: the whole AWS side of the pipeline for one env: lake bucket and its notification,
 * per-dataset topics for Snowpipe, alerts, the Reddit secret, the Lambda functions (one image from the
 * ECR stack, one command each), the state machine and its schedule, and alarms.
 */
export class AwsStack extends FdlStack {
  readonly outputs: AwsStackOutputs;
  readonly lake: LakeBucket;
  readonly functions: Readonly<Record<FunctionName, PipelineFunction>>;
  readonly stateMachine: PipelineStateMachine;
  readonly backfill: BackfillWorkflow;

  constructor(scope: Construct, id: string, props: AwsStackProps) {
    super(scope, id);
    const { env } = props;
    const naming = new Naming(env);
    // Every role below carries the env's boundary (the deploy role may create no other).
    usePermissionsBoundary(this, env);
    configureAwsProvider(this, env, id);
    configureBackend(this, env, id);

    this.lake = new LakeBucket(this, 'lake', {
      bucketName: naming.lakeBucket(),
      rawInfrequentAccessDays: env.lake.rawInfrequentAccessDays,
      rawExpireDays: env.lake.rawExpireDays,
      rejectsExpireDays: env.lake.rejectsExpireDays,
    });
    const lakeArn = this.lake.arn;

    const topics = Object.fromEntries(
      DATASET_NAMES.map((dataset) => [
        dataset,
        new DatasetTopic(this, `${dataset}_topic`, {
          topicName: naming.datasetTopic(dataset),
          // Built from the name (not the bucket's `arn` attribute) so it equals the aws:SourceArn S3 sends.
          bucketArn: `arn:aws:s3:::${naming.lakeBucket()}`,
          accountId: env.account,
          region: env.region,
        }),
      ]),
    ) as Record<DatasetName, DatasetTopic>;
    const topicArns = Object.fromEntries(DATASET_NAMES.map((d) => [d, topics[d].arn])) as Record<
      DatasetName,
      string
    >;
    new LakeNotification(this, 'lake_events', {
      bucket: this.lake.bucket.id,
      topicArns,
      dependsOn: DATASET_NAMES.map((d) => topics[d].topic),
    });

    const alerts = new AlertsTopic(this, 'alerts', {
      topicName: naming.alertsTopic(),
      email: env.alertEmail,
    });

    // The value is never in Terraform (it would land in state): the deploy workflow or an admin sets it
    // with `aws secretsmanager put-secret-value --secret-id <name> --secret-string '{"client_id":…,"client_secret":…}'`.
    const redditSecret = new SecretsmanagerSecret(this, 'reddit_credentials', {
      name: naming.redditSecret(),
      description:
        'Reddit app-only OAuth client {"client_id","client_secret"}; value set outside Terraform (README, "Secrets").',
      recoveryWindowInDays: 7,
    });

    const objects = (prefix: string) => `${lakeArn}/${prefix}*`;
    const putObjects = (sid: string, prefixes: readonly string[]): PolicyStatement => ({
      Sid: sid,
      Effect: 'Allow',
      Action: 's3:PutObject',
      Resource: prefixes.map(objects),
    });
    const statements: Record<FunctionName, PolicyStatement[]> = {
      'extract-coinlore': [
        putObjects('WriteRawCoinlore', [`${RAW_PREFIX}${EXTRACT_SOURCE['extract-coinlore']}/`]),
      ],
      'extract-reddit': [
        putObjects('WriteRawReddit', [`${RAW_PREFIX}${EXTRACT_SOURCE['extract-reddit']}/`]),
        {
          Sid: 'ReadRedditCredentials',
          Effect: 'Allow',
          Action: 'secretsmanager:GetSecretValue',
          Resource: redditSecret.arn,
        },
      ],
      transform: [
        { Sid: 'ReadRaw', Effect: 'Allow', Action: 's3:GetObject', Resource: objects(RAW_PREFIX) },
        {
          // Without ListBucket a missing key reads as 403 instead of 404; limited to the raw/ prefix.
          Sid: 'ListRaw',
          Effect: 'Allow',
          Action: 's3:ListBucket',
          Resource: lakeArn,
          Condition: { StringLike: { 's3:prefix': [`${RAW_PREFIX}*`] } },
        },
        putObjects('WriteDatasetsAndRejects', [...DATASET_NAMES.map(datasetPrefix), REJECTS_PREFIX]),
      ],
    };
    const extraEnvironment: Record<FunctionName, Record<string, string>> = {
      'extract-coinlore': {},
      'extract-reddit': {
        [HANDLER_ENV.redditSecretArn]: redditSecret.arn,
        [HANDLER_ENV.redditUserAgent]: env.reddit.userAgent,
      },
      transform: {},
    };

    /** What every function of the image gets: the lake bucket and Powertools settings. */
    const functionEnvironment = (fn: string): Record<string, string> => ({
      [HANDLER_ENV.lakeBucket]: this.lake.name,
      POWERTOOLS_SERVICE_NAME: fn,
      POWERTOOLS_LOG_LEVEL: 'INFO',
      POWERTOOLS_METRICS_NAMESPACE: PROJECT,
    });
    this.functions = Object.fromEntries(
      FUNCTION_NAMES.map((fn) => [
        fn,
        new PipelineFunction(this, naming.id(fn), {
          functionName: naming.functionName(fn),
          roleName: naming.iam(fn),
          logGroupName: naming.functionLogGroup(fn),
          logRetentionDays: env.logRetentionDays,
          imageUri: `${props.repositoryUrl}:${env.imageTag}`,
          // The image holds /var/task/<function>.mjs per function, each exporting `handler`.
          handler: `${fn}.handler`,
          memoryMb: env.functions[fn].memoryMb,
          timeoutSeconds: env.functions[fn].timeoutSeconds,
          environment: { ...functionEnvironment(fn), ...extraEnvironment[fn] },
          statements: statements[fn],
          alarmTopicArn: alerts.arn,
          alarmName: naming.resource(`${fn} errors`),
        }),
      ]),
    ) as Record<FunctionName, PipelineFunction>;

    const placeholders: PipelinePlaceholders = {
      ExtractCoinloreFunctionArn: this.functions['extract-coinlore'].arn,
      ExtractRedditFunctionArn: this.functions['extract-reddit'].arn,
      TransformFunctionArn: this.functions.transform.arn,
      AlertsTopicArn: alerts.arn,
    };
    this.stateMachine = new PipelineStateMachine(this, 'pipeline', {
      stateMachineName: naming.stateMachine(),
      roleName: naming.iam('pipeline'),
      logGroupName: naming.stateMachineLogGroup(),
      logRetentionDays: env.logRetentionDays,
      // Throws (failing synth) when a ${Placeholder} in the ASL has no value or a value has no placeholder.
      definition:
        props.definitionTemplate === undefined
          ? loadPipelineDefinition(placeholders)
          : renderDefinition(props.definitionTemplate, { ...placeholders }),
      functionArns: FUNCTION_NAMES.map((fn) => this.functions[fn].arn),
      alertsTopicArn: alerts.arn,
      accountId: env.account,
      alarmNamePrefix: naming.stateMachine(),
    });

    new PipelineSchedule(this, 'schedule', {
      scheduleName: naming.iam('pipeline schedule'),
      roleName: naming.iam('pipeline schedule'),
      deadLetterQueueName: naming.resource('pipeline schedule dead letters'),
      alarmTopicArn: alerts.arn,
      alarmName: naming.resource('pipeline schedule dead letters'),
      rateMinutes: env.schedule.rateMinutes,
      enabled: env.schedule.enabled,
      stateMachineArn: this.stateMachine.arn,
      input: JSON.stringify(pipelineInput(env)),
      accountId: env.account,
    });

    // The backfill (Distributed Map over the raw archive) beside the pipeline; it reuses the transform.
    this.backfill = new BackfillWorkflow(this, 'backfill', {
      naming,
      config: env.backfill,
      accountId: env.account,
      region: env.region,
      logRetentionDays: env.logRetentionDays,
      imageUri: `${props.repositoryUrl}:${env.imageTag}`,
      lakeBucketName: this.lake.name,
      lakeBucketArn: lakeArn,
      transformFunctionArn: this.functions.transform.arn,
      alertsTopicArn: alerts.arn,
      environment: functionEnvironment,
    });

    // Every hour (env.pipeHealth), the pipes' health as metrics, one alarm per pipe into the alerts topic.
    const pipeHealth = new PipeHealthCheck(this, 'pipe_health', {
      functionName: naming.functionName('check-ingestion'),
      functionRoleName: naming.iam('check-ingestion'),
      logGroupName: naming.functionLogGroup('check-ingestion'),
      scheduleName: naming.iam('pipe health schedule'),
      scheduleRoleName: naming.iam('pipe health schedule'),
      secretName: naming.resource('snowflake check credentials'),
      alarmName: (dataset) => naming.resource(`${dataset} pipe health`),
      functionAlarmName: naming.resource('check-ingestion errors'),
      logRetentionDays: env.logRetentionDays,
      imageUri: `${props.repositoryUrl}:${env.imageTag}`,
      accountId: env.account,
      lakeBucketName: this.lake.name,
      lakeBucketArn: lakeArn,
      alertsTopicArn: alerts.arn,
      snowflake: {
        account: `${env.snowflake.organizationName}-${env.snowflake.accountName}`,
        database: naming.snowflakeDatabase(),
        role: naming.snowflake('loader'),
        warehouse: naming.snowflake('warehouse'),
      },
      settings: pipeHealthConfig(env),
      namespace: PROJECT,
    });

    this.outputs = {
      accountId: env.account,
      region: env.region,
      lakeBucketName: this.lake.name,
      lakeBucketArn: lakeArn,
      datasetTopicArns: topicArns,
      alertsTopicArn: alerts.arn,
    };
    const output = (name: string, value: string, description: string) =>
      new TerraformOutput(this, name, { value, description });
    output('account_id', env.account, 'AWS account of the env.');
    output('region', env.region, 'Region of every resource of the env.');
    output('lake_bucket_name', this.lake.name, 'The data lake bucket.');
    output('lake_bucket_arn', lakeArn, 'The data lake bucket ARN.');
    for (const d of DATASET_NAMES) output(`${d}_topic_arn`, topicArns[d], `SNS topic of the ${d} Snowpipe.`);
    output('alerts_topic_arn', alerts.arn, 'Failure alerts (email).');
    output(
      'state_machine_arn',
      this.stateMachine.arn,
      'Start a run by hand: aws stepfunctions start-execution.',
    );
    output(
      'backfill_state_machine_arn',
      this.backfill.arn,
      'Rebuild a time range from raw/: aws stepfunctions start-execution (docs/runbook.md, "Backfill").',
    );
    output('reddit_secret_name', redditSecret.name, 'Set its value outside Terraform (README, "Secrets").');
    output(
      'snowflake_check_secret_name',
      pipeHealth.secret.name,
      'Snowflake key-pair user of the pipe health check; set its value outside Terraform (docs/runbook.md).',
    );
  }
}
