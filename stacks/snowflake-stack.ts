/**
 * The Snowflake side of one environment: database, RAW/EXPOSED schemas, warehouse, access roles, the
 * storage integration and the AWS role it assumes, and per dataset a stage, a RAW table and an
 * auto-ingest Snowpipe on that dataset's own SNS topic; the EXPOSED views from sql/exposed/.
 *
 * It consumes the AWS stack's outputs (bucket, per-dataset topics) as CDKTF tokens: CDKTF turns them into
 * outputs of the AWS stack and a remote-state lookup here, so no ARN is ever copied by hand.
 *
 * Pitfalls this stack encodes (docs/external-facts.md, "Snowpipe" and "Snowflake Terraform provider"):
 * - Snowpipe stops loading when its SNS subscription is deleted, and AWS keeps a subscription deleted by
 *   another account in "Deleted" for 72 hours, during which the same endpoint cannot resubscribe. Dropping
 *   a pipe deletes its subscription; so pipes carry prevent_destroy (topics too, in the AWS stack), and
 *   re-creating one means a new topic name (bump env.topicSuffix) or waiting 72 h.
 * - In provider 2.11 a pipe's copy_statement, auto_ingest and aws_sns_topic_arn are ForceNew: any edit is
 *   a DROP + CREATE, which prevent_destroy turns into a plan error instead of a silent re-subscription
 *   gamble. Follow the recreate procedure in the README.
 * - Trust cycle: the integration needs the role ARN, the role's trust policy needs the integration's IAM
 *   user. The ARN is built as a string from the account id and a fixed role name, and the external id is
 *   set here, so only `storage_aws_iam_user_arn` flows (integration → role) and one apply converges.
 */
import { DataAwsIamPolicyDocument } from '@cdktf/provider-aws/lib/data-aws-iam-policy-document';
import { IamRolePolicy } from '@cdktf/provider-aws/lib/iam-role-policy';
import { SnsTopicPolicy } from '@cdktf/provider-aws/lib/sns-topic-policy';
import { AccountRole } from '@cdktf/provider-snowflake/lib/account-role';
import { DataSnowflakeSystemGetAwsSnsIamPolicy } from '@cdktf/provider-snowflake/lib/data-snowflake-system-get-aws-sns-iam-policy';
import { Database } from '@cdktf/provider-snowflake/lib/database';
import { FileFormat } from '@cdktf/provider-snowflake/lib/file-format';
import { GrantAccountRole } from '@cdktf/provider-snowflake/lib/grant-account-role';
import {
  GrantPrivilegesToAccountRole,
  type GrantPrivilegesToAccountRoleConfig,
} from '@cdktf/provider-snowflake/lib/grant-privileges-to-account-role';
import { Pipe } from '@cdktf/provider-snowflake/lib/pipe';
import { SnowflakeProvider } from '@cdktf/provider-snowflake/lib/provider';
import { Schema } from '@cdktf/provider-snowflake/lib/schema';
import { Stage } from '@cdktf/provider-snowflake/lib/stage';
import { StorageIntegration } from '@cdktf/provider-snowflake/lib/storage-integration';
import { Table } from '@cdktf/provider-snowflake/lib/table';
import { View } from '@cdktf/provider-snowflake/lib/view';
import { Warehouse } from '@cdktf/provider-snowflake/lib/warehouse';
import { TerraformOutput } from 'cdktf';
import type { Construct } from 'constructs';
import type { EnvConfig } from '../envs/types';
import { DATASET_NAMES, DATASETS, type DatasetName } from '../lambdas/core/datasets';
import {
  EXPOSED_SCHEMA,
  PARQUET_FILE_FORMAT,
  pipeName,
  RAW_SCHEMA,
  rawTableName,
  snowflakeCopyStatement,
  snowflakeRawColumns,
  stageName,
} from '../sql/ddl';
import { exposedViews, snowflakeViewStatement } from '../sql/views';
import type { AwsStackOutputs } from './aws-outputs';
import { configureAwsProvider } from './aws-provider';
import { configureBackend } from './backend';
import { FdlStack } from './fdl-stack';
import { boundedRole, lakePublishStatement, policyDocument, usePermissionsBoundary } from './iam';
import { Naming } from './naming';
import { exempt } from './policy/exemption';

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
] as const;

/** Logical name of the IAM role Snowflake assumes; physical name via Naming.iam (FdlDevSnowflakeLakeReader). */
export const SNOWFLAKE_LAKE_READER = 'SnowflakeLakeReader';

/** The S3 URL of a dataset's prefix: the stage URL and one allowed location of the integration. */
export function datasetStageUrl(bucket: string, dataset: DatasetName): string {
  return `s3://${bucket}/${dataset}/`;
}

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

    // ---- Database, schemas, warehouse -------------------------------------------------------------
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

    // ---- Roles and grants -------------------------------------------------------------------------
    const loader = new AccountRole(this, 'loader', {
      name: naming.snowflake('loader'),
      comment: 'Operates ingestion: reads and loads RAW, monitors and refreshes the pipes.',
    });
    const reader = new AccountRole(this, 'reader', {
      name: naming.snowflake('reader'),
      comment: 'BI: read-only on EXPOSED (current and future views). Nothing on RAW.',
    });
    // Custom roles roll up to SYSADMIN (Snowflake's recommended hierarchy), so admins see what they own.
    for (const [key, role] of [
      ['loader', loader],
      ['reader', reader],
    ] as const)
      new GrantAccountRole(this, `${key}_to_sysadmin`, { roleName: role.name, parentRoleName: 'SYSADMIN' });

    const grant = (grantId: string, config: GrantPrivilegesToAccountRoleConfig) =>
      new GrantPrivilegesToAccountRole(this, grantId, config);
    const onDatabase = { objectType: 'DATABASE', objectName: dbName };
    const onWarehouse = { objectType: 'WAREHOUSE', objectName: warehouse.name };

    grant('reader_database', {
      accountRoleName: reader.name,
      privileges: ['USAGE'],
      onAccountObject: onDatabase,
    });
    grant('reader_warehouse', {
      accountRoleName: reader.name,
      privileges: ['USAGE'],
      onAccountObject: onWarehouse,
    });
    grant('reader_exposed', {
      accountRoleName: reader.name,
      privileges: ['USAGE'],
      onSchema: { schemaName: exposed.fullyQualifiedName },
    });
    grant('reader_future_views', {
      accountRoleName: reader.name,
      privileges: ['SELECT'],
      onSchemaObject: { future: { objectTypePlural: 'VIEWS', inSchema: exposed.fullyQualifiedName } },
    });

    grant('loader_database', {
      accountRoleName: loader.name,
      privileges: ['USAGE'],
      onAccountObject: onDatabase,
    });
    grant('loader_warehouse', {
      accountRoleName: loader.name,
      privileges: ['USAGE'],
      onAccountObject: onWarehouse,
    });
    grant('loader_raw', {
      accountRoleName: loader.name,
      privileges: ['USAGE'],
      onSchema: { schemaName: raw.fullyQualifiedName },
    });
    // Objects are owned by the deployer (Terraform must keep managing them); the loader gets what running
    // ingestion needs: SELECT/INSERT on RAW tables (backfills with COPY), USAGE on stages and the file
    // format, MONITOR (SYSTEM$PIPE_STATUS) and OPERATE (pause/resume, ALTER PIPE … REFRESH) on pipes.
    const loaderObjectGrants: ReadonlyArray<readonly [string, string, readonly string[]]> = [
      ['tables', 'TABLES', ['SELECT', 'INSERT']],
      ['stages', 'STAGES', ['USAGE']],
      ['file_formats', 'FILE FORMATS', ['USAGE']],
      ['pipes', 'PIPES', ['MONITOR', 'OPERATE']],
    ];
    for (const [key, plural, privileges] of loaderObjectGrants)
      grant(`loader_future_${key}`, {
        accountRoleName: loader.name,
        privileges: [...privileges],
        onSchemaObject: { future: { objectTypePlural: plural, inSchema: raw.fullyQualifiedName } },
      });

    // ---- Storage integration and the AWS role it assumes --------------------------------------------
    const readerRoleName = naming.iam(SNOWFLAKE_LAKE_READER);
    // Built as a string, not aws_iam_role.arn: referencing the role would make the integration wait for
    // the role, whose trust policy waits for the integration (snowflakedb/terraform-provider-snowflake#2624).
    const readerRoleArn = `arn:aws:iam::${env.account}:role/${readerRoleName}`;
    // Set by us (settable since provider 2.5), stable per env and account; not a secret (AWS: the
    // external id guards against the confused deputy, it is not a credential).
    const externalId = `${naming.resource('snowflake-lake')}-${env.account}`;
    const bucket = aws.lakeBucketName;
    const integration = new StorageIntegration(this, 'lake_integration', {
      name: naming.snowflake('lake_integration'),
      type: 'EXTERNAL_STAGE',
      storageProvider: 'S3',
      enabled: true,
      storageAwsRoleArn: readerRoleArn,
      storageAwsExternalId: externalId,
      storageAllowedLocations: DATASET_NAMES.map((d) => datasetStageUrl(bucket, d)),
      comment: 'Read-only access to the dataset prefixes of the lake bucket (not raw/ or rejects/).',
    });

    const lakeReader = boundedRole(this, 'snowflake_lake_reader', {
      name: readerRoleName,
      description: 'Assumed by the Snowflake storage integration to read the dataset prefixes of the lake.',
      assumeRolePolicy: policyDocument([
        {
          Sid: 'SnowflakeStorageIntegration',
          Effect: 'Allow',
          Principal: { AWS: integration.storageAwsIamUserArn },
          Action: 'sts:AssumeRole',
          Condition: { StringEquals: { 'sts:ExternalId': externalId } },
        },
      ]),
    });
    const lakeReaderPolicy = new IamRolePolicy(this, 'snowflake_lake_read', {
      role: lakeReader.name,
      name: 'read-dataset-prefixes',
      policy: policyDocument([
        {
          Sid: 'ReadDatasetObjects',
          Effect: 'Allow',
          Action: ['s3:GetObject', 's3:GetObjectVersion'],
          Resource: DATASET_NAMES.map((d) => `${aws.lakeBucketArn}/${d}/*`),
        },
        {
          Sid: 'ListDatasetPrefixes',
          Effect: 'Allow',
          Action: 's3:ListBucket',
          Resource: aws.lakeBucketArn,
          Condition: { StringLike: { 's3:prefix': DATASET_NAMES.map((d) => `${d}/*`) } },
        },
        { Sid: 'LocateBucket', Effect: 'Allow', Action: 's3:GetBucketLocation', Resource: aws.lakeBucketArn },
      ]),
    });

    const parquet = new FileFormat(this, 'parquet', {
      database: dbName,
      schema: raw.name,
      name: PARQUET_FILE_FORMAT,
      formatType: 'PARQUET',
      comment:
        'Lake Parquet (for ad-hoc SELECT on the stages; the pipes inline USE_LOGICAL_TYPE, see sql/ddl.ts).',
    });

    // ---- Per dataset: table, stage, SNS policy, pipe ------------------------------------------------
    const tables: Table[] = [];
    const stages: Stage[] = [];
    const pipes = {} as Record<DatasetName, Pipe>;
    for (const dataset of DATASET_NAMES) {
      const spec = DATASETS[dataset];
      const key = naming.id(dataset);
      const topicArn = aws.datasetTopicArns[dataset];

      const table = new Table(this, `${key}_table`, {
        database: dbName,
        schema: raw.name,
        name: rawTableName(dataset),
        comment: `${spec.grain} Append-only (Snowpipe); load metadata in the last columns.`,
        column: snowflakeRawColumns(dataset).map((c) => ({ ...c })),
      });
      tables.push(table);

      const stage = new Stage(this, `${key}_stage`, {
        database: dbName,
        schema: raw.name,
        name: stageName(dataset),
        url: datasetStageUrl(bucket, dataset),
        storageIntegration: integration.name,
        fileFormat: `FORMAT_NAME = ${parquet.fullyQualifiedName}`,
        comment: `The ${dataset}/ prefix of the lake.`,
      });
      stages.push(stage);

      // The topic can hold one policy. The AWS stack creates it with an S3-publish-only policy and
      // ignore_changes on it; this resource is the one that stays: Snowflake's subscribe statement
      // (from SYSTEM$GET_AWS_SNS_IAM_POLICY) merged with "only the lake bucket of this account publishes".
      const snowflakeSubscribe = new DataSnowflakeSystemGetAwsSnsIamPolicy(this, `${key}_sns_subscribe`, {
        awsSnsTopicArn: topicArn,
      });
      const topicPolicyDoc = new DataAwsIamPolicyDocument(this, `${key}_topic_policy_document`, {
        sourcePolicyDocuments: [
          snowflakeSubscribe.awsSnsTopicPolicyJson,
          policyDocument([lakePublishStatement(topicArn, aws.lakeBucketArn, env.account)]),
        ],
      });
      const topicPolicy = new SnsTopicPolicy(this, `${key}_topic_policy`, {
        arn: topicArn,
        policy: topicPolicyDoc.json,
      });
      exempt(
        topicPolicy,
        'no-wildcard-iam',
        'Merged at plan time from Snowflake (sns:Subscribe for its IAM user on this topic only) and the literal ' +
          'S3-publish statement above (one topic, bucket and account conditions); not literal JSON in the synth.',
      );

      pipes[dataset] = new Pipe(this, `${key}_pipe`, {
        database: dbName,
        schema: raw.name,
        name: pipeName(dataset),
        comment: `Auto-ingest of s3://…/${dataset}/ via its own SNS topic. ForceNew on copy/topic: see README.`,
        copyStatement: snowflakeCopyStatement({ database: naming.snowflakeDatabase(), dataset }),
        autoIngest: true,
        awsSnsTopicArn: topicArn,
        // CREATE PIPE subscribes Snowflake's queue to the topic (needs the topic policy) and the COPY
        // names the table and stage by text (no token dependency), hence the explicit ordering.
        dependsOn: [table, stage, topicPolicy, lakeReaderPolicy],
        lifecycle: {
          // Destroying a pipe deletes its SNS subscription: 72 h before that endpoint can resubscribe.
          preventDestroy: true,
          // Provider docs: a pipe does not notice its stage moving; re-create it when the stage's location
          // or integration changes (which prevent_destroy turns into a deliberate, reviewed step).
          // (Terraform wants a plain address here, `snowflake_stage.<id>.url`, not an interpolation.)
          replaceTriggeredBy: ['url', 'storage_integration'].map(
            (attribute) => `${stage.terraformResourceType}.${stage.friendlyUniqueId}.${attribute}`,
          ),
        },
      });
    }
    this.pipes = pipes;

    // ---- EXPOSED views -----------------------------------------------------------------------------
    // The statements name RAW tables by text (qualified with this env's database by snowflakeViewStatement),
    // so they wait for the tables explicitly.
    // A view that reads another EXPOSED view depends on it: Snowflake rejects a view over a missing object.
    const viewsByName = new Map<string, View>();
    const views = exposedViews().map((view) => {
      const created = new View(this, `${naming.id(view.name)}_view`, {
        database: dbName,
        schema: exposed.name,
        name: view.name.toUpperCase(),
        statement: snowflakeViewStatement(view, naming.snowflakeDatabase()),
        comment: view.grain,
        copyGrants: true,
        dependsOn: [...tables, ...view.reads.map((r) => viewsByName.get(r)!)],
      });
      viewsByName.set(view.name, created);
      return created;
    });
    // Future grants cover views created after this grant; this one covers the views that already exist.
    grant('reader_views', {
      accountRoleName: reader.name,
      privileges: ['SELECT'],
      onSchemaObject: { all: { objectTypePlural: 'VIEWS', inSchema: exposed.fullyQualifiedName } },
      dependsOn: views,
    });
    // Same for the loader on RAW objects that exist before its future grants.
    for (const [key, plural, privileges] of loaderObjectGrants)
      grant(`loader_all_${key}`, {
        accountRoleName: loader.name,
        privileges: [...privileges],
        onSchemaObject: { all: { objectTypePlural: plural, inSchema: raw.fullyQualifiedName } },
        dependsOn: [...tables, ...stages, ...Object.values(pipes), parquet],
      });

    // ---- Outputs (debugging; no secrets) ---------------------------------------------------------------
    new TerraformOutput(this, 'storage_integration_iam_user_arn', {
      value: integration.storageAwsIamUserArn,
    });
    for (const dataset of DATASET_NAMES)
      new TerraformOutput(this, `${naming.id(dataset)}_pipe_notification_channel`, {
        value: pipes[dataset].notificationChannel,
        description: `SQS queue Snowflake reads for ${dataset}; check with SYSTEM$PIPE_STATUS.`,
      });
  }
}
