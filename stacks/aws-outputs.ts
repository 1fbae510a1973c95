/**
 * What the AWS stack hands to the stacks that build on it (the Snowflake stack). Values are CDKTF tokens:
 * passing them across stacks makes CDKTF emit outputs + remote-state lookups, so no ARN is ever copied.
 */
import type { DatasetName } from '../lambdas/core/datasets';

export interface AwsStackOutputs {
  readonly accountId: string;
  readonly region: string;
  readonly lakeBucketName: string;
  readonly lakeBucketArn: string;
  /** One SNS topic per dataset: the lake bucket notifies it, the dataset's Snowpipe subscribes to it. */
  readonly datasetTopicArns: Readonly<Record<DatasetName, string>>;
  readonly alertsTopicArn: string;
}
