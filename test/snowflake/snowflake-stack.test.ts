import { App, Testing } from 'cdktf';
import { beforeAll, describe, expect, it } from 'vitest';
import { env as dev } from '../../envs/dev.env';
import { loadEnvs } from '../../envs/load';
import type { EnvConfig } from '../../envs/types';
import { DATASET_NAMES, LOAD_METADATA_COLUMNS } from '../../lambdas/core/datasets';
import { rawTableName, snowflakeCopyStatement, snowflakeRawColumns } from '../../sql/ddl';
import { EXPOSED_VIEW_NAMES, exposedViews } from '../../sql/views';
import { buildApp } from '../../stacks/app';
import { SNOWFLAKE_PIPE_ERROR_PUBLISHER } from '../../stacks/constructs/pipe-error-notifications';
import { Naming } from '../../stacks/naming';
import { checkPolicies } from '../../stacks/policy/index';
import type { TerraformJson } from '../../stacks/policy/types';
import {
  SNOWFLAKE_LAKE_READER,
  SNOWFLAKE_PREVIEW_FEATURES,
  SnowflakeStack,
} from '../../stacks/snowflake-stack';
import { readStack } from '../../stacks/synth';
import { fakeAwsOutputs } from './fake-aws-outputs';

/** Every env of envs/: adding an env adds its cases here without editing the test. */
const ENVS = await loadEnvs();

type Body = Record<string, unknown>;
interface Synth {
  resource: Record<string, Record<string, Body>>;
  data: Record<string, Record<string, Body>>;
  provider: Record<string, Body[]>;
  output?: Record<string, Body>;
}

const synthWithFakes = (env: EnvConfig) => {
  const app = Testing.app();
  const stack = new SnowflakeStack(app, new Naming(env).stack('snowflake'), {
    env,
    aws: fakeAwsOutputs(env),
  });
  const json = Testing.synth(stack);
  return { json, tf: JSON.parse(json) as Synth };
};

const bodies = (tf: Synth, type: string) => Object.values(tf.resource[type] ?? {});
const entries = (tf: Synth, type: string) => Object.entries(tf.resource[type] ?? {});

describe('SnowflakeStack', () => {
  const synths = new Map<string, { json: string; tf: Synth }>();
  const appSynths = new Map<string, { snowflake: Synth; aws: Synth }>();
  beforeAll(() => {
    for (const env of ENVS) synths.set(env.name, synthWithFakes(env));
    // The whole app, as `npm run synth` builds it: real AWS stacks, cross-stack references resolved, and
    // the `//` metadata (policy exemptions) that Testing.synth strips.
    const app = new App({ outdir: Testing.app().outdir });
    const { byEnv } = buildApp(app, ENVS);
    app.synth();
    for (const env of ENVS) {
      const stacks = byEnv[env.name]!;
      appSynths.set(env.name, {
        snowflake: readStack(app.outdir, stacks.snowflake.node.id) as unknown as Synth,
        aws: readStack(app.outdir, stacks.aws.node.id) as unknown as Synth,
      });
    }
  });
  const devTf = () => synths.get('dev')!.tf;

  it('creates one auto-ingest pipe per dataset, each on its own dataset topic', () => {
    const tf = devTf();
    const topics = fakeAwsOutputs(dev).datasetTopicArns;
    const pipes = bodies(tf, 'snowflake_pipe');
    expect(pipes).toHaveLength(DATASET_NAMES.length);
    expect(new Set(pipes.map((p) => p.aws_sns_topic_arn)).size).toBe(DATASET_NAMES.length);
    for (const dataset of DATASET_NAMES) {
      const pipe = pipes.find((p) => String(p.copy_statement).includes(`.RAW.${rawTableName(dataset)}\n`));
      expect(pipe, dataset).toBeDefined();
      expect(pipe!.auto_ingest).toBe(true);
      expect(pipe!.aws_sns_topic_arn).toBe(topics[dataset]);
    }
  });

  it('gives every dataset topic a policy merging Snowflake subscribe and lake-bucket-only publish', () => {
    const tf = devTf();
    const aws = fakeAwsOutputs(dev);
    const policies = bodies(tf, 'aws_sns_topic_policy');
    const docs = tf.data.aws_iam_policy_document ?? {};
    const snsData = tf.data.snowflake_system_get_aws_sns_iam_policy ?? {};
    for (const dataset of DATASET_NAMES) {
      const topic = aws.datasetTopicArns[dataset];
      const policy = policies.find((p) => p.arn === topic);
      expect(policy, dataset).toBeDefined();
      const docName = /^\$\{data\.aws_iam_policy_document\.([^.]+)\.json\}$/.exec(
        String(policy!.policy),
      )?.[1];
      const sources = docs[docName!]!.source_policy_documents as string[];
      expect(sources).toHaveLength(2);
      const snowflakeRef =
        /^\$\{data\.snowflake_system_get_aws_sns_iam_policy\.([^.]+)\.aws_sns_topic_policy_json\}$/.exec(
          sources[0]!,
        )?.[1];
      expect(snsData[snowflakeRef!]!.aws_sns_topic_arn).toBe(topic);
      const publish = JSON.parse(sources[1]!).Statement as Body[];
      expect(publish).toEqual([
        expect.objectContaining({
          Principal: { Service: 's3.amazonaws.com' },
          Action: 'sns:Publish',
          Resource: topic,
          Condition: {
            ArnLike: { 'aws:SourceArn': aws.lakeBucketArn },
            StringEquals: { 'aws:SourceAccount': dev.account },
          },
        }),
      ]);
    }
  });

  it('copies by column name with every load metadata column when the pipe is synthesized', () => {
    for (const pipe of bodies(devTf(), 'snowflake_pipe')) {
      const copy = String(pipe.copy_statement);
      expect(copy).toMatch(/MATCH_BY_COLUMN_NAME = CASE_INSENSITIVE/);
      for (const c of LOAD_METADATA_COLUMNS) expect(copy).toContain(`${c.name.toUpperCase()} = METADATA$`);
    }
    const tickers = bodies(devTf(), 'snowflake_pipe').find((p) => p.name === 'COINLORE_TICKERS_PIPE')!;
    expect(tickers.copy_statement).toBe(
      snowflakeCopyStatement({ database: 'FDL_DEV', dataset: 'coinlore_tickers' }),
    );
  });

  it('protects pipes from destroy and re-creates them when their stage moves', () => {
    for (const [name, pipe] of entries(devTf(), 'snowflake_pipe')) {
      const lifecycle = pipe.lifecycle as { prevent_destroy?: boolean; replace_triggered_by?: string[] };
      expect(lifecycle.prevent_destroy, name).toBe(true);
      expect(lifecycle.replace_triggered_by).toEqual([
        expect.stringMatching(/^snowflake_stage\.[a-z_]+\.url$/),
        expect.stringMatching(/^snowflake_stage\.[a-z_]+\.storage_integration$/),
      ]);
      expect(pipe.depends_on).toEqual(
        expect.arrayContaining([expect.stringMatching(/^aws_sns_topic_policy\./)]),
      );
    }
  });

  it('grants READER only usage and select on EXPOSED, the database and the warehouse', () => {
    const tf = devTf();
    const readerKey = entries(tf, 'snowflake_account_role').find(([, r]) => r.name === 'FDL_DEV_READER')![0];
    const readerGrants = bodies(tf, 'snowflake_grant_privileges_to_account_role').filter(
      (g) => g.account_role_name === `\${snowflake_account_role.${readerKey}.name}`,
    );
    expect(readerGrants.length).toBeGreaterThan(0);
    const serialized = JSON.stringify(readerGrants);
    expect(serialized).not.toContain('snowflake_schema.raw');
    for (const g of readerGrants) {
      expect(['USAGE', 'SELECT']).toEqual(expect.arrayContaining(g.privileges as string[]));
      const onSchema = JSON.stringify(g.on_schema ?? g.on_schema_object ?? '');
      if (g.on_schema || g.on_schema_object) expect(onSchema).toContain('snowflake_schema.exposed');
    }
    // Existing and future views of EXPOSED.
    const viewGrants = readerGrants.filter((g) => g.on_schema_object);
    expect(viewGrants.map((g) => Object.keys(g.on_schema_object as Body)[0]).sort()).toEqual([
      'all',
      'future',
    ]);
  });

  it('passes the project policy rules, with a written exemption only for the merged topic policies', () => {
    for (const [name, { snowflake }] of appSynths) {
      const report = checkPolicies(snowflake as unknown as TerraformJson);
      expect(report.violations, name).toEqual([]);
      expect(new Set(report.exempted.map((f) => f.address.split('.')[0]))).toEqual(
        new Set(['aws_sns_topic_policy']),
      );
    }
  });

  it('enables exactly the seven preview features the resources need', () => {
    const provider = devTf().provider.snowflake![0]!;
    expect(provider.preview_features_enabled).toEqual([...SNOWFLAKE_PREVIEW_FEATURES]);
    expect(new Set(provider.preview_features_enabled as string[]).size).toBe(7);
    expect(provider.authenticator).toBe('SNOWFLAKE_JWT');
  });

  it('puts no credential in the synthesized JSON', () => {
    for (const [name, { json, tf }] of synths) {
      expect(json, name).not.toMatch(/PRIVATE KEY|password|passphrase/i);
      const provider = tf.provider.snowflake![0]!;
      for (const k of ['private_key', 'password', 'token', 'user', 'role'])
        expect(provider[k], `${name} provider.${k}`).toBeUndefined();
    }
  });

  it('breaks the trust cycle with a string role ARN and an external id set in code', () => {
    const tf = devTf();
    const integration = bodies(tf, 'snowflake_storage_integration')[0]!;
    const [roleKey, role] = entries(tf, 'aws_iam_role').find(
      ([, r]) => r.name === new Naming(dev).iam(SNOWFLAKE_LAKE_READER),
    )!;
    expect(integration.storage_aws_role_arn).toBe(`arn:aws:iam::${dev.account}:role/${role.name}`);
    expect(String(integration.storage_aws_role_arn)).not.toContain('${');
    const trust = JSON.parse(String(role.assume_role_policy)).Statement[0];
    const integrationKey = Object.keys(tf.resource.snowflake_storage_integration!)[0];
    expect(trust.Principal.AWS).toBe(
      `\${snowflake_storage_integration.${integrationKey}.storage_aws_iam_user_arn}`,
    );
    expect(trust.Condition.StringEquals['sts:ExternalId']).toBe(integration.storage_aws_external_id);
    expect(integration.storage_allowed_locations).toEqual(
      DATASET_NAMES.map((d) => `s3://${new Naming(dev).lakeBucket()}/${d}/`),
    );
    // The role can only read the dataset prefixes.
    const policy = bodies(tf, 'aws_iam_role_policy').find(
      (p) => p.role === `\${aws_iam_role.${roleKey}.name}`,
    )!;
    const statements = JSON.parse(String(policy.policy)).Statement as Body[];
    const actions = statements.flatMap((s) => [s.Action].flat() as string[]);
    expect(actions.sort()).toEqual([
      's3:GetBucketLocation',
      's3:GetObject',
      's3:GetObjectVersion',
      's3:ListBucket',
    ]);
    const bucketArn = fakeAwsOutputs(dev).lakeBucketArn;
    const objects = statements.find((s) => s.Sid === 'ReadDatasetObjects')!.Resource;
    expect(objects).toEqual(DATASET_NAMES.map((d) => `${bucketArn}/${d}/*`));
    const list = statements.find((s) => s.Action === 's3:ListBucket')!;
    expect(list.Condition).toEqual({ StringLike: { 's3:prefix': DATASET_NAMES.map((d) => `${d}/*`) } });
  });

  it('derives each RAW table from the dataset schema and creates every EXPOSED view from its file', () => {
    const tf = devTf();
    for (const dataset of DATASET_NAMES) {
      const table = bodies(tf, 'snowflake_table').find((t) => t.name === rawTableName(dataset))!;
      expect(table.column).toEqual(snowflakeRawColumns(dataset));
    }
    const views = bodies(tf, 'snowflake_view');
    expect(views.map((v) => v.name).sort()).toEqual(EXPOSED_VIEW_NAMES.map((n) => n.toUpperCase()).sort());
    for (const v of exposedViews()) {
      const view = views.find((b) => b.name === v.name.toUpperCase())!;
      // The file's SELECT with the env's database in front of every RAW/EXPOSED name.
      expect(view.statement).toBe(
        v.body.replace(/\b(RAW|EXPOSED)\./g, `${new Naming(dev).snowflakeDatabase()}.$1.`),
      );
      expect(view.schema).toBe(`\${snowflake_schema.exposed.name}`);
    }
  });

  it('creates a view after the EXPOSED views it reads when one view reads another', () => {
    const views = entries(devTf(), 'snowflake_view');
    const idOf = (name: string) => views.find(([, b]) => b.name === name.toUpperCase())![0];
    const readers = exposedViews().filter((v) => v.reads.length > 0);
    // The sentiment views share the posts+comments dedupe through reddit_items, the ticker views the
    // tickers dedupe through coin_tickers.
    expect(readers.map((v) => v.name).sort()).toEqual([
      'coin_sentiment_hourly',
      'latest_prices',
      'price_history',
      'subreddit_sentiment_hourly',
    ]);
    for (const v of readers) {
      const dependsOn = views.find(([id]) => id === idOf(v.name))![1].depends_on as string[];
      for (const read of v.reads) expect(dependsOn, v.name).toContain(`snowflake_view.${idOf(read)}`);
    }
  });

  it('names the database, warehouse and roles per env', () => {
    for (const env of ENVS) {
      const tf = synths.get(env.name)!.tf;
      const upper = env.name.toUpperCase();
      expect(bodies(tf, 'snowflake_database')[0]!.name).toBe(`FDL_${upper}`);
      const wh = bodies(tf, 'snowflake_warehouse')[0]!;
      expect(wh).toMatchObject({
        name: `FDL_${upper}_WAREHOUSE`,
        auto_resume: 'true',
        initially_suspended: true,
      });
      expect(
        bodies(tf, 'snowflake_account_role')
          .map((r) => r.name)
          .sort(),
      ).toEqual([`FDL_${upper}_LOADER`, `FDL_${upper}_READER`]);
      for (const s of bodies(tf, 'snowflake_schema')) expect(s.with_managed_access).toBe('true');
    }
  });

  it('gives every pipe the pipe-error notification integration, which publishes to the alerts topic', () => {
    const tf = devTf();
    const [key, integration] = entries(tf, 'snowflake_notification_integration')[0]!;
    expect(entries(tf, 'snowflake_notification_integration')).toHaveLength(1);
    expect(integration).toMatchObject({
      notification_provider: 'AWS_SNS',
      direction: 'OUTBOUND',
      enabled: true,
      aws_sns_topic_arn: fakeAwsOutputs(dev).alertsTopicArn,
    });
    const pipes = bodies(tf, 'snowflake_pipe');
    expect(pipes).toHaveLength(DATASET_NAMES.length);
    for (const pipe of pipes)
      expect(pipe.error_integration, String(pipe.name)).toBe(
        `\${snowflake_notification_integration.${key}.name}`,
      );
  });

  it('lets only the integration’s IAM user with its external id assume the publisher, which may only publish to that topic', () => {
    const tf = devTf();
    const [integrationKey, integration] = entries(tf, 'snowflake_notification_integration')[0]!;
    const roleName = new Naming(dev).iam(SNOWFLAKE_PIPE_ERROR_PUBLISHER);
    const [roleKey, role] = entries(tf, 'aws_iam_role').find(([, r]) => r.name === roleName)!;
    // The ARN is a string built from account and name: referencing the role would close a cycle.
    expect(integration.aws_sns_role_arn).toBe(`arn:aws:iam::${dev.account}:role/${roleName}`);
    const trust = JSON.parse(String(role.assume_role_policy)).Statement as Body[];
    expect(trust).toEqual([
      {
        Sid: 'SnowflakeNotificationIntegration',
        Effect: 'Allow',
        Principal: { AWS: `\${snowflake_notification_integration.${integrationKey}.aws_sns_iam_user_arn}` },
        Action: 'sts:AssumeRole',
        Condition: {
          StringEquals: {
            'sts:ExternalId': `\${snowflake_notification_integration.${integrationKey}.aws_sns_external_id}`,
          },
        },
      },
    ]);
    const policies = bodies(tf, 'aws_iam_role_policy').filter(
      (p) => p.role === `\${aws_iam_role.${roleKey}.name}`,
    );
    expect(policies).toHaveLength(1);
    expect(JSON.parse(String(policies[0]!.policy)).Statement).toEqual([
      {
        Sid: 'PublishPipeErrors',
        Effect: 'Allow',
        Action: 'sns:Publish',
        Resource: fakeAwsOutputs(dev).alertsTopicArn,
      },
    ]);
  });

  it.each([['dev'], ['prod']])('matches the %s snapshot', (name) => {
    expect(synths.get(name)!.json).toMatchSnapshot();
  });

  it('wires pipes to the real AWS stack topics through cross-stack references', () => {
    const { snowflake: tf, aws: awsTf } = appSynths.get('dev')!;
    const pipes = bodies(tf, 'snowflake_pipe');
    expect(pipes).toHaveLength(DATASET_NAMES.length);
    // Each topic ARN comes from the AWS stack's remote state, never a literal, and all are distinct.
    const topicRefs = pipes.map((p) => String(p.aws_sns_topic_arn));
    for (const ref of topicRefs) expect(ref).toMatch(/^\$\{data\.terraform_remote_state\.[^}]+\}$/);
    expect(new Set(topicRefs).size).toBe(DATASET_NAMES.length);
    // The topic policies target the same topics the pipes subscribe to.
    expect(
      bodies(tf, 'aws_sns_topic_policy')
        .map((p) => p.arn)
        .sort(),
    ).toEqual([...topicRefs].sort());
    // The AWS stack exports what the Snowflake stack reads.
    const read = topicRefs.map((ref) => /\.outputs\.([A-Za-z0-9_-]+)\}$/.exec(String(ref))?.[1]);
    for (const output of read) expect(Object.keys(awsTf.output ?? {})).toContain(output);
  });
});
