import { S3Bucket } from '@cdktf/provider-aws/lib/s3-bucket';
import { S3BucketLifecycleConfiguration } from '@cdktf/provider-aws/lib/s3-bucket-lifecycle-configuration';
import { S3BucketOwnershipControls } from '@cdktf/provider-aws/lib/s3-bucket-ownership-controls';
import { S3BucketPolicy } from '@cdktf/provider-aws/lib/s3-bucket-policy';
import { S3BucketPublicAccessBlock } from '@cdktf/provider-aws/lib/s3-bucket-public-access-block';
import { S3BucketServerSideEncryptionConfigurationA } from '@cdktf/provider-aws/lib/s3-bucket-server-side-encryption-configuration';
import { S3BucketVersioningA } from '@cdktf/provider-aws/lib/s3-bucket-versioning';
import { Construct } from 'constructs';
import { RAW_PREFIX, REJECTS_PREFIX } from '../../lambdas/core/lake';
import { policyDocument } from '../iam';

export interface LakeBucketProps {
  /** Physical bucket name (`Naming.lakeBucket()`). */
  readonly bucketName: string;
  /** Days before `raw/` envelopes move to STANDARD_IA (S3 requires at least 30). */
  readonly rawInfrequentAccessDays: number;
  /** Days before `raw/` envelopes expire. */
  readonly rawExpireDays: number;
  /** Days before `rejects/` files expire. */
  readonly rejectsExpireDays: number;
  /**
   * Days a replaced or deleted object version is kept. Keys are deterministic, so a rerun overwrites the
   * previous file: the old version is the undo window.
   * @default 30
   */
  readonly noncurrentVersionExpireDays?: number;
}

/**
 * The data lake bucket: versioned, encrypted, private, TLS-only, with lifecycle rules for the raw archive
 * and rejects. Its event notification is a separate construct (LakeNotification) because it needs the
 * dataset topics, whose policies need this bucket's ARN.
 */
export class LakeBucket extends Construct {
  readonly bucket: S3Bucket;
  /** Bucket name (a reference, so dependents wait for the bucket). */
  readonly name: string;
  readonly arn: string;

  constructor(scope: Construct, id: string, props: LakeBucketProps) {
    super(scope, id);
    this.bucket = new S3Bucket(this, 'bucket', { bucket: props.bucketName });
    this.name = this.bucket.bucket;
    this.arn = this.bucket.arn;
    const bucket = this.bucket.id;

    new S3BucketVersioningA(this, 'versioning', {
      bucket,
      versioningConfiguration: { status: 'Enabled' },
    });
    // SSE-S3 (AES256), not KMS: Snowflake's storage integration role reads the files with plain s3:GetObject;
    // a customer-managed key would need kms:Decrypt grants for it, and the AWS-managed aws/s3 key cannot be
    // granted to another principal at all. SSE-S3 still encrypts every object at rest.
    new S3BucketServerSideEncryptionConfigurationA(this, 'encryption', {
      bucket,
      rule: [{ applyServerSideEncryptionByDefault: { sseAlgorithm: 'AES256' } }],
    });
    const publicAccess = new S3BucketPublicAccessBlock(this, 'public_access', {
      bucket,
      blockPublicAcls: true,
      blockPublicPolicy: true,
      ignorePublicAcls: true,
      restrictPublicBuckets: true,
    });
    // ACLs disabled: the bucket owner owns every object, access is decided by policies only.
    new S3BucketOwnershipControls(this, 'ownership', {
      bucket,
      rule: { objectOwnership: 'BucketOwnerEnforced' },
    });
    new S3BucketPolicy(this, 'policy', {
      bucket,
      policy: policyDocument([
        {
          Sid: 'DenyInsecureTransport',
          Effect: 'Deny',
          Principal: '*',
          Action: 's3:*',
          Resource: [this.arn, `${this.arn}/*`],
          Condition: { Bool: { 'aws:SecureTransport': 'false' } },
        },
      ]),
      // Applying a bucket policy while the public access block is being created can race; order them.
      dependsOn: [publicAccess],
    });

    const noncurrentDays = props.noncurrentVersionExpireDays ?? 30;
    new S3BucketLifecycleConfiguration(this, 'lifecycle', {
      bucket,
      rule: [
        {
          id: 'raw-archive',
          status: 'Enabled',
          filter: [{ prefix: RAW_PREFIX }],
          transition: [{ days: props.rawInfrequentAccessDays, storageClass: 'STANDARD_IA' }],
          expiration: [{ days: props.rawExpireDays }],
        },
        {
          id: 'rejects',
          status: 'Enabled',
          filter: [{ prefix: REJECTS_PREFIX }],
          expiration: [{ days: props.rejectsExpireDays }],
        },
        {
          id: 'noncurrent-versions',
          status: 'Enabled',
          filter: [{ prefix: '' }],
          noncurrentVersionExpiration: [{ noncurrentDays }],
          abortIncompleteMultipartUpload: [{ daysAfterInitiation: 7 }],
        },
      ],
    });
  }
}
