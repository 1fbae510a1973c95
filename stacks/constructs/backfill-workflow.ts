import { Construct } from 'constructs';
import type { BackfillConfig } from '../../envs/types';
import { BACKFILL_PREFIX, RAW_PREFIX } from '../../lambdas/core/lake';
import { type BackfillPlaceholders, loadBackfillDefinition } from '../../statemachines/placeholders';
import type { PolicyStatement } from '../iam';
import type { Naming } from '../naming';
import { PipelineFunction } from './pipeline-function';
import { PipelineStateMachine } from './pipeline-state-machine';

export interface BackfillWorkflowProps {
  readonly naming: Naming;
  readonly config: BackfillConfig;
  readonly accountId: string;
  readonly region: string;
  readonly logRetentionDays: number;
  /** `<repository url>:<tag>`: the pipeline's one image (it holds the backfill handlers too). */
  readonly imageUri: string;
  readonly lakeBucketName: string;
  readonly lakeBucketArn: string;
  /** The pipeline's transform function: the backfill rebuilds with it, unchanged. */
  readonly transformFunctionArn: string;
  readonly alertsTopicArn: string;
  /** Function environment every pipeline function gets (lake bucket, Powertools settings). */
  readonly environment: (fn: string) => Readonly<Record<string, string>>;
}

/** Manifests and Distributed Map results: `backfill/<execution name>/manifest.json` and `…/results/…`. */
const MANIFESTS = `${BACKFILL_PREFIX}*/manifest.json`;
const RESULTS = `${BACKFILL_PREFIX}*/results/*`;

/**
 * The backfill: a STANDARD state machine (statemachines/backfill.asl.json) whose Distributed Map runs
 * EXPRESS child executions over a manifest in the lake, plus its plan and summary functions (same image).
 * Every role of the backfill is created here, through PipelineFunction and PipelineStateMachine, each
 * least-privilege:
 * - plan: list raw/, write manifests;
 * - summary: read Distributed Map results;
 * - state machine: invoke the three functions, publish alerts, start/describe/stop its own child
 *   executions (a Distributed Map starts them with the parent's role), read manifests, write results.
 */
export class BackfillWorkflow extends Construct {
  readonly plan: PipelineFunction;
  readonly summary: PipelineFunction;
  readonly stateMachine: PipelineStateMachine;
  readonly arn: string;

  constructor(scope: Construct, id: string, props: BackfillWorkflowProps) {
    super(scope, id);
    const { naming } = props;
    const objects = (pattern: string) => `${props.lakeBucketArn}/${pattern}`;
    const fn = (name: 'backfill-plan' | 'backfill-summary', statements: PolicyStatement[]) =>
      new PipelineFunction(this, naming.id(name.replace(/^backfill-/, '')), {
        functionName: naming.functionName(name),
        roleName: naming.iam(name),
        logGroupName: naming.functionLogGroup(name),
        logRetentionDays: props.logRetentionDays,
        imageUri: props.imageUri,
        handler: `${name}.handler`,
        memoryMb: props.config.functions[name].memoryMb,
        timeoutSeconds: props.config.functions[name].timeoutSeconds,
        environment: props.environment(name),
        statements,
        alarmTopicArn: props.alertsTopicArn,
        alarmName: naming.resource(`${name} errors`),
      });
    this.plan = fn('backfill-plan', [
      {
        Sid: 'ListRaw',
        Effect: 'Allow',
        Action: 's3:ListBucket',
        Resource: props.lakeBucketArn,
        Condition: { StringLike: { 's3:prefix': [`${RAW_PREFIX}*`] } },
      },
      { Sid: 'WriteManifests', Effect: 'Allow', Action: 's3:PutObject', Resource: objects(MANIFESTS) },
    ]);
    this.summary = fn('backfill-summary', [
      { Sid: 'ReadResults', Effect: 'Allow', Action: 's3:GetObject', Resource: objects(RESULTS) },
    ]);

    const stateMachineName = naming.backfillStateMachine();
    // Built from the name: the role's policy cannot reference the state machine it is a dependency of.
    const states = `arn:aws:states:${props.region}:${props.accountId}`;
    const placeholders: BackfillPlaceholders = {
      BackfillPlanFunctionArn: this.plan.arn,
      TransformFunctionArn: props.transformFunctionArn,
      BackfillSummaryFunctionArn: this.summary.arn,
      AlertsTopicArn: props.alertsTopicArn,
      LakeBucketName: props.lakeBucketName,
      BackfillItemsPerBatch: props.config.itemsPerBatch,
      BackfillMaxConcurrency: props.config.maxConcurrency,
      BackfillToleratedFailurePercentage: props.config.toleratedFailurePercentage,
    };
    this.stateMachine = new PipelineStateMachine(this, 'state_machine', {
      stateMachineName,
      roleName: naming.iam('backfill'),
      logGroupName: naming.backfillStateMachineLogGroup(),
      logRetentionDays: props.logRetentionDays,
      definition: loadBackfillDefinition(placeholders),
      functionArns: [this.plan.arn, props.transformFunctionArn, this.summary.arn],
      alertsTopicArn: props.alertsTopicArn,
      accountId: props.accountId,
      alarmNamePrefix: stateMachineName,
      statements: [
        {
          Sid: 'StartChildExecutions',
          Effect: 'Allow',
          Action: 'states:StartExecution',
          Resource: `${states}:stateMachine:${stateMachineName}`,
        },
        {
          Sid: 'ManageChildExecutions',
          Effect: 'Allow',
          Action: ['states:DescribeExecution', 'states:StopExecution'],
          Resource: `${states}:execution:${stateMachineName}/*`,
        },
        { Sid: 'ReadManifests', Effect: 'Allow', Action: 's3:GetObject', Resource: objects(MANIFESTS) },
        {
          Sid: 'WriteResults',
          Effect: 'Allow',
          Action: ['s3:PutObject', 's3:AbortMultipartUpload', 's3:ListMultipartUploadParts'],
          Resource: objects(RESULTS),
        },
      ],
    });
    this.arn = this.stateMachine.arn;
  }
}
