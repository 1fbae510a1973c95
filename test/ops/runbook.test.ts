import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { env as dev } from '../../envs/dev.env';
import { IMAGE_FUNCTION_NAMES } from '../../envs/types';
import { DATASET_NAMES } from '../../lambdas/core/datasets';
import { EXPOSED_SCHEMA, pipeName, RAW_SCHEMA, rawTableName, stageName } from '../../sql/ddl';
import { EXPOSED_VIEW_NAMES } from '../../sql/views';
import { bootstrapStateKey } from '../../stacks/bootstrap-stack';
import { SNOWFLAKE_PIPE_ERROR_PUBLISHER } from '../../stacks/constructs/pipe-error-notifications';
import { SNOWFLAKE_LAKE_READER } from '../../stacks/constructs/snowflake-lake-integration';
import { Naming } from '../../stacks/naming';
import { bootstrapNames } from '../../stacks/snowflake-bootstrap';

const runbook = readFileSync(new URL('../../docs/runbook.md', import.meta.url), 'utf8');

/** Every physical dev name the runbook may mention, derived from the naming helper and the DDL. */
function knownNames(): Set<string> {
  const n = new Naming(dev);
  const bumped = new Naming({ ...dev, topicSuffix: 'v2' });
  const db = n.snowflakeDatabase();
  return new Set([
    ...['bootstrap', 'ecr', 'aws', 'snowflake'].map((k) => n.stack(k)),
    ...IMAGE_FUNCTION_NAMES.flatMap((fn) => [n.functionName(fn), n.resource(`${fn} errors`)]),
    ...DATASET_NAMES.map((d) => n.resource(`${d} pipe health`)),
    n.resource('pipeline schedule dead letters'),
    n.resource('snowflake check credentials'),
    n.iam('pipeline schedule'),
    n.iam('pipe health schedule'),
    n.iam(SNOWFLAKE_PIPE_ERROR_PUBLISHER),
    n.iam(SNOWFLAKE_LAKE_READER),
    n.snowflake('pipe_errors'),
    n.snowflake('lake_integration'),
    n.stateMachine(),
    `${n.stateMachine()}-executions-failed`,
    n.backfillStateMachine(),
    `${n.backfillStateMachine()}-executions-failed`,
    `${n.backfillStateMachine()}-executions-timed-out`,
    `${n.stateMachine()}-executions-timed-out`,
    n.alertsTopic(),
    n.redditSecret(),
    n.ecrRepository(),
    ...DATASET_NAMES.flatMap((d) => [n.datasetTopic(d), bumped.datasetTopic(d)]),
    n.iam('GithubDeploy'),
    n.iam('GithubPlan'),
    n.permissionsBoundary(),
    ...Object.values(bootstrapNames(dev)),
    db,
    ...['warehouse', 'loader', 'reader'].map((k) => n.snowflake(k)),
    ...DATASET_NAMES.flatMap((d) => [pipeName(d), stageName(d), rawTableName(d)]).map(
      (o) => `${db}.${RAW_SCHEMA}.${o}`,
    ),
    ...EXPOSED_VIEW_NAMES.map((v) => `${db}.${EXPOSED_SCHEMA}.${v.toUpperCase()}`),
    `${db}.INFORMATION_SCHEMA.COPY_HISTORY`,
  ]);
}

describe('docs/runbook.md', () => {
  const known = knownNames();

  it.each([
    ['kebab-case AWS names', /\bfdl-dev-[a-z0-9-]*[a-z0-9]/g],
    ['IAM names', /\bFdlDev[A-Za-z]+/g],
    ['Snowflake names', /\bFDL_DEV(?:\.[A-Z_]+\.[A-Z_]+|[A-Z_]*)/g],
  ])('names only objects the naming helper produces (%s)', (_kind, pattern) => {
    const mentioned = [...new Set(runbook.match(pattern) ?? [])];
    expect(mentioned.length).toBeGreaterThan(0);
    expect(mentioned.filter((m) => !known.has(m))).toEqual([]);
  });

  it('uses the lake bucket, the state bucket and the bootstrap state key of the dev config', () => {
    const n = new Naming(dev);
    expect(runbook).toContain(n.lakeBucket());
    expect(runbook).toContain(dev.state.bucket);
    expect(runbook).toContain(bootstrapStateKey(dev));
  });

  it('covers every pipe with a status command and the recovery statements', () => {
    expect(runbook).toContain(
      `SYSTEM$PIPE_STATUS('${new Naming(dev).snowflakeDatabase()}.RAW.${pipeName('coinlore_tickers')}')`,
    );
    for (const stmt of [
      'ALTER PIPE',
      'REFRESH',
      'SYSTEM$PIPE_FORCE_RESUME',
      'FORCE = TRUE',
      'check-ingestion --env dev',
      'reprocess --raw',
      'fdl reprocess --raw <dir> --lake <dir> --run <run-id>',
      'aws stepfunctions redrive-execution',
      'INGEST_FAILED_FILE',
    ])
      expect(runbook).toContain(stmt);
  });
});
