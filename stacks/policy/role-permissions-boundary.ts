import { pascal } from '../naming';
import { type Finding, type PolicyRule, resourcesOf } from './types';

/**
 * `arn:aws:iam::<account>:policy/Fdl<Env>PermissionsBoundary`: the shape of `permissionsBoundaryArn`
 * (stacks/iam.ts). The rule sees one stack without its env, so it checks the shape; the env's own
 * account and name are checked by the stack tests.
 */
const BOUNDARY_ARN = new RegExp(
  `^arn:aws:iam::\\d{12}:policy/Fdl[A-Z][A-Za-z0-9]*${pascal('permissions boundary')}$`,
);

/**
 * Every IAM role carries the env's permissions boundary: the deploy role may only create roles that do
 * (bootstrap-stack.ts), so a role without it fails the first deploy; here it fails synth instead.
 */
export const rolePermissionsBoundary: PolicyRule = {
  id: 'role-permissions-boundary',
  description:
    "Every aws_iam_role carries the env's permissions boundary (create roles with boundedRole in stacks/iam.ts).",
  check(tf) {
    const findings: Finding[] = [];
    for (const role of resourcesOf(tf, 'aws_iam_role')) {
      const boundary = role.body.permissions_boundary;
      if (boundary === undefined || boundary === null || boundary === '')
        findings.push({
          rule: this.id,
          address: role.address,
          message: 'has no permissions_boundary: create it with boundedRole (stacks/iam.ts)',
        });
      else if (typeof boundary !== 'string' || !BOUNDARY_ARN.test(boundary))
        findings.push({
          rule: this.id,
          address: role.address,
          message: `permissions_boundary ${JSON.stringify(boundary)} is not an env boundary (arn:aws:iam::<account>:policy/Fdl<Env>PermissionsBoundary)`,
        });
    }
    return findings;
  },
};
