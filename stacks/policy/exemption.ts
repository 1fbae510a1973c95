/**
 * Exemptions from policy rules, carried by the resource itself in the synthesized JSON. They are written
 * under the resource's `//` key, which Terraform ignores as a comment and cdktf already uses for its own
 * metadata, so the reason travels with the resource into cdktf.out and code review.
 */
import type { TerraformResource } from 'cdktf';
import type { ResourceBody } from './types';

const KEY = 'policy_exemptions';

/** Reasons must say why, not just "needed". */
export const MIN_REASON_LENGTH = 20;

/** Exempt `resource` from rule `ruleId`, with the reason a reviewer will read. */
export function exempt(resource: TerraformResource, ruleId: string, reason: string): void {
  if (reason.trim().length < MIN_REASON_LENGTH)
    throw new Error(
      `exemption of ${resource.node.path} from "${ruleId}" needs a written reason (at least ${MIN_REASON_LENGTH} characters), got ${JSON.stringify(reason)}`,
    );
  resource.addOverride(`//.${KEY}.${ruleId}`, reason.trim());
}

/** The written reason for exempting a synthesized resource from `ruleId`, if it has one. */
export function exemptionReason(body: ResourceBody, ruleId: string): string | undefined {
  const meta = body['//'] as { [KEY]?: Record<string, unknown> } | undefined;
  const reason = meta?.[KEY]?.[ruleId];
  return typeof reason === 'string' && reason.trim().length >= MIN_REASON_LENGTH ? reason : undefined;
}
