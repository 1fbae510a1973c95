import { type PolicyRule, referencedName, resourcesOf } from './types';

/** Every bucket has a server-side encryption configuration with a default algorithm. */
export const bucketEncryption: PolicyRule = {
  id: 'bucket-encryption',
  description:
    'Every S3 bucket has default server-side encryption (aws_s3_bucket_server_side_encryption_configuration).',
  check(tf) {
    const encrypted = new Set(
      resourcesOf(tf, 'aws_s3_bucket_server_side_encryption_configuration')
        .filter((c) => {
          const rules = (c.body.rule ?? []) as {
            apply_server_side_encryption_by_default?: { sse_algorithm?: string };
          }[];
          return rules.some((r) => r.apply_server_side_encryption_by_default?.sse_algorithm);
        })
        .map((c) => referencedName(c.body.bucket, 'aws_s3_bucket')),
    );
    return resourcesOf(tf, 'aws_s3_bucket')
      .filter((b) => !encrypted.has(b.name))
      .map((b) => ({
        rule: this.id,
        address: b.address,
        message: 'has no server-side encryption configuration with a default sse_algorithm',
      }));
  },
};
