import { type Finding, type PolicyRule, referencedName, resourcesOf } from './types';

/** Every Lambda function has a role of its own (least privilege per function). */
export const lambdaOwnRole: PolicyRule = {
  id: 'lambda-own-role',
  description: 'Every Lambda function uses an IAM role managed in the stack that no other function uses.',
  check(tf) {
    const findings: Finding[] = [];
    const users = new Map<string, string[]>();
    for (const fn of resourcesOf(tf, 'aws_lambda_function')) {
      const role = referencedName(fn.body.role, 'aws_iam_role');
      if (!role) {
        findings.push({
          rule: this.id,
          address: fn.address,
          message: 'role is not an aws_iam_role of this stack',
        });
        continue;
      }
      users.set(role, [...(users.get(role) ?? []), fn.address]);
    }
    for (const [role, fns] of users)
      if (fns.length > 1)
        for (const address of fns)
          findings.push({
            rule: this.id,
            address,
            message: `shares role aws_iam_role.${role} with ${fns.filter((f) => f !== address).join(', ')}`,
          });
    return findings;
  },
};
