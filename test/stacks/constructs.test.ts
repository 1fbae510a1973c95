import { CloudwatchLogGroup } from '@cdktf/provider-aws/lib/cloudwatch-log-group';
import { CloudwatchMetricAlarm } from '@cdktf/provider-aws/lib/cloudwatch-metric-alarm';
import { EcrRepository } from '@cdktf/provider-aws/lib/ecr-repository';
import { LambdaFunction } from '@cdktf/provider-aws/lib/lambda-function';
import { S3Bucket } from '@cdktf/provider-aws/lib/s3-bucket';
import { S3BucketPublicAccessBlock } from '@cdktf/provider-aws/lib/s3-bucket-public-access-block';
import { S3BucketServerSideEncryptionConfigurationA } from '@cdktf/provider-aws/lib/s3-bucket-server-side-encryption-configuration';
import { S3BucketVersioningA } from '@cdktf/provider-aws/lib/s3-bucket-versioning';
import { SfnStateMachine } from '@cdktf/provider-aws/lib/sfn-state-machine';
import { SnsTopicSubscription } from '@cdktf/provider-aws/lib/sns-topic-subscription';
import { TerraformStack, Testing } from 'cdktf';
import { afterAll, describe, expect, it } from 'vitest';
import { DATASET_NAMES, type DatasetName } from '../../lambdas/core/datasets';
import { configureBackend, stateKey } from '../../stacks/backend';
import { AlertsTopic } from '../../stacks/constructs/alerts-topic';
import { DatasetTopic } from '../../stacks/constructs/dataset-topic';
import { ImageRepository } from '../../stacks/constructs/image-repository';
import { LakeBucket } from '../../stacks/constructs/lake-bucket';
import { LakeNotification } from '../../stacks/constructs/lake-notification';
import { PipelineFunction, type PipelineFunctionProps } from '../../stacks/constructs/pipeline-function';
import {
  DEAD_LETTER_RETENTION_SECONDS,
  PipelineSchedule,
  rateExpression,
  SCHEDULE_RETRY,
} from '../../stacks/constructs/pipeline-schedule';
import {
  escapeTerraformTemplate,
  PipelineStateMachine,
} from '../../stacks/constructs/pipeline-state-machine';
import { onlyResource, removeOutdirs, resourcesOf, statementsOf, synthScope, tempOutdir } from './support';

afterAll(removeOutdirs);

const BUCKET_ARN = 'arn:aws:s3:::finance-de-lab-test-eu-west-1';
const TOPIC_ARN = 'arn:aws:sns:eu-west-1:111111111111:fdl-test-alerts';

describe('LakeBucket', () => {
  const lake = (noncurrentVersionExpireDays?: number) =>
    synthScope((scope) => {
      new LakeBucket(scope, 'lake', {
        bucketName: 'finance-de-lab-test-eu-west-1',
        rawInfrequentAccessDays: 30,
        rawExpireDays: 90,
        rejectsExpireDays: 45,
        noncurrentVersionExpireDays,
      });
    });
  const synth = lake();

  it('versions, encrypts with SSE-S3 and blocks all public access when created', () => {
    expect(
      Testing.toHaveResourceWithProperties(synth, S3Bucket.tfResourceType, {
        bucket: 'finance-de-lab-test-eu-west-1',
      }),
    ).toBe(true);
    expect(
      Testing.toHaveResourceWithProperties(synth, S3BucketVersioningA.tfResourceType, {
        versioning_configuration: { status: 'Enabled' },
      }),
    ).toBe(true);
    expect(
      Testing.toHaveResourceWithProperties(synth, S3BucketServerSideEncryptionConfigurationA.tfResourceType, {
        rule: [{ apply_server_side_encryption_by_default: { sse_algorithm: 'AES256' } }],
      }),
    ).toBe(true);
    expect(
      Testing.toHaveResourceWithProperties(synth, S3BucketPublicAccessBlock.tfResourceType, {
        block_public_acls: true,
        block_public_policy: true,
        ignore_public_acls: true,
        restrict_public_buckets: true,
      }),
    ).toBe(true);
  });

  it('denies every request without TLS on the bucket and its objects when created', () => {
    const [statement] = statementsOf(onlyResource(synth, 'aws_s3_bucket_policy').policy);
    const bucketName = resourcesOf(synth, 'aws_s3_bucket')[0]![0];
    expect(statement).toEqual({
      Sid: 'DenyInsecureTransport',
      Effect: 'Deny',
      Principal: '*',
      Action: 's3:*',
      Resource: [`\${aws_s3_bucket.${bucketName}.arn}`, `\${aws_s3_bucket.${bucketName}.arn}/*`],
      Condition: { Bool: { 'aws:SecureTransport': 'false' } },
    });
  });

  it('moves raw/ to STANDARD_IA then expires it, and expires rejects/, when given the lake lifecycle days', () => {
    const rules = onlyResource(synth, 'aws_s3_bucket_lifecycle_configuration').rule as Record<
      string,
      unknown
    >[];
    expect(rules.find((r) => r.id === 'raw-archive')).toMatchObject({
      filter: [{ prefix: 'raw/' }],
      transition: [{ days: 30, storage_class: 'STANDARD_IA' }],
      expiration: [{ days: 90 }],
    });
    expect(rules.find((r) => r.id === 'rejects')).toMatchObject({
      filter: [{ prefix: 'rejects/' }],
      expiration: [{ days: 45 }],
    });
    expect(rules.find((r) => r.id === 'noncurrent-versions')).toMatchObject({
      noncurrent_version_expiration: [{ noncurrent_days: 30 }],
    });
  });

  it('keeps noncurrent versions for the given days when noncurrentVersionExpireDays is set', () => {
    const rules = onlyResource(lake(7), 'aws_s3_bucket_lifecycle_configuration').rule as Record<
      string,
      unknown
    >[];
    expect(rules.find((r) => r.id === 'noncurrent-versions')).toMatchObject({
      noncurrent_version_expiration: [{ noncurrent_days: 7 }],
    });
  });
});

describe('DatasetTopic', () => {
  const synth = synthScope((scope) => {
    new DatasetTopic(scope, 'coinlore_tickers_topic', {
      topicName: 'fdl-test-coinlore-tickers-v1',
      bucketArn: BUCKET_ARN,
      accountId: '111111111111',
      region: 'eu-west-1',
    });
  });
  const topic = onlyResource(synth, 'aws_sns_topic');

  it('prevents destroy and ignores later policy changes when created', () => {
    expect(topic.name).toBe('fdl-test-coinlore-tickers-v1');
    expect(topic.lifecycle).toEqual({ prevent_destroy: true, ignore_changes: ['policy'] });
  });

  it('lets only S3 publish, for the lake bucket of this account, when created', () => {
    expect(statementsOf(topic.policy)).toEqual([
      {
        Sid: 'AllowLakeBucketPublish',
        Effect: 'Allow',
        Principal: { Service: 's3.amazonaws.com' },
        Action: 'sns:Publish',
        Resource: 'arn:aws:sns:eu-west-1:111111111111:fdl-test-coinlore-tickers-v1',
        Condition: {
          ArnLike: { 'aws:SourceArn': BUCKET_ARN },
          StringEquals: { 'aws:SourceAccount': '111111111111' },
        },
      },
    ]);
  });
});

describe('LakeNotification', () => {
  it('routes each dataset prefix to its own topic in one notification when given every dataset', () => {
    const synth = synthScope((scope) => {
      const topics = DATASET_NAMES.map(
        (d) =>
          new DatasetTopic(scope, `${d}_topic`, {
            topicName: `fdl-test-${d}`,
            bucketArn: BUCKET_ARN,
            accountId: '111111111111',
            region: 'eu-west-1',
          }),
      );
      new LakeNotification(scope, 'lake_events', {
        bucket: 'finance-de-lab-test-eu-west-1',
        topicArns: Object.fromEntries(DATASET_NAMES.map((d, i) => [d, topics[i]!.arn])) as Record<
          DatasetName,
          string
        >,
        dependsOn: topics.map((t) => t.topic),
      });
    });
    const notification = onlyResource(synth, 'aws_s3_bucket_notification');
    const rules = notification.topic as Record<string, unknown>[];
    const topicNames = Object.fromEntries(resourcesOf(synth, 'aws_sns_topic').map(([n, b]) => [b.name, n]));
    expect(rules.map((r) => r.id).sort()).toEqual([...DATASET_NAMES].sort());
    for (const d of DATASET_NAMES)
      expect(rules.find((r) => r.id === d)).toEqual({
        id: d,
        events: ['s3:ObjectCreated:*'],
        filter_prefix: `${d}/`,
        filter_suffix: '.parquet',
        topic_arn: `\${aws_sns_topic.${topicNames[`fdl-test-${d}`]}.arn}`,
      });
    expect([...(notification.depends_on as string[])].sort()).toEqual(
      Object.values(topicNames)
        .map((n) => `aws_sns_topic.${n}`)
        .sort(),
    );
  });
});

describe('AlertsTopic', () => {
  it('subscribes the alert email when created', () => {
    const synth = synthScope((scope) => {
      new AlertsTopic(scope, 'alerts', { topicName: 'fdl-test-alerts', email: 'ops@example.com' });
    });
    expect(onlyResource(synth, 'aws_sns_topic').name).toBe('fdl-test-alerts');
    expect(
      Testing.toHaveResourceWithProperties(synth, SnsTopicSubscription.tfResourceType, {
        protocol: 'email',
        endpoint: 'ops@example.com',
      }),
    ).toBe(true);
  });
});

describe('PipelineFunction', () => {
  const props: PipelineFunctionProps = {
    functionName: 'fdl-test-transform',
    roleName: 'FdlTestTransform',
    logGroupName: '/aws/lambda/fdl-test-transform',
    logRetentionDays: 14,
    imageUri: '111111111111.dkr.ecr.eu-west-1.amazonaws.com/fdl-test-lambdas:abc123',
    handler: 'transform.handler',
    memoryMb: 1024,
    timeoutSeconds: 120,
    environment: { LAKE_BUCKET: 'finance-de-lab-test-eu-west-1' },
    statements: [
      { Sid: 'ReadRaw', Effect: 'Allow', Action: 's3:GetObject', Resource: `${BUCKET_ARN}/raw/*` },
    ],
    alarmTopicArn: TOPIC_ARN,
    alarmName: 'fdl-test-transform-errors',
  };
  const synth = synthScope((scope) => {
    new PipelineFunction(scope, 'transform', props);
  });

  it('runs the image with its own command, memory, timeout and environment when created', () => {
    expect(
      Testing.toHaveResourceWithProperties(synth, LambdaFunction.tfResourceType, {
        function_name: 'fdl-test-transform',
        package_type: 'Image',
        image_uri: props.imageUri,
        image_config: { command: ['transform.handler'] },
        memory_size: 1024,
        timeout: 120,
        environment: { variables: { LAKE_BUCKET: 'finance-de-lab-test-eu-west-1' } },
      }),
    ).toBe(true);
  });

  it('writes to its own log group with retention, and may write only there besides its statements', () => {
    expect(
      Testing.toHaveResourceWithProperties(synth, CloudwatchLogGroup.tfResourceType, {
        name: '/aws/lambda/fdl-test-transform',
        retention_in_days: 14,
      }),
    ).toBe(true);
    const [logGroup] = resourcesOf(synth, 'aws_cloudwatch_log_group')[0]!;
    const [role] = resourcesOf(synth, 'aws_iam_role')[0]!;
    const fn = onlyResource(synth, 'aws_lambda_function');
    expect(fn.role).toBe(`\${aws_iam_role.${role}.arn}`);
    expect(fn.depends_on).toContain(`aws_cloudwatch_log_group.${logGroup}`);
    expect(statementsOf(onlyResource(synth, 'aws_iam_role_policy').policy)).toEqual([
      {
        Sid: 'WriteOwnLogGroup',
        Effect: 'Allow',
        Action: ['logs:CreateLogStream', 'logs:PutLogEvents'],
        Resource: `\${aws_cloudwatch_log_group.${logGroup}.arn}:*`,
      },
      props.statements[0],
    ]);
    expect(statementsOf(onlyResource(synth, 'aws_iam_role').assume_role_policy)).toEqual([
      { Effect: 'Allow', Principal: { Service: 'lambda.amazonaws.com' }, Action: 'sts:AssumeRole' },
    ]);
  });

  it('alarms the topic on any error, not on missing data, when created', () => {
    expect(
      Testing.toHaveResourceWithProperties(synth, CloudwatchMetricAlarm.tfResourceType, {
        alarm_name: 'fdl-test-transform-errors',
        namespace: 'AWS/Lambda',
        metric_name: 'Errors',
        statistic: 'Sum',
        threshold: 1,
        comparison_operator: 'GreaterThanOrEqualToThreshold',
        treat_missing_data: 'notBreaching',
        alarm_actions: [TOPIC_ARN],
      }),
    ).toBe(true);
  });

  it('throws when the log group is not the one Lambda writes to', () => {
    expect(() =>
      synthScope((scope) => {
        new PipelineFunction(scope, 'transform', { ...props, logGroupName: '/custom/transform' });
      }),
    ).toThrow(/logGroupName must be \/aws\/lambda\/fdl-test-transform/);
  });
});

describe('PipelineStateMachine', () => {
  const fnArns = [
    'arn:aws:lambda:eu-west-1:111111111111:function:a',
    'arn:aws:lambda:eu-west-1:111111111111:function:b',
  ];
  const synth = synthScope((scope) => {
    new PipelineStateMachine(scope, 'pipeline', {
      stateMachineName: 'fdl-test-pipeline',
      roleName: 'FdlTestPipeline',
      logGroupName: '/aws/vendedlogs/states/fdl-test-pipeline',
      logRetentionDays: 14,
      definition: JSON.stringify({
        QueryLanguage: 'JSONata',
        StartAt: 'Done',
        States: { Done: { Type: 'Succeed' } },
      }),
      functionArns: fnArns,
      alertsTopicArn: TOPIC_ARN,
      accountId: '111111111111',
      alarmNamePrefix: 'fdl-test-pipeline',
    });
  });

  it('is a STANDARD machine logging errors without execution data when created', () => {
    const [logGroup] = resourcesOf(synth, 'aws_cloudwatch_log_group')[0]!;
    expect(
      Testing.toHaveResourceWithProperties(synth, SfnStateMachine.tfResourceType, {
        name: 'fdl-test-pipeline',
        type: 'STANDARD',
        logging_configuration: {
          level: 'ERROR',
          include_execution_data: false,
          log_destination: `\${aws_cloudwatch_log_group.${logGroup}.arn}:*`,
        },
      }),
    ).toBe(true);
  });

  it('may invoke exactly the given functions and publish only to the alerts topic when created', () => {
    const policies = resourcesOf(synth, 'aws_iam_role_policy');
    const invoke = policies.find(([n]) => n.startsWith('pipeline_permissions'))![1];
    expect(statementsOf(invoke.policy)).toEqual([
      {
        Sid: 'InvokePipelineFunctions',
        Effect: 'Allow',
        Action: 'lambda:InvokeFunction',
        Resource: [fnArns[0], `${fnArns[0]}:*`, fnArns[1], `${fnArns[1]}:*`],
      },
      { Sid: 'PublishAlerts', Effect: 'Allow', Action: 'sns:Publish', Resource: TOPIC_ARN },
    ]);
  });

  it('alarms on failed and timed-out executions when created', () => {
    const alarms = resourcesOf(synth, 'aws_cloudwatch_metric_alarm').map(([, a]) => [
      a.alarm_name,
      a.metric_name,
    ]);
    expect(alarms.sort()).toEqual([
      ['fdl-test-pipeline-executions-failed', 'ExecutionsFailed'],
      ['fdl-test-pipeline-executions-timed-out', 'ExecutionsTimedOut'],
    ]);
  });
});

describe('escapeTerraformTemplate', () => {
  it('escapes literal template sequences but keeps CDKTF tokens when given ASL text', () => {
    const token = `\${TfToken[TOKEN.1]}`;
    expect(escapeTerraformTemplate(`{% $x %} %{if} \${literal} ${token}`)).toBe(
      `{% $x %} %%{if} $\${literal} ${token}`,
    );
  });
});

describe('PipelineSchedule', () => {
  const STATE_MACHINE = 'arn:aws:states:eu-west-1:111111111111:stateMachine:fdl-test-pipeline';
  const schedule = (enabled: boolean) =>
    synthScope((scope) => {
      new PipelineSchedule(scope, 'schedule', {
        scheduleName: 'FdlTestPipelineSchedule',
        roleName: 'FdlTestPipelineSchedule',
        deadLetterQueueName: 'fdl-test-pipeline-schedule-dead-letters',
        rateMinutes: 10,
        enabled,
        stateMachineArn: STATE_MACHINE,
        input: '{"coinlorePages":1}',
        accountId: '111111111111',
        alarmTopicArn: TOPIC_ARN,
        alarmName: 'fdl-test-pipeline-schedule-dead-letters',
      });
    });
  const synth = schedule(true);
  const [queueKey, queue] = resourcesOf(synth, 'aws_sqs_queue')[0]!;
  const [roleKey, role] = resourcesOf(synth, 'aws_iam_role')[0]!;

  it('starts exactly this state machine every 10 minutes with the input, retries and a dead-letter queue', () => {
    expect(onlyResource(synth, 'aws_scheduler_schedule')).toMatchObject({
      schedule_expression: 'rate(10 minutes)',
      state: 'ENABLED',
      flexible_time_window: { mode: 'OFF' },
      target: {
        arn: STATE_MACHINE,
        input: '{"coinlorePages":1}',
        role_arn: `\${aws_iam_role.${roleKey}.arn}`,
        retry_policy: {
          maximum_retry_attempts: SCHEDULE_RETRY.maximumRetryAttempts,
          maximum_event_age_in_seconds: SCHEDULE_RETRY.maximumEventAgeInSeconds,
        },
        dead_letter_config: { arn: `\${aws_sqs_queue.${queueKey}.arn}` },
      },
    });
    expect(resourcesOf(synth, 'aws_cloudwatch_event_rule')).toEqual([]);
  });

  it('lets its role only start this state machine and send to its own dead-letter queue', () => {
    expect(JSON.parse(String(role.assume_role_policy)).Statement).toEqual([
      {
        Effect: 'Allow',
        Principal: { Service: 'scheduler.amazonaws.com' },
        Action: 'sts:AssumeRole',
        Condition: { StringEquals: { 'aws:SourceAccount': '111111111111' } },
      },
    ]);
    const policies = resourcesOf(synth, 'aws_iam_role_policy');
    expect(policies).toHaveLength(1);
    expect(policies[0]![1].role).toBe(`\${aws_iam_role.${roleKey}.id}`);
    expect(statementsOf(policies[0]![1].policy)).toEqual([
      { Sid: 'StartPipeline', Effect: 'Allow', Action: 'states:StartExecution', Resource: STATE_MACHINE },
      {
        Sid: 'SendDeadLetters',
        Effect: 'Allow',
        Action: 'sqs:SendMessage',
        Resource: `\${aws_sqs_queue.${queueKey}.arn}`,
      },
    ]);
  });

  it('encrypts the dead-letter queue, keeps messages 14 days and alarms on any message in it', () => {
    expect(queue).toMatchObject({
      sqs_managed_sse_enabled: true,
      message_retention_seconds: DEAD_LETTER_RETENTION_SECONDS,
    });
    expect(DEAD_LETTER_RETENTION_SECONDS).toBe(1_209_600);
    expect(onlyResource(synth, 'aws_cloudwatch_metric_alarm')).toMatchObject({
      namespace: 'AWS/SQS',
      metric_name: 'ApproximateNumberOfMessagesVisible',
      dimensions: { QueueName: `\${aws_sqs_queue.${queueKey}.name}` },
      statistic: 'Maximum',
      threshold: 1,
      comparison_operator: 'GreaterThanOrEqualToThreshold',
      alarm_actions: [TOPIC_ARN],
    });
  });

  it('creates the schedule DISABLED when enabled is false', () => {
    expect(onlyResource(schedule(false), 'aws_scheduler_schedule').state).toBe('DISABLED');
  });

  it.each([
    [1, 'rate(1 minute)'],
    [10, 'rate(10 minutes)'],
  ])('writes rate expressions EventBridge accepts when given %i minute(s)', (minutes, expected) => {
    expect(rateExpression(minutes)).toBe(expected);
  });
});

describe('ImageRepository', () => {
  const synth = synthScope((scope) => {
    new ImageRepository(scope, 'lambdas', { repositoryName: 'fdl-test-lambdas', keepImages: 12 });
  });

  it('scans on push and makes tags immutable when created', () => {
    expect(
      Testing.toHaveResourceWithProperties(synth, EcrRepository.tfResourceType, {
        name: 'fdl-test-lambdas',
        image_tag_mutability: 'IMMUTABLE',
        image_scanning_configuration: { scan_on_push: true },
      }),
    ).toBe(true);
  });

  it('keeps the given number of images and expires untagged ones when keepImages is set', () => {
    const policy = JSON.parse(String(onlyResource(synth, 'aws_ecr_lifecycle_policy').policy)) as {
      rules: { selection: Record<string, unknown> }[];
    };
    expect(policy.rules.map((r) => r.selection)).toEqual([
      { tagStatus: 'untagged', countType: 'sinceImagePushed', countUnit: 'days', countNumber: 1 },
      { tagStatus: 'any', countType: 'imageCountMoreThan', countNumber: 12 },
    ]);
  });
});

describe('configureBackend', () => {
  it('keeps state per env and stack, encrypted, with S3-native locking', () => {
    const stack = new TerraformStack(Testing.app({ outdir: tempOutdir() }), 'fdl-test-aws');
    configureBackend(
      stack,
      { name: 'test', state: { bucket: 'state-bucket', region: 'eu-west-1' } },
      'fdl-test-aws',
    );
    const tf = JSON.parse(Testing.synth(stack)) as { terraform: { backend: { s3: unknown } } };
    expect(tf.terraform.backend.s3).toEqual({
      bucket: 'state-bucket',
      region: 'eu-west-1',
      key: 'test/fdl-test-aws.tfstate',
      encrypt: true,
      use_lockfile: true,
    });
    expect(stateKey({ name: 'prod' }, 'fdl-prod-ecr')).toBe('prod/fdl-prod-ecr.tfstate');
  });
});
