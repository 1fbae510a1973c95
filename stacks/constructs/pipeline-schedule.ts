import type { IamRole } from '@cdktf/provider-aws/lib/iam-role';
import { IamRolePolicy } from '@cdktf/provider-aws/lib/iam-role-policy';
import { SchedulerSchedule } from '@cdktf/provider-aws/lib/scheduler-schedule';
import { SqsQueue } from '@cdktf/provider-aws/lib/sqs-queue';
import { Construct } from 'constructs';
import { assumeRolePolicy, boundedRole, policyDocument } from '../iam';
import { Alarm } from './alarm';

/**
 * How long EventBridge Scheduler keeps retrying a start that failed (throttling, a state machine being
 * updated, a missing permission): just under the 10-minute cadence, so a retried run never overlaps the
 * next scheduled one by much, and with 3 attempts before the event goes to the dead-letter queue.
 */
export const SCHEDULE_RETRY = { maximumEventAgeInSeconds: 540, maximumRetryAttempts: 3 } as const;

/** Dead letters are kept the SQS maximum, 14 days: as long as a failed Standard execution can be redriven. */
export const DEAD_LETTER_RETENTION_SECONDS = 14 * 24 * 3600;

export interface PipelineScheduleProps {
  /** EventBridge Scheduler schedule name (`Naming.iam(...)`, PascalCase). */
  readonly scheduleName: string;
  /** Name of the role EventBridge Scheduler assumes to start executions. */
  readonly roleName: string;
  /** Name of the dead-letter queue (`Naming.resource(...)`). */
  readonly deadLetterQueueName: string;
  /** Minutes between runs. */
  readonly rateMinutes: number;
  /** false creates the schedule DISABLED (runs can still be started by hand). @default true */
  readonly enabled?: boolean;
  readonly stateMachineArn: string;
  /** Execution input, as JSON. */
  readonly input: string;
  /** Account the role's trust policy is limited to. */
  readonly accountId: string;
  /** Topic the dead-letter alarm notifies, and the alarm's name. */
  readonly alarmTopicArn: string;
  readonly alarmName: string;
}

/** `rate(N minutes)`, with the singular form EventBridge requires for 1. */
export function rateExpression(minutes: number): string {
  return `rate(${minutes} ${minutes === 1 ? 'minute' : 'minutes'})`;
}

/**
 * The EventBridge Scheduler schedule that starts the pipeline every N minutes, with a role of its own, a
 * retry policy, and an encrypted SQS dead-letter queue for starts that still failed (with an alarm on its
 * depth): a run that never started is otherwise invisible, since no execution exists to fail.
 */
export class PipelineSchedule extends Construct {
  readonly schedule: SchedulerSchedule;
  readonly role: IamRole;
  readonly deadLetterQueue: SqsQueue;

  constructor(scope: Construct, id: string, props: PipelineScheduleProps) {
    super(scope, id);
    this.deadLetterQueue = new SqsQueue(this, 'dead_letters', {
      name: props.deadLetterQueueName,
      // SSE with SQS-owned keys: encrypted at rest without a KMS key policy for the scheduler to need.
      sqsManagedSseEnabled: true,
      messageRetentionSeconds: DEAD_LETTER_RETENTION_SECONDS,
    });
    this.role = boundedRole(this, 'role', {
      name: props.roleName,
      assumeRolePolicy: assumeRolePolicy('scheduler.amazonaws.com', props.accountId),
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
        {
          // The scheduler sends undeliverable events with its own role.
          Sid: 'SendDeadLetters',
          Effect: 'Allow',
          Action: 'sqs:SendMessage',
          Resource: this.deadLetterQueue.arn,
        },
      ]),
    });
    this.schedule = new SchedulerSchedule(this, 'schedule', {
      name: props.scheduleName,
      description: `Starts the pipeline ${rateExpression(props.rateMinutes)}`,
      scheduleExpression: rateExpression(props.rateMinutes),
      state: (props.enabled ?? true) ? 'ENABLED' : 'DISABLED',
      flexibleTimeWindow: { mode: 'OFF' },
      target: {
        arn: props.stateMachineArn,
        roleArn: this.role.arn,
        input: props.input,
        retryPolicy: { ...SCHEDULE_RETRY },
        deadLetterConfig: { arn: this.deadLetterQueue.arn },
      },
    });
    new Alarm(this, 'dead_letter_alarm', {
      alarmName: props.alarmName,
      description:
        'A scheduled pipeline start failed after retries (message in the dead-letter queue): docs/runbook.md, "Schedule dead letters".',
      namespace: 'AWS/SQS',
      metricName: 'ApproximateNumberOfMessagesVisible',
      dimensions: { QueueName: this.deadLetterQueue.name },
      statistic: 'Maximum',
      topicArn: props.alarmTopicArn,
    });
  }
}
