import { DataAwsIamPolicyDocument } from '@cdktf/provider-aws/lib/data-aws-iam-policy-document';
import { SnsTopicPolicy } from '@cdktf/provider-aws/lib/sns-topic-policy';
import { DataSnowflakeSystemGetAwsSnsIamPolicy } from '@cdktf/provider-snowflake/lib/data-snowflake-system-get-aws-sns-iam-policy';
import { Pipe } from '@cdktf/provider-snowflake/lib/pipe';
import { Stage } from '@cdktf/provider-snowflake/lib/stage';
import { Table } from '@cdktf/provider-snowflake/lib/table';
import type { ITerraformDependable } from 'cdktf';
import { Construct } from 'constructs';
import { DATASETS, type DatasetName } from '../../lambdas/core/datasets';
import {
  pipeName,
  rawTableName,
  snowflakeCopyStatement,
  snowflakeRawColumns,
  stageName,
} from '../../sql/ddl';
import { lakePublishStatement, policyDocument } from '../iam';
import { exempt } from '../policy/exemption';
import { datasetStageUrl } from './snowflake-lake-integration';

export interface DatasetIngestionProps {
  readonly dataset: DatasetName;
  /** The Snowflake database (name token) and its name as text (the COPY statement names it by text). */
  readonly database: string;
  readonly databaseName: string;
  /** The RAW schema's name. */
  readonly schema: string;
  readonly bucketName: string;
  readonly bucketArn: string;
  readonly accountId: string;
  /** The dataset's SNS topic (AWS stack output). */
  readonly topicArn: string;
  /** The storage integration the stage reads through. */
  readonly storageIntegration: string;
  /** Fully qualified name of the Parquet file format. */
  readonly fileFormat: string;
  /**
   * Notification integration the pipe publishes load errors through (an in-place ALTER PIPE … SET
   * ERROR_INTEGRATION in provider 2.11, not a replacement; prevent_destroy would stop a replacement).
   */
  readonly errorIntegration: string;
  /** What must exist before the pipe is created (the integration's read permissions). */
  readonly pipeDependsOn: readonly ITerraformDependable[];
}

/**
 * One dataset's way into RAW: the append-only table, the stage on its lake prefix, the policy of its SNS
 * topic, and the auto-ingest pipe subscribed to that topic.
 *
 * Pitfalls encoded here:
 * - Snowpipe stops loading when its SNS subscription is deleted, and AWS keeps a subscription deleted by
 *   another account in "Deleted" for 72 hours, during which the same endpoint cannot resubscribe. Dropping
 *   a pipe deletes its subscription; so pipes carry prevent_destroy (topics too, in the AWS stack), and
 *   re-creating one means a new topic name (bump env.topicSuffix) or waiting 72 h.
 * - In provider 2.11 a pipe's copy_statement, auto_ingest and aws_sns_topic_arn are ForceNew: any edit is
 *   a DROP + CREATE, which prevent_destroy turns into a plan error instead of a silent re-subscription
 *   gamble. Follow the recreate procedure in the README.
 */
export class DatasetIngestion extends Construct {
  readonly table: Table;
  readonly stage: Stage;
  readonly pipe: Pipe;

  constructor(scope: Construct, id: string, props: DatasetIngestionProps) {
    super(scope, id);
    const { dataset, topicArn } = props;
    const spec = DATASETS[dataset];

    this.table = new Table(this, 'table', {
      database: props.database,
      schema: props.schema,
      name: rawTableName(dataset),
      comment: `${spec.grain} Append-only (Snowpipe); load metadata in the last columns.`,
      column: snowflakeRawColumns(dataset).map((c) => ({ ...c })),
    });

    this.stage = new Stage(this, 'stage', {
      database: props.database,
      schema: props.schema,
      name: stageName(dataset),
      url: datasetStageUrl(props.bucketName, dataset),
      storageIntegration: props.storageIntegration,
      fileFormat: `FORMAT_NAME = ${props.fileFormat}`,
      comment: `The ${dataset}/ prefix of the lake.`,
    });

    // The topic can hold one policy. The AWS stack creates it with an S3-publish-only policy and
    // ignore_changes on it; this resource is the one that stays: Snowflake's subscribe statement
    // (from SYSTEM$GET_AWS_SNS_IAM_POLICY) merged with "only the lake bucket of this account publishes".
    const snowflakeSubscribe = new DataSnowflakeSystemGetAwsSnsIamPolicy(this, 'sns_subscribe', {
      awsSnsTopicArn: topicArn,
    });
    const topicPolicyDoc = new DataAwsIamPolicyDocument(this, 'topic_policy_document', {
      sourcePolicyDocuments: [
        snowflakeSubscribe.awsSnsTopicPolicyJson,
        policyDocument([lakePublishStatement(topicArn, props.bucketArn, props.accountId)]),
      ],
    });
    const topicPolicy = new SnsTopicPolicy(this, 'topic_policy', {
      arn: topicArn,
      policy: topicPolicyDoc.json,
    });
    exempt(
      topicPolicy,
      'no-wildcard-iam',
      'Merged at plan time from Snowflake (sns:Subscribe for its IAM user on this topic only) and the literal ' +
        'S3-publish statement above (one topic, bucket and account conditions); not literal JSON in the synth.',
    );

    this.pipe = new Pipe(this, 'pipe', {
      database: props.database,
      schema: props.schema,
      name: pipeName(dataset),
      comment: `Auto-ingest of s3://…/${dataset}/ via its own SNS topic. ForceNew on copy/topic: see README.`,
      copyStatement: snowflakeCopyStatement({ database: props.databaseName, dataset }),
      autoIngest: true,
      awsSnsTopicArn: topicArn,
      errorIntegration: props.errorIntegration,
      // CREATE PIPE subscribes Snowflake's queue to the topic (needs the topic policy) and the COPY
      // names the table and stage by text (no token dependency), hence the explicit ordering.
      dependsOn: [this.table, this.stage, topicPolicy, ...props.pipeDependsOn],
      lifecycle: {
        // Destroying a pipe deletes its SNS subscription: 72 h before that endpoint can resubscribe.
        preventDestroy: true,
        // Provider docs: a pipe does not notice its stage moving; re-create it when the stage's location
        // or integration changes (which prevent_destroy turns into a deliberate, reviewed step).
        // (Terraform wants a plain address here, `snowflake_stage.<id>.url`, not an interpolation.)
        replaceTriggeredBy: ['url', 'storage_integration'].map(
          (attribute) => `${this.stage.terraformResourceType}.${this.stage.friendlyUniqueId}.${attribute}`,
        ),
      },
    });
  }
}
