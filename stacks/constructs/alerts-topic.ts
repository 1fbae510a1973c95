import { SnsTopic } from '@cdktf/provider-aws/lib/sns-topic';
import { SnsTopicSubscription } from '@cdktf/provider-aws/lib/sns-topic-subscription';
import { Construct } from 'constructs';

export interface AlertsTopicProps {
  /** Physical topic name (`Naming.alertsTopic()`). */
  readonly topicName: string;
  /** Receives every alert; the recipient confirms the subscription once from the email AWS sends. */
  readonly email: string;
}

/**
 * Where failures go: the state machine's Catch states publish here (through their role) and the
 * CloudWatch alarms notify it. The default topic policy (owner account only) is enough for both.
 */
export class AlertsTopic extends Construct {
  readonly topic: SnsTopic;
  readonly arn: string;

  constructor(scope: Construct, id: string, props: AlertsTopicProps) {
    super(scope, id);
    // Unencrypted on purpose: CloudWatch alarms cannot publish to a topic under the AWS-managed aws/sns key
    // (its key policy cannot grant cloudwatch.amazonaws.com); alerts carry error names, not data.
    this.topic = new SnsTopic(this, 'sns', { name: props.topicName });
    this.arn = this.topic.arn;
    new SnsTopicSubscription(this, 'email', {
      topicArn: this.arn,
      protocol: 'email',
      endpoint: props.email,
    });
  }
}
