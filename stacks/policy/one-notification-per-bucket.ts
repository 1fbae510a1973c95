import { type PolicyRule, referencedName, resourcesOf } from './types';

/**
 * A bucket has exactly one aws_s3_bucket_notification when it has any: S3 keeps one notification
 * configuration per bucket, so a second resource silently overwrites the first on every apply.
 */
export const oneNotificationPerBucket: PolicyRule = {
  id: 'one-notification-per-bucket',
  description: 'No S3 bucket is the target of more than one aws_s3_bucket_notification (S3 keeps only one).',
  check(tf) {
    const byBucket = new Map<string, string[]>();
    for (const n of resourcesOf(tf, 'aws_s3_bucket_notification')) {
      const bucket = referencedName(n.body.bucket, 'aws_s3_bucket') ?? String(n.body.bucket);
      byBucket.set(bucket, [...(byBucket.get(bucket) ?? []), n.address]);
    }
    return [...byBucket.entries()]
      .filter(([, notifications]) => notifications.length > 1)
      .flatMap(([bucket, notifications]) =>
        notifications.map((address) => ({
          rule: this.id,
          address,
          message: `bucket ${bucket} has ${notifications.length} notification resources (${notifications.join(', ')}): merge them into one`,
        })),
      );
  },
};
