import { S3BucketNotification } from '@cdktf/provider-aws/lib/s3-bucket-notification';
import type { ITerraformDependable } from 'cdktf';
import { Construct } from 'constructs';
import type { DatasetName } from '../../lambdas/core/datasets';
import { DATASET_FILE_SUFFIX, datasetPrefix } from '../../lambdas/core/lake';

export interface LakeNotificationProps {
  /** The lake bucket's name (or id). */
  readonly bucket: string;
  /** Topic ARN per dataset; one rule each, filtered on `<dataset>/` and `.parquet`. */
  readonly topicArns: Readonly<Record<DatasetName, string>>;
  /**
   * Resources the notification must wait for: the topics, whose policies must allow S3 to publish before
   * S3 accepts the configuration (it sends a test event). @default []
   */
  readonly dependsOn?: ITerraformDependable[];
}

/**
 * The ONE event notification of the lake bucket. S3 keeps one notification configuration per bucket (a
 * second Terraform resource would overwrite the first) and rejects overlapping prefix/suffix rules, so
 * every dataset's rule lives here, each under its own prefix.
 */
export class LakeNotification extends Construct {
  readonly notification: S3BucketNotification;

  constructor(scope: Construct, id: string, props: LakeNotificationProps) {
    super(scope, id);
    const datasets = Object.keys(props.topicArns).sort() as DatasetName[];
    this.notification = new S3BucketNotification(this, 'notification', {
      bucket: props.bucket,
      topic: datasets.map((dataset) => ({
        id: dataset,
        topicArn: props.topicArns[dataset],
        events: ['s3:ObjectCreated:*'],
        filterPrefix: datasetPrefix(dataset),
        filterSuffix: DATASET_FILE_SUFFIX,
      })),
      dependsOn: props.dependsOn ?? [],
    });
  }
}
