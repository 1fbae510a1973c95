/** All policy rules, and the runner that applies them to a synthesized stack. */
import { bucketEncryption } from './bucket-encryption';
import { bucketPublicAccessBlock } from './bucket-public-access-block';
import { bucketTlsOnly } from './bucket-tls-only';
import { exemptionReason } from './exemption';
import { lambdaOwnRole } from './lambda-own-role';
import { logRetention } from './log-retention';
import { noWildcardIam } from './no-wildcard-iam';
import { oneNotificationPerBucket } from './one-notification-per-bucket';
import { rolePermissionsBoundary } from './role-permissions-boundary';
import { type Finding, type PolicyRule, resourceAt, type TerraformJson } from './types';

export const POLICY_RULES: readonly PolicyRule[] = [
  noWildcardIam,
  bucketEncryption,
  bucketPublicAccessBlock,
  bucketTlsOnly,
  logRetention,
  lambdaOwnRole,
  oneNotificationPerBucket,
  rolePermissionsBoundary,
];

export interface PolicyReport {
  /** Findings on resources without an exemption for that rule: these fail the check. */
  readonly violations: readonly Finding[];
  /** Findings set aside by a written exemption, with the reason. */
  readonly exempted: readonly (Finding & { readonly reason: string })[];
}

/** Run `rules` over one synthesized stack. */
export function checkPolicies(tf: TerraformJson, rules: readonly PolicyRule[] = POLICY_RULES): PolicyReport {
  const violations: Finding[] = [];
  const exempted: (Finding & { reason: string })[] = [];
  for (const rule of rules)
    for (const finding of rule.check(tf)) {
      const body = resourceAt(tf, finding.address)?.body;
      const reason = body && exemptionReason(body, finding.rule);
      if (reason) exempted.push({ ...finding, reason });
      else violations.push(finding);
    }
  return { violations, exempted };
}

/** One line per finding, for error messages. */
export function formatFindings(findings: readonly Finding[]): string {
  return findings.map((f) => `  [${f.rule}] ${f.address}: ${f.message}`).join('\n');
}
