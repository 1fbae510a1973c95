/**
 * Policy as code over synthesized Terraform JSON (cdktf.out/stacks/<stack>/cdk.tf.json). Each rule lives in
 * its own file, is named for what it asserts and returns findings; stacks/policy/index.ts runs them all and
 * sets aside findings on resources that carry a written exemption (stacks/policy/exemption.ts).
 */

/** The parts of a synthesized stack the rules read. */
export interface TerraformJson {
  readonly resource?: Readonly<Record<string, Readonly<Record<string, ResourceBody>>>>;
  readonly [key: string]: unknown;
}

export type ResourceBody = Readonly<Record<string, unknown>>;

export interface Finding {
  readonly rule: string;
  /** Terraform address, e.g. `aws_s3_bucket.lake`. */
  readonly address: string;
  readonly message: string;
}

export interface PolicyRule {
  /** kebab-case, also the key of exemptions. */
  readonly id: string;
  /** What the rule asserts and why, one sentence. */
  readonly description: string;
  check(tf: TerraformJson): Finding[];
}

export interface TfResource {
  readonly type: string;
  readonly name: string;
  readonly address: string;
  readonly body: ResourceBody;
}

/** Every resource of `type` in the stack. */
export function resourcesOf(tf: TerraformJson, type: string): TfResource[] {
  return Object.entries(tf.resource?.[type] ?? {}).map(([name, body]) => ({
    type,
    name,
    address: `${type}.${name}`,
    body,
  }));
}

/** The resource at `address` (`type.name`), if any. */
export function resourceAt(tf: TerraformJson, address: string): TfResource | undefined {
  const dot = address.indexOf('.');
  const type = address.slice(0, dot);
  const name = address.slice(dot + 1);
  const body = tf.resource?.[type]?.[name];
  return body ? { type, name, address, body } : undefined;
}

/**
 * The name of the `type` resource a synthesized reference points at: `${aws_s3_bucket.lake_X.id}` →
 * `lake_X`. Returns undefined for literals and other expressions.
 */
export function referencedName(value: unknown, type: string): string | undefined {
  if (typeof value !== 'string') return undefined;
  const m = new RegExp(`^\\$\\{${type}\\.([A-Za-z0-9_-]+)\\.[a-z_]+\\}$`).exec(value);
  return m?.[1];
}

export interface Statement {
  readonly Sid?: string;
  readonly Effect?: string;
  readonly Principal?: unknown;
  readonly Action?: string | string[];
  readonly NotAction?: string | string[];
  readonly Resource?: string | string[];
  readonly NotResource?: string | string[];
  readonly Condition?: Record<string, Record<string, string | string[]>>;
}

/** Statements of a policy document, or an error message when the document is not literal JSON. */
export function parsePolicy(doc: unknown): { statements: Statement[] } | { error: string } {
  if (typeof doc !== 'string') return { error: 'policy is not a string' };
  try {
    const parsed = JSON.parse(doc) as { Statement?: Statement | Statement[] };
    const st = parsed.Statement;
    return { statements: st === undefined ? [] : Array.isArray(st) ? st : [st] };
  } catch {
    return {
      error: 'policy is not literal JSON (e.g. a jsonencode() or data source reference): cannot check it',
    };
  }
}

export const asList = (v: string | readonly string[] | undefined): readonly string[] =>
  v === undefined ? [] : typeof v === 'string' ? [v] : v;

/** Resource attributes that hold a policy document, per resource type. */
export const POLICY_ATTRIBUTES: Readonly<Record<string, readonly string[]>> = {
  aws_iam_role: ['assume_role_policy'],
  aws_iam_role_policy: ['policy'],
  aws_iam_policy: ['policy'],
  aws_s3_bucket_policy: ['policy'],
  aws_sns_topic: ['policy'],
  aws_sns_topic_policy: ['policy'],
  aws_ecr_repository_policy: ['policy'],
  aws_secretsmanager_secret_policy: ['policy'],
};
