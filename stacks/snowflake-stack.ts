/**
 * The Snowflake side of one environment: database, RAW/EXPOSED schemas, warehouse, and the constructs in
 * stacks/constructs/: access roles and grants (snowflake-access-roles), the storage integration and the
 * AWS role it assumes (snowflake-lake-integration), per dataset a table, stage, topic policy and
 * auto-ingest Snowpipe (dataset-ingestion), the EXPOSED views from sql/exposed/ (exposed-views).
 *
 * It consumes the AWS stack's outputs (bucket, per-dataset topics) as CDKTF tokens: CDKTF turns them into
 * outputs of the AWS stack and a remote-state lookup here, so no ARN is ever copied by hand.
 *
 * The constructs that group account-level objects are ResourceGroups: their resources keep the Terraform
 * addresses they had before the stack was split (a new address would be a destroy + create).
 */
import { Database } from '@cdktf/provider-snowflake/lib/database';
import { FileFormat } from '@cdktf/provider-snowflake/lib/file-format';
import type { Pipe } from '@cdktf/provider-snowflake/lib/pipe';
import { SnowflakeProvider } from '@cdktf/provider-snowflake/lib/provider';
import { Schema } from '@cdktf/provider-snowflake/lib/schema';
import { Warehouse } from '@cdktf/provider-snowflake/lib/warehouse';
import { TerraformOutput } from 'cdktf';
import type { Construct } from 'constructs';
import type { EnvConfig } from '../envs/types';
import { DATASET_NAMES, type DatasetName } from '../lambdas/core/datasets';
import { EXPOSED_SCHEMA, PARQUET_FILE_FORMAT, RAW_SCHEMA } from '../sql/ddl';
import type { AwsStackOutputs } from './aws-outputs';
import { configureAwsProvider } from './aws-provider';
import { configureBackend } from './backend';
import { DatasetIngestion } from './constructs/dataset-ingestion';
import { ExposedViews } from './constructs/exposed-views';
import { PipeErrorNotifications } from './constructs/pipe-error-notifications';
import { SnowflakeAccessRoles } from './constructs/snowflake-access-roles';
import { SnowflakeLakeIntegration } from './constructs/snowflake-lake-integration';
import { FdlStack } from './fdl-stack';
import { usePermissionsBoundary } from './iam';
import { Naming } from './naming';

export { datasetStageUrl, SNOWFLAKE_LAKE_READER } from './constructs/snowflake-lake-integration';

/**
 * Exactly the preview features the resources below need (provider 2.11 refuses preview resources that
 * are not listed, and listing more would silently allow preview resources nobody reviewed).
 */
export const SNOWFLAKE_PREVIEW_FEATURES = [
  'snowflake_file_format_resource',
  'snowflake_storage_integration_resource',
  'snowflake_stage_resource',
  'snowflake_table_resource',
  'snowflake_pipe_resource',
  'snowflake_system_get_aws_sns_iam_policy_datasource',
  'snowflake_notification_integration_resource',
] as const;

export interface SnowflakeStackProps {
  readonly env: EnvConfig;
  /** The AWS stack's outputs (tokens): bucket, per-dataset topics, account. */
  readonly aws: AwsStackOutputs;
}

export class SnowflakeStack extends FdlStack {
  /** The pipes, by dataset (for outputs and tests). */
  readonly pipes: Readonly<Record<DatasetName, Pipe>>;

  constructor(scope: Construct, id: string, props: SnowflakeStackProps) {
    super(scope, id);
    const { env, aws } = props;
    const naming = new Naming(env);
    usePermissionsBoundary(this, env);
    configureBackend(this, env, id);

    // Authentication comes from the environment, never from code or Terraform variables (which would end
    // up in state): SNOWFLAKE_USER, SNOWFLAKE_PRIVATE_KEY (PEM; or SNOWFLAKE_PRIVATE_KEY_PASSPHRASE for an
    // encrypted key), SNOWFLAKE_ROLE (the deployer role) and SNOWFLAKE_WAREHOUSE (a warehouse the deployer
    // can use: creating views needs one, and this stack's own warehouse does not exist on the first apply).
    new SnowflakeProvider(this, 'snowflake', {
      organizationName: env.snowflake.organizationName,
      accountName: env.snowflake.accountName,
      authenticator: 'SNOWFLAKE_JWT',
      previewFeaturesEnabled: [...SNOWFLAKE_PREVIEW_FEATURES],
    });
    configureAwsProvider(this, env, id);

    const database = new Database(this, 'database', {
      name: naming.snowflakeDatabase(),
      comment: `finance-de-lab ${env.name}: RAW (Snowpipe, append-only) and EXPOSED (BI views).`,
      dataRetentionTimeInDays: env.snowflake.dataRetentionDays,
      // Nothing lands in PUBLIC; an empty schema only invites objects nobody manages.
      dropPublicSchemaOnCreation: true,
    });
    const dbName = database.name;
    // Managed access: only the schema owner (the deployer) grants on objects inside, so an object's owner
    // cannot widen access to RAW behind the roles below.
    const raw = new Schema(this, 'raw', {
      database: dbName,
      name: RAW_SCHEMA,
      withManagedAccess: 'true',
      comment: 'Append-only landing tables loaded by Snowpipe; duplicates are removed in EXPOSED.',
    });
    const exposed = new Schema(this, 'exposed', {
      database: dbName,
      name: EXPOSED_SCHEMA,
      withManagedAccess: 'true',
      comment: 'Deduplicated, analysis-ready views for BI (sql/exposed/).',
    });
    const warehouse = new Warehouse(this, 'warehouse', {
      name: naming.snowflake('warehouse'),
      warehouseSize: env.snowflake.warehouseSize,
      autoSuspend: env.snowflake.warehouseAutoSuspendSeconds,
      autoResume: 'true',
      initiallySuspended: true,
      comment: 'BI queries and ingestion checks. Snowpipe does not use it (serverless).',
    });

    const access = new SnowflakeAccessRoles(this, 'access', {
      naming,
      database: dbName,
      warehouse: warehouse.name,
      rawSchema: raw.fullyQualifiedName,
      exposedSchema: exposed.fullyQualifiedName,
    });

    const bucket = aws.lakeBucketName;
    const lake = new SnowflakeLakeIntegration(this, 'lake', {
      naming,
      accountId: env.account,
      bucketName: bucket,
      bucketArn: aws.lakeBucketArn,
    });

    const parquet = new FileFormat(this, 'parquet', {
      database: dbName,
      schema: raw.name,
      name: PARQUET_FILE_FORMAT,
      formatType: 'PARQUET',
      comment:
        'Lake Parquet (for ad-hoc SELECT on the stages; the pipes inline USE_LOGICAL_TYPE, see sql/ddl.ts).',
    });

    // Every pipe reports files it cannot load to the alerts topic (not only to COPY_HISTORY).
    const pipeErrors = new PipeErrorNotifications(this, 'pipe_errors', {
      naming,
      accountId: env.account,
      topicArn: aws.alertsTopicArn,
    });

    const ingestion = Object.fromEntries(
      DATASET_NAMES.map((dataset) => [
        dataset,
        new DatasetIngestion(this, naming.id(dataset), {
          dataset,
          database: dbName,
          databaseName: naming.snowflakeDatabase(),
          schema: raw.name,
          bucketName: bucket,
          bucketArn: aws.lakeBucketArn,
          accountId: env.account,
          topicArn: aws.datasetTopicArns[dataset],
          storageIntegration: lake.integration.name,
          fileFormat: parquet.fullyQualifiedName,
          pipeDependsOn: [lake.readPolicy],
          errorIntegration: pipeErrors.integration.name,
        }),
      ]),
    ) as Record<DatasetName, DatasetIngestion>;
    const perDataset = DATASET_NAMES.map((d) => ingestion[d]);
    const pipes = Object.fromEntries(DATASET_NAMES.map((d) => [d, ingestion[d].pipe])) as Record<
      DatasetName,
      Pipe
    >;
    this.pipes = pipes;
    const tables = perDataset.map((i) => i.table);

    const { views } = new ExposedViews(this, 'exposed_views', {
      naming,
      database: dbName,
      schema: exposed.name,
      tables,
    });
    access.grantOnExisting(views, [
      ...tables,
      ...perDataset.map((i) => i.stage),
      ...Object.values(pipes),
      parquet,
    ]);

    // Outputs for debugging; no secrets.
    new TerraformOutput(this, 'storage_integration_iam_user_arn', {
      value: lake.integration.storageAwsIamUserArn,
    });
    for (const dataset of DATASET_NAMES)
      new TerraformOutput(this, `${naming.id(dataset)}_pipe_notification_channel`, {
        value: pipes[dataset].notificationChannel,
        description: `SQS queue Snowflake reads for ${dataset}; check with SYSTEM$PIPE_STATUS.`,
      });
  }
}
