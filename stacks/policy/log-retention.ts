import { type Finding, type PolicyRule, referencedName, resourcesOf } from './types';

/**
 * Every log group has a retention, and every Lambda writes to a log group this stack manages (otherwise
 * Lambda creates `/aws/lambda/<name>` itself, with logs kept forever).
 */
export const logRetention: PolicyRule = {
  id: 'log-retention',
  description:
    'Every CloudWatch log group sets retention_in_days, and every Lambda function has a managed log group.',
  check(tf) {
    const findings: Finding[] = [];
    const groups = resourcesOf(tf, 'aws_cloudwatch_log_group');
    for (const g of groups) {
      const days = g.body.retention_in_days;
      if (typeof days !== 'number' || days <= 0)
        findings.push({
          rule: this.id,
          address: g.address,
          message: 'has no retention_in_days (logs kept forever)',
        });
    }
    const names = new Set(groups.map((g) => g.body.name));
    const refs = new Set(groups.map((g) => g.name));
    for (const fn of resourcesOf(tf, 'aws_lambda_function')) {
      const configured = (fn.body.logging_config as { log_group?: string } | undefined)?.log_group;
      const managed = configured
        ? names.has(configured) || refs.has(referencedName(configured, 'aws_cloudwatch_log_group') ?? '')
        : names.has(`/aws/lambda/${fn.body.function_name}`);
      if (!managed)
        findings.push({
          rule: this.id,
          address: fn.address,
          message: `writes to a log group this stack does not manage (expected /aws/lambda/${String(fn.body.function_name)})`,
        });
    }
    return findings;
  },
};
