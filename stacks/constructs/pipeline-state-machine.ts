import { CloudwatchLogGroup } from '@cdktf/provider-aws/lib/cloudwatch-log-group';
import type { IamRole } from '@cdktf/provider-aws/lib/iam-role';
import { IamRolePolicy } from '@cdktf/provider-aws/lib/iam-role-policy';
import { SfnStateMachine } from '@cdktf/provider-aws/lib/sfn-state-machine';
import { Construct } from 'constructs';
import {
  assumeRolePolicy,
  boundedRole,
  LOG_DELIVERY_ACTIONS,
  type PolicyStatement,
  policyDocument,
} from '../iam';
import { exempt } from '../policy/exemption';
import { Alarm } from './alarm';

export interface PipelineStateMachineProps {
  /** Physical name (`Naming.stateMachine()`). */
  readonly stateMachineName: string;
  /** Its IAM role (`Naming.iam(...)`). */
  readonly roleName: string;
  /** `Naming.stateMachineLogGroup()`. */
  readonly logGroupName: string;
  readonly logRetentionDays: number;
  /** The rendered ASL (statemachines/placeholders.ts): every placeholder already filled. */
  readonly definition: string;
  /** The functions the definition invokes: the role may invoke exactly these (and their versions). */
  readonly functionArns: readonly string[];
  /** The alerts topic the definition publishes to; the alarms notify it too. */
  readonly alertsTopicArn: string;
  /** Account the role's trust policy is limited to (confused-deputy guard). */
  readonly accountId: string;
  /** Prefix of the alarm names, e.g. `fdl-dev-pipeline`. */
  readonly alarmNamePrefix: string;
  /**
   * What else the role may do besides invoking `functionArns` and publishing alerts (the backfill's
   * Distributed Map: start its own child executions, read its manifest, write its results).
   * @default none
   */
  readonly statements?: readonly PolicyStatement[];
  /**
   * Execution history in the logs: ALL, ERROR, FATAL or OFF.
   * @default 'ERROR'
   */
  readonly logLevel?: 'ALL' | 'ERROR' | 'FATAL' | 'OFF';
}

/**
 * The pipeline's STANDARD state machine with its role, its log group and alarms on failed and timed-out
 * executions.
 */
export class PipelineStateMachine extends Construct {
  readonly stateMachine: SfnStateMachine;
  readonly role: IamRole;
  readonly logGroup: CloudwatchLogGroup;
  readonly arn: string;

  constructor(scope: Construct, id: string, props: PipelineStateMachineProps) {
    super(scope, id);
    this.logGroup = new CloudwatchLogGroup(this, 'logs', {
      name: props.logGroupName,
      retentionInDays: props.logRetentionDays,
    });
    this.role = boundedRole(this, 'role', {
      name: props.roleName,
      assumeRolePolicy: assumeRolePolicy('states.amazonaws.com', props.accountId),
    });
    const permissions = new IamRolePolicy(this, 'permissions', {
      name: 'invoke-pipeline',
      role: this.role.id,
      policy: policyDocument([
        {
          Sid: 'InvokePipelineFunctions',
          Effect: 'Allow',
          Action: 'lambda:InvokeFunction',
          // Unqualified ARNs plus their versions/aliases (`:*`): the definition may pin either.
          Resource: props.functionArns.flatMap((arn) => [arn, `${arn}:*`]),
        },
        { Sid: 'PublishAlerts', Effect: 'Allow', Action: 'sns:Publish', Resource: props.alertsTopicArn },
        ...(props.statements ?? []),
      ]),
    });
    // Its own policy resource so that the exemption below covers these statements and nothing else.
    const logDelivery = new IamRolePolicy(this, 'log_delivery', {
      name: 'log-delivery',
      role: this.role.id,
      policy: policyDocument([
        {
          Sid: 'CloudWatchLogsDelivery',
          Effect: 'Allow',
          Action: [...LOG_DELIVERY_ACTIONS],
          Resource: '*',
        },
      ]),
    });
    exempt(
      logDelivery,
      'no-wildcard-iam',
      'Step Functions log delivery: these CloudWatch Logs vended-log actions do not support resource-level ' +
        'permissions, so AWS documents Resource "*" for them (Step Functions developer guide, "IAM policies ' +
        'for logging to CloudWatch Logs"). The statement grants log-delivery actions only.',
    );
    this.stateMachine = new SfnStateMachine(this, 'state_machine', {
      name: props.stateMachineName,
      type: 'STANDARD',
      roleArn: this.role.arn,
      // Parsed and re-serialised: a malformed definition fails synth, and formatting of the .asl.json file
      // (indentation, line breaks) never shows up as a Terraform diff.
      definition: escapeTerraformTemplate(JSON.stringify(JSON.parse(props.definition))),
      loggingConfiguration: {
        level: props.logLevel ?? 'ERROR',
        // Execution data holds run inputs and outputs (S3 keys, counts, error causes with API responses):
        // keep payloads out of the logs; the execution history in Step Functions still has them.
        includeExecutionData: false,
        logDestination: `${this.logGroup.arn}:*`,
      },
      dependsOn: [permissions, logDelivery],
    });
    this.arn = this.stateMachine.arn;
    const alarm = (metricName: string, what: string) =>
      new Alarm(this, metricName.replace(/^Executions/, '').toLowerCase(), {
        alarmName: `${props.alarmNamePrefix}-${metricName.replace(/([a-z])([A-Z])/g, '$1-$2').toLowerCase()}`,
        description: `${props.stateMachineName}: an execution ${what}; see the Step Functions console and ${props.logGroupName}`,
        namespace: 'AWS/States',
        metricName,
        dimensions: { StateMachineArn: this.arn },
        topicArn: props.alertsTopicArn,
      });
    alarm('ExecutionsFailed', 'failed');
    alarm('ExecutionsTimedOut', 'timed out');
  }
}

/**
 * Terraform reads `${…}` and `%{…}` in JSON strings as template syntax. The ASL is literal text: escape
 * both, except CDKTF's own tokens (`${TfToken[…]}`), which synth turns into references.
 */
export function escapeTerraformTemplate(text: string): string {
  // Replacer functions: in a replacement string `$$` itself means "one $".
  return text.replace(/%\{/g, () => '%%{').replace(/\$\{(?!TfToken\[)/g, () => '$${');
}
