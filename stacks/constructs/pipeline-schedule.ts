import { CloudwatchEventRule } from '@cdktf/provider-aws/lib/cloudwatch-event-rule';
import { CloudwatchEventTarget } from '@cdktf/provider-aws/lib/cloudwatch-event-target';
import type { IamRole } from '@cdktf/provider-aws/lib/iam-role';
import { IamRolePolicy } from '@cdktf/provider-aws/lib/iam-role-policy';
import { Construct } from 'constructs';
import { assumeRolePolicy, boundedRole, policyDocument } from '../iam';

export interface PipelineScheduleProps {
  /** EventBridge rule name (`Naming.iam(...)`, PascalCase). */
  readonly ruleName: string;
  /** Name of the role EventBridge assumes to start executions. */
  readonly roleName: string;
  /** Minutes between runs. */
  readonly rateMinutes: number;
  /** false creates the rule DISABLED (runs can still be started by hand). @default true */
  readonly enabled?: boolean;
  readonly stateMachineArn: string;
  /** Execution input, as JSON. */
  readonly input: string;
  /** Account the role's trust policy is limited to. */
  readonly accountId: string;
}

/** `rate(N minutes)`, with the singular form EventBridge requires for 1. */
export function rateExpression(minutes: number): string {
  return `rate(${minutes} ${minutes === 1 ? 'minute' : 'minutes'})`;
}

/** The EventBridge rule that starts the pipeline every N minutes, with a role of its own. */
export class PipelineSchedule extends Construct {
  readonly rule: CloudwatchEventRule;
  readonly role: IamRole;

  constructor(scope: Construct, id: string, props: PipelineScheduleProps) {
    super(scope, id);
    this.rule = new CloudwatchEventRule(this, 'rule', {
      name: props.ruleName,
      description: `Starts the pipeline ${rateExpression(props.rateMinutes)}`,
      scheduleExpression: rateExpression(props.rateMinutes),
      state: (props.enabled ?? true) ? 'ENABLED' : 'DISABLED',
    });
    this.role = boundedRole(this, 'role', {
      name: props.roleName,
      assumeRolePolicy: assumeRolePolicy('events.amazonaws.com', props.accountId),
    });
    new IamRolePolicy(this, 'permissions', {
      name: 'start-pipeline',
      role: this.role.id,
      policy: policyDocument([
        {
          Sid: 'StartPipeline',
          Effect: 'Allow',
          Action: 'states:StartExecution',
          Resource: props.stateMachineArn,
        },
      ]),
    });
    new CloudwatchEventTarget(this, 'target', {
      rule: this.rule.name,
      targetId: 'pipeline',
      arn: props.stateMachineArn,
      roleArn: this.role.arn,
      input: props.input,
    });
  }
}
