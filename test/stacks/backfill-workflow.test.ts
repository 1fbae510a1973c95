import aslValidator from 'asl-validator';
import { afterAll, describe, expect, it } from 'vitest';
import { env as dev } from '../../envs/dev.env';
import { manifestKey, resultsPrefix } from '../../lambdas/core/backfill';
import { LAKE, LAKE_ARN, naming, synthBackfillWorkflow, TRANSFORM } from './backfill-fixture';
import { removeOutdirs, resourcesOf, statementsOf } from './support';

afterAll(removeOutdirs);

const tf = synthBackfillWorkflow();

type Body = Record<string, unknown>;
const sm = resourcesOf(tf, 'aws_sfn_state_machine')[0]![1];
// Terraform escapes `${` as `$${` in the definition; undo it to read the ASL.
const asl = JSON.parse(String(sm.definition).replace(/\$\$\{/g, '${')) as { States: Record<string, Body> };
const rebuild = asl.States.Rebuild as Body & {
  ItemReader: { Arguments: Body };
  ResultWriter: { Arguments: Body };
  ItemProcessor: { ProcessorConfig: Body; States: Record<string, Body> };
  ItemBatcher: Body;
};

/** The policy statements of a role, by the role's name (log statements left out). */
function statementsOfRole(roleName: string): Body[] {
  const [role] = resourcesOf(tf, 'aws_iam_role').find(([, r]) => r.name === roleName)!;
  return resourcesOf(tf, 'aws_iam_role_policy')
    .filter(([, p]) => p.role === `\${aws_iam_role.${role}.id}`)
    .flatMap(([, p]) => statementsOf(p.policy))
    .filter((s) => s.Sid !== 'WriteOwnLogGroup' && s.Sid !== 'CloudWatchLogsDelivery');
}

/** IAM's `*` glob (any characters, `/` included) as a RegExp. */
const glob = (pattern: string) =>
  new RegExp(
    `^${pattern
      .split('*')
      .map((p) => p.replace(/[.?+^$()[\]{}|\\]/g, '\\$&'))
      .join('.*')}$`,
  );

describe('BackfillWorkflow', () => {
  it('reads the manifest the plan writes and writes results to the lake bucket when the Distributed Map runs', () => {
    expect(rebuild.ItemProcessor.ProcessorConfig).toEqual({ Mode: 'DISTRIBUTED', ExecutionType: 'EXPRESS' });
    expect(rebuild.ItemReader).toMatchObject({
      Resource: 'arn:aws:states:::s3:getObject',
      ReaderConfig: { InputType: 'JSON' },
      Arguments: { Bucket: LAKE, Key: '{% $plan.manifestKey %}' },
    });
    expect(rebuild.ResultWriter).toEqual({
      Resource: 'arn:aws:states:::s3:putObject',
      Arguments: { Bucket: LAKE, Prefix: '{% $plan.resultsPrefix %}' },
    });
    expect(rebuild.MaxConcurrency).toBe(dev.backfill.maxConcurrency);
    expect(rebuild.ToleratedFailurePercentage).toBe(dev.backfill.toleratedFailurePercentage);
    expect(rebuild.ItemBatcher.MaxItemsPerBatch).toBe(dev.backfill.itemsPerBatch);
    const item = (
      rebuild.ItemProcessor.States.TransformBatch as { ItemProcessor: { States: Record<string, Body> } }
    ).ItemProcessor.States.TransformItem as { Arguments: Body };
    expect(item.Arguments.FunctionName).toBe(TRANSFORM);
  });

  it('passes asl-validator (the Amazon States Language schema) as rendered for the env', () => {
    const result = aslValidator(asl);
    expect(result.errors).toEqual([]);
    expect(result.isValid).toBe(true);
    // The validator is not a no-op: a Distributed Map without its processor is rejected.
    const { ItemProcessor: _, ...noProcessor } = rebuild;
    expect(aslValidator({ ...asl, States: { ...asl.States, Rebuild: noProcessor } }).isValid).toBe(false);
  });

  it('lets the state machine start and stop only its own child executions and touch only manifests and results', () => {
    const name = naming.backfillStateMachine();
    expect(sm.name).toBe(name);
    const statements = statementsOfRole(naming.iam('backfill'));
    const bySid = Object.fromEntries(statements.map((s) => [s.Sid, s]));
    expect(bySid.StartChildExecutions).toEqual({
      Sid: 'StartChildExecutions',
      Effect: 'Allow',
      Action: 'states:StartExecution',
      Resource: `arn:aws:states:${dev.region}:${dev.account}:stateMachine:${name}`,
    });
    expect(bySid.ManageChildExecutions!.Resource).toBe(
      `arn:aws:states:${dev.region}:${dev.account}:execution:${name}/*`,
    );
    expect(bySid.ManageChildExecutions!.Action).toEqual(['states:DescribeExecution', 'states:StopExecution']);
    // The keys the code uses are inside the prefixes the role may use, and nothing else is.
    const read = String(bySid.ReadManifests!.Resource);
    const write = String(bySid.WriteResults!.Resource);
    expect(`${LAKE_ARN}/${manifestKey('backfill-20260101T000000Z')}`).toMatch(glob(read));
    expect(`${LAKE_ARN}/${resultsPrefix('backfill-x')}/0b1c/SUCCEEDED_0.json`).toMatch(glob(write));
    expect(`${LAKE_ARN}/coinlore_tickers/year=2026/x.parquet`).not.toMatch(glob(write));
    expect(`${LAKE_ARN}/raw/coinlore/tickers/x.json`).not.toMatch(glob(read));
    expect(bySid.InvokePipelineFunctions!.Resource).toHaveLength(6);
    expect(Object.keys(bySid).sort()).toEqual(
      [
        'InvokePipelineFunctions',
        'ManageChildExecutions',
        'PublishAlerts',
        'ReadManifests',
        'StartChildExecutions',
        'WriteResults',
      ].sort(),
    );
  });

  it('lets plan list raw/ and write manifests, and summary read results, each with a role of its own', () => {
    const plan = statementsOfRole(naming.iam('backfill-plan'));
    expect(plan).toEqual([
      expect.objectContaining({
        Sid: 'ListRaw',
        Action: 's3:ListBucket',
        Condition: { StringLike: { 's3:prefix': ['raw/*'] } },
      }),
      expect.objectContaining({
        Sid: 'WriteManifests',
        Action: 's3:PutObject',
        Resource: `${LAKE_ARN}/backfill/*/manifest.json`,
      }),
    ]);
    const summary = statementsOfRole(naming.iam('backfill-summary'));
    expect(summary).toEqual([
      expect.objectContaining({
        Sid: 'ReadResults',
        Action: 's3:GetObject',
        Resource: `${LAKE_ARN}/backfill/*/results/*`,
      }),
    ]);
    const fns = resourcesOf(tf, 'aws_lambda_function').map(([, f]) => [f.function_name, f.image_config]);
    expect(fns).toEqual([
      [naming.functionName('backfill-plan'), { command: ['backfill-plan.handler'] }],
      [naming.functionName('backfill-summary'), { command: ['backfill-summary.handler'] }],
    ]);
  });
});
