import {
  asList,
  type Finding,
  POLICY_ATTRIBUTES,
  type PolicyRule,
  parsePolicy,
  resourcesOf,
  type Statement,
} from './types';

const isWildcardAction = (a: string) => a === '*' || a.endsWith(':*');

function problemsOf(st: Statement): string[] {
  if (st.Effect !== 'Allow') return []; // Deny statements may (and the TLS guard must) be broad.
  const label = st.Sid ? `statement "${st.Sid}"` : 'a statement';
  const problems: string[] = [];
  const actions = asList(st.Action).filter(isWildcardAction);
  if (actions.length) problems.push(`${label} allows wildcard action(s) ${actions.join(', ')}`);
  if (st.NotAction) problems.push(`${label} uses NotAction (allows everything else)`);
  if (asList(st.Resource).includes('*')) problems.push(`${label} allows Resource "*"`);
  if (st.NotResource) problems.push(`${label} uses NotResource (allows every other resource)`);
  const p = st.Principal as unknown;
  const principals =
    p === undefined ? [] : typeof p === 'string' ? [p] : Object.values(p as object).flatMap((v) => asList(v));
  if (principals.includes('*')) problems.push(`${label} allows Principal "*"`);
  return problems;
}

/** No IAM, bucket or topic policy allows `*` / `service:*` actions, Resource `*` or Principal `*`. */
export const noWildcardIam: PolicyRule = {
  id: 'no-wildcard-iam',
  description:
    'Allow statements name their actions, resources and principals: no "*" or "service:*" (least privilege).',
  check(tf) {
    const findings: Finding[] = [];
    for (const [type, attributes] of Object.entries(POLICY_ATTRIBUTES))
      for (const r of resourcesOf(tf, type))
        for (const attribute of attributes) {
          const doc = r.body[attribute];
          if (doc === undefined) continue;
          const parsed = parsePolicy(doc);
          if ('error' in parsed) {
            findings.push({ rule: this.id, address: r.address, message: `${attribute}: ${parsed.error}` });
            continue;
          }
          for (const st of parsed.statements)
            for (const message of problemsOf(st))
              findings.push({ rule: this.id, address: r.address, message: `${attribute}: ${message}` });
        }
    return findings;
  },
};
