/**
 * Rules the GitHub Actions workflows must follow (issue 6), as pure checks over the parsed YAML. Each rule
 * returns the violations it found (empty = compliant), so tests can feed it both the real workflows and
 * deliberately bad snippets.
 */

/** A workflow or composite action, as parsed from YAML (only the fields the rules read). */
export interface WorkflowDoc {
  readonly permissions?: unknown;
  readonly jobs?: Readonly<Record<string, JobDoc>>;
  /** Composite actions: `runs.steps`. */
  readonly runs?: { readonly steps?: readonly StepDoc[] };
}

export interface JobDoc {
  readonly needs?: string | readonly string[];
  readonly environment?: string | { readonly name: string };
  readonly permissions?: unknown;
  readonly concurrency?:
    | string
    | { readonly group: string; readonly 'cancel-in-progress'?: boolean | string };
  readonly uses?: string;
  readonly steps?: readonly StepDoc[];
}

export interface StepDoc {
  readonly uses?: string;
  readonly run?: string;
  readonly with?: Readonly<Record<string, unknown>>;
}

const SHA_PIN = /^[A-Za-z0-9_.-]+\/[A-Za-z0-9_./-]+@[0-9a-f]{40}$/;
const OIDC_ACTION = 'aws-actions/configure-aws-credentials@';

function stepsOf(doc: WorkflowDoc): { where: string; step: StepDoc }[] {
  const out: { where: string; step: StepDoc }[] = [];
  for (const [name, job] of Object.entries(doc.jobs ?? {}))
    (job.steps ?? []).forEach((step, i) => {
      out.push({ where: `jobs.${name}.steps[${i}]`, step });
    });
  (doc.runs?.steps ?? []).forEach((step, i) => {
    out.push({ where: `runs.steps[${i}]`, step });
  });
  return out;
}

/** The environment name of a job, if it runs in one. */
export function environmentOf(job: JobDoc): string | undefined {
  return typeof job.environment === 'string' ? job.environment : job.environment?.name;
}

const needsOf = (job: JobDoc): string[] =>
  job.needs === undefined ? [] : typeof job.needs === 'string' ? [job.needs] : [...job.needs];

/**
 * Every remote `uses:` is pinned to a full 40-hex commit SHA and carries a `# vX.Y.Z` comment (checked on
 * the raw text, where comments survive). Local actions (`./…`) are part of the repo and need no pin.
 */
export function checkPinnedActions(doc: WorkflowDoc, raw: string): string[] {
  const problems: string[] = [];
  const all = [
    ...stepsOf(doc).map(({ where, step }) => ({ where, uses: step.uses })),
    ...Object.entries(doc.jobs ?? {}).map(([name, job]) => ({ where: `jobs.${name}`, uses: job.uses })),
  ];
  for (const { where, uses } of all) {
    if (uses === undefined || uses.startsWith('./')) continue;
    if (!SHA_PIN.test(uses)) problems.push(`${where}: "${uses}" is not pinned to a 40-hex commit SHA`);
  }
  for (const [i, line] of raw.split('\n').entries()) {
    const m = /^\s*(?:-\s+)?uses:\s*(\S+)(.*)$/.exec(line);
    if (!m || m[1]!.startsWith('./')) continue;
    if (!/#\s*v\d+(\.\d+)*\b/.test(m[2]!))
      problems.push(`line ${i + 1}: "${m[1]}" has no "# vX.Y.Z" comment naming the pinned release`);
  }
  return problems;
}

/** Top-level permissions are absent-by-default: `{}` or read-only contents, never id-token or writes. */
export function checkTopLevelPermissions(doc: WorkflowDoc): string[] {
  const p = doc.permissions;
  if (p === undefined) return ['top-level "permissions" is missing (the default token is broad)'];
  if (typeof p === 'string') return [`top-level "permissions: ${p}" is not minimal`];
  const entries = Object.entries(p as Record<string, string>);
  return entries
    .filter(([scope, level]) => !(scope === 'contents' && level === 'read'))
    .map(([scope, level]) => `top-level permission "${scope}: ${level}" belongs on the job that needs it`);
}

/** Every job declares its own permissions. */
export function checkJobPermissions(doc: WorkflowDoc): string[] {
  return Object.entries(doc.jobs ?? {})
    .filter(([, job]) => job.permissions === undefined && job.uses === undefined)
    .map(([name]) => `jobs.${name}: no "permissions" (it would inherit the top level)`);
}

/**
 * `id-token: write` only on jobs that assume an AWS role: the job runs configure-aws-credentials itself or
 * through a local composite action (`localActions` maps `./path` to the parsed action).
 */
export function checkOidcScope(
  doc: WorkflowDoc,
  localActions: Readonly<Record<string, WorkflowDoc>> = {},
): string[] {
  const problems: string[] = [];
  const assumesRole = (steps: readonly StepDoc[]): boolean =>
    steps.some(
      (s) =>
        s.uses?.startsWith(OIDC_ACTION) ||
        (s.uses?.startsWith('./') && assumesRole(localActions[s.uses]?.runs?.steps ?? [])),
    );
  const grantsIdToken = (p: unknown) =>
    p === 'write-all' ||
    (typeof p === 'object' && p !== null && (p as Record<string, string>)['id-token'] === 'write');
  if (grantsIdToken(doc.permissions)) problems.push('top-level permissions grant id-token: write');
  for (const [name, job] of Object.entries(doc.jobs ?? {})) {
    const grants = grantsIdToken(job.permissions);
    const uses = assumesRole(job.steps ?? []);
    if (grants && !uses) problems.push(`jobs.${name}: id-token: write but no AWS role is assumed`);
    if (uses && !grants) problems.push(`jobs.${name}: assumes an AWS role without id-token: write`);
  }
  return problems;
}

/** No long-lived AWS keys anywhere in the text (secrets, env, action inputs). */
export function checkNoLongLivedKeys(raw: string): string[] {
  return [/AWS_ACCESS_KEY_ID/, /AWS_SECRET_ACCESS_KEY/, /aws-access-key-id/, /aws-secret-access-key/]
    .filter((re) => re.test(raw))
    .map((re) => `long-lived AWS key reference ${re.source}: use OIDC (role-to-assume)`);
}

/**
 * Jobs that run in an environment are serialized per env: a concurrency group naming the env, never
 * cancelling a running deploy, and distinct groups for distinct envs.
 */
export function checkDeployConcurrency(doc: WorkflowDoc): string[] {
  const problems: string[] = [];
  const groups = new Map<string, string>();
  for (const [name, job] of Object.entries(doc.jobs ?? {})) {
    const env = environmentOf(job);
    if (env === undefined) continue;
    const c = job.concurrency;
    if (c === undefined) {
      problems.push(`jobs.${name}: runs in environment "${env}" without a concurrency group`);
      continue;
    }
    const group = typeof c === 'string' ? c : c.group;
    const cancel = typeof c === 'string' ? false : c['cancel-in-progress'];
    if (!group.includes(env))
      problems.push(`jobs.${name}: concurrency group "${group}" does not name "${env}"`);
    if (cancel !== false && cancel !== undefined)
      problems.push(
        `jobs.${name}: cancel-in-progress must be false (a cancelled apply leaves Terraform half-done)`,
      );
    const other = groups.get(group);
    if (other !== undefined && other !== env)
      problems.push(`jobs.${name}: concurrency group "${group}" is shared by envs "${other}" and "${env}"`);
    groups.set(group, env);
  }
  return problems;
}

/**
 * Promotion order: a job deploys `prod` in the `prod` environment (where the required reviewers live) and
 * needs, directly or transitively, the job that deploys `dev`.
 */
export function checkPromotion(doc: WorkflowDoc, from = 'dev', to = 'prod'): string[] {
  const jobs = doc.jobs ?? {};
  const byEnv = (env: string) => Object.keys(jobs).filter((n) => environmentOf(jobs[n]!) === env);
  const [target] = byEnv(to);
  const sources = byEnv(from);
  if (!target) return [`no job runs in environment "${to}"`];
  if (sources.length === 0) return [`no job runs in environment "${from}"`];
  const seen = new Set<string>();
  const stack = [target];
  while (stack.length) {
    const n = stack.pop()!;
    for (const dep of needsOf(jobs[n] ?? {}))
      if (!seen.has(dep)) {
        seen.add(dep);
        stack.push(dep);
      }
  }
  return sources.some((s) => seen.has(s))
    ? []
    : [`jobs.${target} (environment "${to}") does not need the "${from}" deploy`];
}
