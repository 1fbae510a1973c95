import { IamRolePolicy } from '@cdktf/provider-aws/lib/iam-role-policy';
import { StorageIntegration } from '@cdktf/provider-snowflake/lib/storage-integration';
import type { Construct } from 'constructs';
import { DATASET_NAMES, type DatasetName } from '../../lambdas/core/datasets';
import { ResourceGroup } from '../fdl-stack';
import { boundedRole, policyDocument } from '../iam';
import type { Naming } from '../naming';

/** Logical name of the IAM role Snowflake assumes; physical name via Naming.iam (FdlDevSnowflakeLakeReader). */
export const SNOWFLAKE_LAKE_READER = 'SnowflakeLakeReader';

/** The S3 URL of a dataset's prefix: the stage URL and one allowed location of the integration. */
export function datasetStageUrl(bucket: string, dataset: DatasetName): string {
  return `s3://${bucket}/${dataset}/`;
}

export interface SnowflakeLakeIntegrationProps {
  readonly naming: Naming;
  /** AWS account of the env (the reader role's ARN is built from it). */
  readonly accountId: string;
  readonly bucketName: string;
  readonly bucketArn: string;
}

/**
 * The storage integration the stages read the lake through, and the IAM role it assumes (read-only on
 * the dataset prefixes). Trust cycle: the integration needs the role ARN, the role's trust policy needs
 * the integration's IAM user. The ARN is built as a string from the account id and a fixed role name,
 * and the external id is set here, so only `storage_aws_iam_user_arn` flows (integration → role) and one
 * apply converges.
 */
export class SnowflakeLakeIntegration extends ResourceGroup {
  readonly integration: StorageIntegration;
  /** The reader role's permissions: a pipe must not be created before Snowflake can read the prefix. */
  readonly readPolicy: IamRolePolicy;

  constructor(scope: Construct, id: string, props: SnowflakeLakeIntegrationProps) {
    super(scope, id);
    const { naming, bucketArn } = props;
    const readerRoleName = naming.iam(SNOWFLAKE_LAKE_READER);
    // Built as a string, not aws_iam_role.arn: referencing the role would make the integration wait for
    // the role, whose trust policy waits for the integration (snowflakedb/terraform-provider-snowflake#2624).
    const readerRoleArn = `arn:aws:iam::${props.accountId}:role/${readerRoleName}`;
    // Set by us (settable since provider 2.5), stable per env and account; not a secret (AWS: the
    // external id guards against the confused deputy, it is not a credential).
    const externalId = `${naming.resource('snowflake-lake')}-${props.accountId}`;
    this.integration = new StorageIntegration(this, 'lake_integration', {
      name: naming.snowflake('lake_integration'),
      type: 'EXTERNAL_STAGE',
      storageProvider: 'S3',
      enabled: true,
      storageAwsRoleArn: readerRoleArn,
      storageAwsExternalId: externalId,
      storageAllowedLocations: DATASET_NAMES.map((d) => datasetStageUrl(props.bucketName, d)),
      comment: 'Read-only access to the dataset prefixes of the lake bucket (not raw/ or rejects/).',
    });

    const lakeReader = boundedRole(this, 'snowflake_lake_reader', {
      name: readerRoleName,
      description: 'Assumed by the Snowflake storage integration to read the dataset prefixes of the lake.',
      assumeRolePolicy: policyDocument([
        {
          Sid: 'SnowflakeStorageIntegration',
          Effect: 'Allow',
          Principal: { AWS: this.integration.storageAwsIamUserArn },
          Action: 'sts:AssumeRole',
          Condition: { StringEquals: { 'sts:ExternalId': externalId } },
        },
      ]),
    });
    this.readPolicy = new IamRolePolicy(this, 'snowflake_lake_read', {
      role: lakeReader.name,
      name: 'read-dataset-prefixes',
      policy: policyDocument([
        {
          Sid: 'ReadDatasetObjects',
          Effect: 'Allow',
          Action: ['s3:GetObject', 's3:GetObjectVersion'],
          Resource: DATASET_NAMES.map((d) => `${bucketArn}/${d}/*`),
        },
        {
          Sid: 'ListDatasetPrefixes',
          Effect: 'Allow',
          Action: 's3:ListBucket',
          Resource: bucketArn,
          Condition: { StringLike: { 's3:prefix': DATASET_NAMES.map((d) => `${d}/*`) } },
        },
        { Sid: 'LocateBucket', Effect: 'Allow', Action: 's3:GetBucketLocation', Resource: bucketArn },
      ]),
    });
  }
}
