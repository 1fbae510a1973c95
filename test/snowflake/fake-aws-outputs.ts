/**
 * Fake-but-typed AWS stack outputs: plain strings shaped like the real ARNs, so the Snowflake stack can
 * be synthesized alone and its references checked literally.
 */
import type { EnvConfig } from '../../envs/types';
import { DATASET_NAMES, type DatasetName } from '../../lambdas/core/datasets';
import type { AwsStackOutputs } from '../../stacks/aws-outputs';
import { Naming } from '../../stacks/naming';

export function fakeAwsOutputs(env: EnvConfig): AwsStackOutputs {
  const naming = new Naming(env);
  const bucket = naming.lakeBucket();
  const topic = (name: string) => `arn:aws:sns:${env.region}:${env.account}:${name}`;
  return {
    accountId: env.account,
    region: env.region,
    lakeBucketName: bucket,
    lakeBucketArn: `arn:aws:s3:::${bucket}`,
    datasetTopicArns: Object.fromEntries(
      DATASET_NAMES.map((d) => [d, topic(naming.datasetTopic(d))]),
    ) as Record<DatasetName, string>,
    alertsTopicArn: topic(naming.resource('alerts')),
  };
}
