import { CloudwatchMetricAlarm } from '@cdktf/provider-aws/lib/cloudwatch-metric-alarm';
import { Construct } from 'constructs';

export interface AlarmProps {
  /** Physical alarm name (`Naming.resource(...)`). */
  readonly alarmName: string;
  readonly description: string;
  /** e.g. `AWS/States`, `AWS/Lambda`. */
  readonly namespace: string;
  readonly metricName: string;
  readonly dimensions: Readonly<Record<string, string>>;
  /** SNS topic notified when the alarm fires. */
  readonly topicArn: string;
  /** Evaluation period. @default 300 (one period covers any 10-minute run) */
  readonly periodSeconds?: number;
  /** Fires when the period's statistic reaches this. @default 1 */
  readonly threshold?: number;
  /** `Sum` for counts; `Maximum` for gauges such as a queue's depth. @default 'Sum' */
  readonly statistic?: 'Sum' | 'Maximum';
  /**
   * 'breaching' for a metric that must keep arriving (a scheduled check that stops reporting is itself
   * a problem). @default 'notBreaching'
   */
  readonly missingData?: 'breaching' | 'notBreaching';
}

/**
 * "Something failed" alarm: Sum of a count metric (or Maximum of a gauge) >= threshold in one period. Missing data (no runs, no
 * invocations) is not breaching, so a disabled schedule does not page anyone.
 */
export class Alarm extends Construct {
  readonly alarm: CloudwatchMetricAlarm;

  constructor(scope: Construct, id: string, props: AlarmProps) {
    super(scope, id);
    this.alarm = new CloudwatchMetricAlarm(this, 'alarm', {
      alarmName: props.alarmName,
      alarmDescription: props.description,
      namespace: props.namespace,
      metricName: props.metricName,
      dimensions: { ...props.dimensions },
      statistic: props.statistic ?? 'Sum',
      period: props.periodSeconds ?? 300,
      evaluationPeriods: 1,
      threshold: props.threshold ?? 1,
      comparisonOperator: 'GreaterThanOrEqualToThreshold',
      treatMissingData: props.missingData ?? 'notBreaching',
      alarmActions: [props.topicArn],
    });
  }
}
