import { S3Bucket } from '@cdktf/provider-aws/lib/s3-bucket';
import { S3BucketVersioningA } from '@cdktf/provider-aws/lib/s3-bucket-versioning';
import { SnsTopic } from '@cdktf/provider-aws/lib/sns-topic';
import { Testing } from 'cdktf';
import { Construct } from 'constructs';
import { describe, expect, it } from 'vitest';
import { FdlStack } from '../../stacks/fdl-stack';
import { terraformName } from '../../stacks/naming';

class Lake extends Construct {
  constructor(scope: Construct, id: string) {
    super(scope, id);
    const bucket = new S3Bucket(this, 'bucket', { bucket: 'b' });
    new S3BucketVersioningA(this, 'versioning', {
      bucket: bucket.id,
      versioningConfiguration: { status: 'Enabled' },
    });
  }
}

class TestStack extends FdlStack {}

describe('terraformName', () => {
  it.each([
    [['lake', 'bucket'], 'aws_s3_bucket', 'lake'],
    [['lake', 'public_access'], 'aws_s3_bucket_public_access_block', 'lake'],
    [['coinlore_tickers_topic', 'sns'], 'aws_sns_topic', 'coinlore_tickers'],
    [['extract-coinlore', 'logs'], 'aws_cloudwatch_log_group', 'extract_coinlore_logs'],
    [['database'], 'snowflake_database', 'database'],
  ])('names %j of type %s as %s', (path, type, expected) => {
    expect(terraformName(path, type)).toBe(expected);
  });
});

describe('FdlStack', () => {
  it('gives resources hash-free addresses without the type repeated when built from constructs', () => {
    const app = Testing.app();
    const stack = new TestStack(app, 'test');
    new Lake(stack, 'lake');
    const tf = JSON.parse(Testing.synth(stack)) as { resource: Record<string, Record<string, unknown>> };
    expect(Object.keys(tf.resource.aws_s3_bucket!)).toEqual(['lake']);
    expect(Object.keys(tf.resource.aws_s3_bucket_versioning!)).toEqual(['lake']);
  });

  it('fails naming both construct paths when two resources of one type would share an address', () => {
    const app = Testing.app();
    const stack = new TestStack(app, 'test');
    new SnsTopic(stack, 'alerts', { name: 'a' });
    const inner = new Construct(stack, 'alerts_topic');
    new SnsTopic(inner, 'sns', { name: 'b' });
    expect(() => Testing.synth(stack)).toThrow(
      /"alerts" and "alerts_topic\/sns" would both be aws_sns_topic\.alerts/,
    );
  });
});
