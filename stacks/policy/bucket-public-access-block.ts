import { type PolicyRule, referencedName, resourcesOf } from './types';

const FLAGS = ['block_public_acls', 'block_public_policy', 'ignore_public_acls', 'restrict_public_buckets'];

/** Every bucket has a public access block with all four settings on. */
export const bucketPublicAccessBlock: PolicyRule = {
  id: 'bucket-public-access-block',
  description: 'Every S3 bucket has an aws_s3_bucket_public_access_block with all four flags true.',
  check(tf) {
    const blocked = new Set(
      resourcesOf(tf, 'aws_s3_bucket_public_access_block')
        .filter((b) => FLAGS.every((f) => b.body[f] === true))
        .map((b) => referencedName(b.body.bucket, 'aws_s3_bucket')),
    );
    return resourcesOf(tf, 'aws_s3_bucket')
      .filter((b) => !blocked.has(b.name))
      .map((b) => ({
        rule: this.id,
        address: b.address,
        message: `has no public access block with ${FLAGS.join(', ')} all true`,
      }));
  },
};
