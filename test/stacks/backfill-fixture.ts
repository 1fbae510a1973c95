/**
 * The BackfillWorkflow construct synthesized on its own for dev, with fixed neighbour ARNs: the one set-up
 * the backfill synth tests (intent assertions, IAM simulation) share.
 */
import { env as dev } from '../../envs/dev.env';
import { BackfillWorkflow } from '../../stacks/constructs/backfill-workflow';
import { Naming } from '../../stacks/naming';
import { synthScope } from './support';

export const naming = new Naming(dev);
export const LAKE = 'finance-de-lab-dev-eu-west-1';
export const LAKE_ARN = `arn:aws:s3:::${LAKE}`;
export const TRANSFORM = 'arn:aws:lambda:eu-west-1:111111111111:function:fdl-dev-transform';
export const ALERTS = 'arn:aws:sns:eu-west-1:111111111111:fdl-dev-alerts';

/** The synthesized Terraform JSON of the construct (callers clean up with removeOutdirs). */
export function synthBackfillWorkflow(): string {
  return synthScope((scope) => {
    new BackfillWorkflow(scope, 'backfill', {
      naming,
      config: dev.backfill,
      accountId: dev.account,
      region: dev.region,
      logRetentionDays: 14,
      imageUri: '111111111111.dkr.ecr.eu-west-1.amazonaws.com/fdl-dev-lambdas:abc',
      lakeBucketName: LAKE,
      lakeBucketArn: LAKE_ARN,
      transformFunctionArn: TRANSFORM,
      alertsTopicArn: ALERTS,
      environment: (fn) => ({ LAKE_BUCKET: LAKE, POWERTOOLS_SERVICE_NAME: fn }),
    });
  });
}
