import { Testing } from 'cdktf';
import { afterAll, describe, expect, it } from 'vitest';
import { env as dev } from '../../envs/dev.env';
import { env as prod } from '../../envs/prod.env';
import { LakeBucket } from '../../stacks/constructs/lake-bucket';
import { Naming } from '../../stacks/naming';
import { SnowflakeStack } from '../../stacks/snowflake-stack';
import { fakeAwsOutputs } from '../snowflake/fake-aws-outputs';
import { onlyResource, removeOutdirs, resourcesOf, synthScope } from './support';

/**
 * Facts otherwise guarded only by snapshots, stated as intent: a snapshot update would accept a change to
 * any of them, these tests say why each value matters.
 */
afterAll(removeOutdirs);

describe('LakeBucket intent', () => {
  const synth = synthScope((scope) => {
    new LakeBucket(scope, 'lake', {
      bucketName: 'finance-de-lab-test-eu-west-1',
      rawInfrequentAccessDays: 30,
      rawExpireDays: 90,
      rejectsExpireDays: 45,
    });
  });

  it('disables ACLs so the bucket owner owns every object (Snowflake and Lambda writes included)', () => {
    expect(onlyResource(synth, 'aws_s3_bucket_ownership_controls').rule).toEqual({
      object_ownership: 'BucketOwnerEnforced',
    });
  });

  it('aborts incomplete multipart uploads after 7 days on every prefix, so failed uploads stop costing', () => {
    const rules = onlyResource(synth, 'aws_s3_bucket_lifecycle_configuration').rule as Record<
      string,
      unknown
    >[];
    const aborting = rules.filter((r) => r.abort_incomplete_multipart_upload);
    expect(aborting).toHaveLength(1);
    expect(aborting[0]!.status).toBe('Enabled');
    expect(aborting[0]!.filter).toEqual([{ prefix: '' }]);
    expect(aborting[0]!.abort_incomplete_multipart_upload).toEqual([{ days_after_initiation: 7 }]);
  });
});

describe('SnowflakeStack intent', () => {
  const synth = (env: typeof dev) =>
    Testing.synth(
      new SnowflakeStack(Testing.app(), new Naming(env).stack('snowflake'), {
        env,
        aws: fakeAwsOutputs(env),
      }),
    );

  it.each([dev, prod])(
    'suspends the $name warehouse after the configured idle seconds, resumes on demand and starts suspended',
    (env) => {
      const wh = onlyResource(synth(env), 'snowflake_warehouse');
      expect(wh.auto_suspend).toBe(env.snowflake.warehouseAutoSuspendSeconds);
      expect(wh.auto_resume).toBe('true');
      expect(wh.initially_suspended).toBe(true);
    },
  );

  it('gives LOADER future grants on RAW only: tables to read and insert, stages and formats to use, pipes to operate', () => {
    const json = synth(dev);
    const future = resourcesOf(json, 'snowflake_grant_privileges_to_account_role')
      .map(([, g]) => g)
      .filter((g) => String(g.account_role_name).includes('loader'))
      .map(
        (g) =>
          (g.on_schema_object as { future?: { object_type_plural: string; in_schema: string } } | undefined)
            ?.future && g,
      )
      .filter((g): g is Record<string, unknown> => !!g);
    const byType = Object.fromEntries(
      future.map((g) => {
        const f = (g.on_schema_object as { future: { object_type_plural: string; in_schema: string } })
          .future;
        expect(f.in_schema).toMatch(/snowflake_schema\.raw/);
        return [f.object_type_plural, [...(g.privileges as string[])].sort()];
      }),
    );
    expect(byType).toEqual({
      TABLES: ['INSERT', 'SELECT'],
      STAGES: ['USAGE'],
      'FILE FORMATS': ['USAGE'],
      PIPES: ['MONITOR', 'OPERATE'],
    });
  });
});
