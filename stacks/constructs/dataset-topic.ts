import { SnsTopic } from '@cdktf/provider-aws/lib/sns-topic';
import { Construct } from 'constructs';
import { lakePublishStatement, policyDocument } from '../iam';

export interface DatasetTopicProps {
  /** Physical topic name (`Naming.datasetTopic(dataset)`, with the env's changeable suffix). */
  readonly topicName: string;
  /** ARN of the lake bucket allowed to publish (the bucket notification's source). */
  readonly bucketArn: string;
  /** Account owning the bucket: guards against another account's bucket with a recycled name. */
  readonly accountId: string;
  /** Region of the topic (the bucket's region: Snowpipe requires both in one region). */
  readonly region: string;
}

/**
 * The SNS topic a dataset's Snowpipe subscribes to. The lake bucket notification publishes every new file
 * under the dataset's prefix here.
 */
export class DatasetTopic extends Construct {
  readonly topic: SnsTopic;
  readonly arn: string;

  constructor(scope: Construct, id: string, props: DatasetTopicProps) {
    super(scope, id);
    this.topic = new SnsTopic(this, 'sns', {
      name: props.topicName,
      // Initial, inline policy: lets S3 publish so the bucket notification (which S3 validates by sending a
      // test event) can be created before the Snowflake stack exists.
      policy: policyDocument([
        lakePublishStatement(
          // The topic's own ARN, built from its parts: a resource cannot reference its own attributes.
          `arn:aws:sns:${props.region}:${props.accountId}:${props.topicName}`,
          props.bucketArn,
          props.accountId,
        ),
      ]),
      // No server-side encryption: S3 event notifications cannot publish to a topic encrypted with the
      // AWS-managed aws/sns key (S3 would need kms:GenerateDataKey on it, which that key's policy never
      // grants). Messages only carry object keys and sizes, never data.
      lifecycle: {
        // Deleting the topic (or its subscription) silently stops the dataset's Snowpipe, and the same
        // endpoint cannot resubscribe for 72 h: rename via env.topicSuffix instead (docs/external-facts.md#snowpipe).
        preventDestroy: true,
        // The Snowflake stack replaces this policy with a merged one (S3 publish + Snowflake's sns:Subscribe
        // from the snowflake_system_get_aws_sns_iam_policy data source), and a topic holds only one policy:
        // without this, each stack would revert the other's policy on every apply.
        ignoreChanges: ['policy'],
      },
    });
    this.arn = this.topic.arn;
  }
}
