/**
 * The one implementation of the naming conventions (docs/external-facts.md, "Naming conventions"). Every
 * construct takes its physical names from here, never from literals.
 *
 * - Terraform/construct ids: snake_case, never repeating the resource type (`lake`, not `lake_bucket`).
 * - S3 buckets: `finance-de-lab-<env>-<region>`.
 * - IAM and EventBridge: PascalCase `Fdl<Env><Resource>`.
 * - Other AWS objects: kebab-case `fdl-<env>-<resource>`.
 * - Snowflake account-level objects: `FDL_<ENV>_<RESOURCE>`; the database is `FDL_<ENV>`.
 */

import type { EnvConfig } from '../envs/types';
import type { DatasetName } from '../lambdas/core/datasets';

import { snake, snowflakeObjectName, upperSnake, words } from '../sql/identifiers';

export { snake, upperSnake };
export const kebab = (s: string) => words(s).join('-');
export const pascal = (s: string) =>
  words(s)
    .map((w) => w[0]!.toUpperCase() + w.slice(1))
    .join('');

export const PROJECT = 'finance-de-lab';
export const SHORT = 'fdl';

export class Naming {
  constructor(
    readonly env: Pick<EnvConfig, 'name' | 'region' | 'lakeBucket' | 'topicSuffix' | 'snowflake'>,
  ) {}

  /** Stack name, e.g. `fdl-dev-aws`. */
  stack(kind: string): string {
    return `${SHORT}-${this.env.name}-${kebab(kind)}`;
  }

  /** Construct/Terraform id: snake_case. */
  id(name: string): string {
    return snake(name);
  }

  /** Kebab-case AWS name: `fdl-dev-extract-coinlore`. */
  resource(name: string): string {
    return `${SHORT}-${this.env.name}-${kebab(name)}`;
  }

  /** PascalCase IAM/EventBridge name: `FdlDevExtractCoinlore`. IAM role names max 64 chars. */
  iam(name: string): string {
    const n = pascal(`${SHORT} ${this.env.name} ${name}`);
    if (n.length > 64) throw new Error(`IAM name "${n}" is longer than 64 characters`);
    return n;
  }

  /**
   * The env's permissions boundary, a managed policy the bootstrap stack creates and every role of the
   * env must carry: `FdlDevPermissionsBoundary` (ARN: `permissionsBoundaryArn` in stacks/iam.ts).
   */
  permissionsBoundary(): string {
    return this.iam('PermissionsBoundary');
  }

  /** The lake bucket: `finance-de-lab-dev-eu-west-1` unless the env overrides it. */
  lakeBucket(): string {
    return this.env.lakeBucket ?? `${PROJECT}-${this.env.name}-${this.env.region}`;
  }

  /** SNS topic for a dataset's Snowpipe; the suffix can change to dodge AWS's 72 h resubscribe block. */
  datasetTopic(dataset: DatasetName): string {
    return `${this.resource(dataset)}-${this.env.topicSuffix}`;
  }

  /** Lambda function name: `fdl-dev-extract-coinlore`. */
  functionName(fn: string): string {
    return this.resource(fn);
  }

  /** Log group Lambda writes to for a function (the name Lambda uses by default, so none is auto-created). */
  functionLogGroup(fn: string): string {
    return `/aws/lambda/${this.functionName(fn)}`;
  }

  /** The pipeline's Step Functions state machine: `fdl-dev-pipeline`. */
  stateMachine(): string {
    return this.resource('pipeline');
  }

  /**
   * The state machine's log group. AWS recommends the `/aws/vendedlogs/` prefix for vended logs: it keeps
   * the account's CloudWatch Logs resource policy under its size limit.
   */
  stateMachineLogGroup(): string {
    return `/aws/vendedlogs/states/${this.stateMachine()}`;
  }

  /** The backfill state machine (Distributed Map over the raw archive): `fdl-dev-backfill`. */
  backfillStateMachine(): string {
    return this.resource('backfill');
  }

  /** The backfill state machine's log group (vended-logs prefix, as for the pipeline). */
  backfillStateMachineLogGroup(): string {
    return `/aws/vendedlogs/states/${this.backfillStateMachine()}`;
  }

  /** ECR repository holding the one Lambda image: `fdl-dev-lambdas`. */
  ecrRepository(): string {
    return this.resource('lambdas');
  }

  /** Secrets Manager secret with the Reddit client credentials: `fdl-dev-reddit-credentials`. */
  redditSecret(): string {
    return this.resource('reddit credentials');
  }

  /** The alerts SNS topic: `fdl-dev-alerts`. */
  alertsTopic(): string {
    return this.resource('alerts');
  }

  /** Snowflake database: `FDL_DEV` unless the env overrides it. */
  snowflakeDatabase(): string {
    return this.env.snowflake.database ?? upperSnake(`${SHORT} ${this.env.name}`);
  }

  /** Snowflake account-level object: `FDL_DEV_LOADER`. */
  snowflake(name: string): string {
    return upperSnake(`${SHORT} ${this.env.name} ${name}`);
  }

  /** Snowflake schema-level object (table, stage, pipe, view): `COINLORE_TICKERS`. */
  snowflakeObject(name: string): string {
    return snowflakeObjectName(name);
  }
}

/**
 * Terraform address name of a resource: the construct path inside its stack in snake_case, minus trailing
 * words its resource type already says (`lake` + `bucket` → `aws_s3_bucket.lake`, not `lake_bucket`), and
 * without CDKTF's default hash suffix, so addresses read like hand-written Terraform and stay stable when
 * constructs are refactored without renaming. `type` is e.g. `aws_s3_bucket` (empty for non-resources).
 */
export function terraformName(path: readonly string[], type: string): string {
  const typeWords = new Set(type.split('_').slice(1));
  const name = words(path.join(' '));
  while (name.length > 1 && typeWords.has(name[name.length - 1]!)) name.pop();
  return name.join('_');
}
