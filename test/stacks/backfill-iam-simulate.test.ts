/**
 * The backfill state machine's policy evaluated by an IAM policy simulator (@cloud-copilot/iam-simulate),
 * not just read: what a Distributed Map run needs is Allowed, the neighbours of each grant are not.
 */
import { runSimulation } from '@cloud-copilot/iam-simulate';
import { afterAll, describe, expect, it } from 'vitest';
import { env as dev } from '../../envs/dev.env';
import { manifestKey, resultsPrefix } from '../../lambdas/core/backfill';
import { LAKE_ARN, naming, synthBackfillWorkflow } from './backfill-fixture';
import { removeOutdirs, resourcesOf } from './support';

afterAll(removeOutdirs);

const tf = synthBackfillWorkflow();

const [role] = resourcesOf(tf, 'aws_iam_role').find(([, r]) => r.name === naming.iam('backfill'))!;
const policy = resourcesOf(tf, 'aws_iam_role_policy').find(
  ([, p]) => p.role === `\${aws_iam_role.${role}.id}` && p.name !== 'log-delivery',
)![1].policy as string;

async function decide(action: string, resource: string): Promise<string> {
  const r = await runSimulation(
    {
      identityPolicies: [{ name: 'backfill', policy: JSON.parse(policy) }],
      serviceControlPolicies: [],
      resourceControlPolicies: [],
      request: {
        action,
        principal: `arn:aws:iam::${dev.account}:role/${naming.iam('backfill')}`,
        resource: { accountId: dev.account, resource },
        contextVariables: {},
      },
    },
    {},
  );
  return (r as { overallResult?: string }).overallResult ?? JSON.stringify(r).slice(0, 300);
}

describe('BackfillWorkflow state machine role (simulated)', () => {
  const states = `arn:aws:states:${dev.region}:${dev.account}`;
  const own = naming.backfillStateMachine();

  it.each([
    ['states:StartExecution', `${states}:stateMachine:${own}`, 'Allowed'],
    ['states:StartExecution', `${states}:stateMachine:${naming.stateMachine()}`, 'ImplicitlyDenied'],
    ['states:StopExecution', `${states}:execution:${own}/Rebuild:0b1c2d`, 'Allowed'],
    ['states:DescribeExecution', `${states}:execution:${naming.stateMachine()}:run-1`, 'ImplicitlyDenied'],
    ['s3:GetObject', `${LAKE_ARN}/${manifestKey('backfill-20261201T000000Z')}`, 'Allowed'],
    ['s3:GetObject', `${LAKE_ARN}/raw/coinlore/tickers/year=2026/x.json`, 'ImplicitlyDenied'],
    ['s3:PutObject', `${LAKE_ARN}/${resultsPrefix('backfill-x')}/0b1c/manifest.json`, 'Allowed'],
    ['s3:PutObject', `${LAKE_ARN}/${manifestKey('backfill-x')}`, 'ImplicitlyDenied'],
    ['s3:PutObject', `${LAKE_ARN}/coinlore_tickers/year=2026/month=11/day=24/x.parquet`, 'ImplicitlyDenied'],
  ])('%s on %s is %s', async (action, resource, expected) => {
    expect(await decide(action, resource)).toBe(expected);
  });
});
