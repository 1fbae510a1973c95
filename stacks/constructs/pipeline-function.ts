import { CloudwatchLogGroup } from '@cdktf/provider-aws/lib/cloudwatch-log-group';
import type { IamRole } from '@cdktf/provider-aws/lib/iam-role';
import { IamRolePolicy } from '@cdktf/provider-aws/lib/iam-role-policy';
import { LambdaFunction } from '@cdktf/provider-aws/lib/lambda-function';
import { Construct } from 'constructs';
import {
  assumeRolePolicy,
  boundedRole,
  type PolicyStatement,
  policyDocument,
  writeLogsStatement,
} from '../iam';
import { Alarm } from './alarm';

export interface PipelineFunctionProps {
  /** Physical function name (`Naming.functionName(fn)`). */
  readonly functionName: string;
  /** Name of the function's own IAM role (`Naming.iam(fn)`). */
  readonly roleName: string;
  /** Log group name; must be `/aws/lambda/<functionName>`, where Lambda writes (`Naming.functionLogGroup`). */
  readonly logGroupName: string;
  readonly logRetentionDays: number;
  /** `<repository url>:<tag>`: the one pipeline image. */
  readonly imageUri: string;
  /** Handler inside the image, e.g. `extract-coinlore.handler` (file /var/task/extract-coinlore.mjs). */
  readonly handler: string;
  readonly memoryMb: number;
  readonly timeoutSeconds: number;
  readonly environment: Readonly<Record<string, string>>;
  /** What the function may do besides writing its own logs: least privilege, no wildcards. */
  readonly statements: readonly PolicyStatement[];
  /** Topic the Errors alarm notifies. */
  readonly alarmTopicArn: string;
  /** Name of the Errors alarm. */
  readonly alarmName: string;
}

/**
 * One pipeline Lambda: a container image function with its own role, its own log group (retention set,
 * created before the function so Lambda never creates an unmanaged one) and an Errors alarm.
 */
export class PipelineFunction extends Construct {
  readonly function: LambdaFunction;
  readonly role: IamRole;
  readonly logGroup: CloudwatchLogGroup;
  readonly arn: string;

  constructor(scope: Construct, id: string, props: PipelineFunctionProps) {
    super(scope, id);
    if (props.logGroupName !== `/aws/lambda/${props.functionName}`)
      throw new Error(
        `${this.node.path}: logGroupName must be /aws/lambda/${props.functionName} (Lambda's own log group), got ${props.logGroupName}`,
      );
    this.logGroup = new CloudwatchLogGroup(this, 'logs', {
      name: props.logGroupName,
      retentionInDays: props.logRetentionDays,
    });
    this.role = boundedRole(this, 'role', {
      name: props.roleName,
      assumeRolePolicy: assumeRolePolicy('lambda.amazonaws.com'),
    });
    const policy = new IamRolePolicy(this, 'permissions', {
      name: 'least-privilege',
      role: this.role.id,
      policy: policyDocument([writeLogsStatement(this.logGroup.arn), ...props.statements]),
    });
    this.function = new LambdaFunction(this, 'function', {
      functionName: props.functionName,
      role: this.role.arn,
      packageType: 'Image',
      imageUri: props.imageUri,
      imageConfig: { command: [props.handler] },
      memorySize: props.memoryMb,
      timeout: props.timeoutSeconds,
      environment: { variables: { ...props.environment } },
      // The permissions and the log group must exist before the first invocation can log.
      dependsOn: [policy, this.logGroup],
    });
    this.arn = this.function.arn;
    new Alarm(this, 'errors', {
      alarmName: props.alarmName,
      description: `${props.functionName} raised errors (after its own retries): see ${props.logGroupName}`,
      namespace: 'AWS/Lambda',
      metricName: 'Errors',
      dimensions: { FunctionName: this.function.functionName },
      topicArn: props.alarmTopicArn,
    });
  }
}
