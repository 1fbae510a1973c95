/**
 * Preflight of an env file before a first deploy: the template's placeholder values and inconsistencies
 * between envs, as pure checks over EnvConfig (`fdl preflight`, cli/preflight.ts, adds the checks that need
 * credentials). A problem is one line: the file, the field, what is wrong and what to do.
 *
 * The template env files deliberately carry placeholders (they must validate and synthesize offline);
 * docs/runbook.md lists them. The deploy workflow runs preflight first, so a deploy never starts from them.
 */

import type { EnvConfig } from '../envs/types';
import { Naming } from './naming';

/** Values the template env files ship with; a real deploy replaces every one (docs/runbook.md §3). */
export const TEMPLATE_PLACEHOLDERS = {
  /** Fake AWS account ids of envs/dev.env.ts and envs/prod.env.ts. */
  accounts: ['111111111111', '222222222222'],
  /** The upstream repository: a fork's deploy role must trust the fork, not this. */
  repository: 'finance-de-lab/finance-de-lab',
  /** The Snowflake organization name of the template. */
  snowflakeOrganization: 'FDLORG',
} as const;

/** Domains reserved for documentation (RFC 2606): mail to them is never delivered. */
const RESERVED_EMAIL_DOMAIN =
  /@(?:[^@]+\.)?example\.(?:com|org|net)$|@[^@]+\.(?:example|test|invalid|localhost)$/i;

export interface PreflightProblem {
  /** `envs/<name>.env.ts`. */
  readonly file: string;
  /** The field at fault, dotted (`snowflake.organizationName`). */
  readonly field: string;
  readonly message: string;
}

export const envFile = (env: Pick<EnvConfig, 'name'>) => `envs/${env.name}.env.ts`;

/** `envs/dev.env.ts: account: … ` — the one-line form every problem is printed in. */
export function formatProblem(p: PreflightProblem): string {
  return `${p.file}: ${p.field}: ${p.message}`;
}

/** An AWS account id nobody owns in practice: the template's, or all one digit, or 123456789012. */
function isFakeAccount(account: string): boolean {
  return (
    (TEMPLATE_PLACEHOLDERS.accounts as readonly string[]).includes(account) ||
    /^(\d)\1{11}$/.test(account) ||
    account === '123456789012'
  );
}

/** Placeholder values in one env file. */
export function placeholderProblems(env: EnvConfig): PreflightProblem[] {
  const file = envFile(env);
  const problems: PreflightProblem[] = [];
  const add = (field: string, message: string) => problems.push({ file, field, message });
  if (isFakeAccount(env.account))
    add('account', `"${env.account}" is a placeholder account id: set the 12-digit id of your AWS account`);
  if (RESERVED_EMAIL_DOMAIN.test(env.alertEmail))
    add(
      'alertEmail',
      `"${env.alertEmail}" is a documentation address (never delivered): set the mailbox that receives alerts`,
    );
  if (env.github.repository === TEMPLATE_PLACEHOLDERS.repository)
    add(
      'github.repository',
      `"${env.github.repository}" is the template repository: set your "owner/name" (the deploy role trusts only it)`,
    );
  if (env.snowflake.organizationName === TEMPLATE_PLACEHOLDERS.snowflakeOrganization)
    add(
      'snowflake.organizationName',
      `"${env.snowflake.organizationName}" is the template's: set your Snowflake organization (SELECT CURRENT_ORGANIZATION_NAME())`,
    );
  const fakeInBucket = env.state.bucket.match(/\d{12}/)?.[0];
  if (fakeInBucket && isFakeAccount(fakeInBucket))
    add(
      'state.bucket',
      `"${env.state.bucket}" names a placeholder account: create the state bucket in your account and name it here`,
    );
  return problems;
}

/**
 * What two envs must never share. Each env deploys to its own account with its own deploy role, so a
 * shared state bucket means one env's role writing the other account's bucket (and one bucket holding
 * both states); shared lake buckets, GitHub environments or Snowflake databases make one env overwrite or
 * deploy the other. A shared AWS account would declare the GitHub OIDC provider twice (bootstrap-stack.ts).
 */
export function crossEnvProblems(env: EnvConfig, all: readonly EnvConfig[]): PreflightProblem[] {
  const file = envFile(env);
  const problems: PreflightProblem[] = [];
  const lake = (e: EnvConfig) => new Naming(e).lakeBucket();
  const database = (e: EnvConfig) => new Naming(e).snowflakeDatabase();
  const snowflakeAccount = (e: EnvConfig) =>
    `${e.snowflake.organizationName}-${e.snowflake.accountName}`.toUpperCase();
  for (const other of all) {
    if (other.name === env.name) continue;
    const shared = (field: string, what: string) =>
      problems.push({ file, field, message: `${what} as ${envFile(other)}: give each env its own` });
    if (other.account === env.account) shared('account', `same AWS account "${env.account}"`);
    if (other.state.bucket === env.state.bucket)
      shared('state.bucket', `same Terraform state bucket "${env.state.bucket}"`);
    if (lake(other) === lake(env)) shared('lakeBucket', `same lake bucket "${lake(env)}"`);
    if (other.github.environment === env.github.environment)
      shared('github.environment', `same GitHub environment "${env.github.environment}"`);
    if (snowflakeAccount(other) === snowflakeAccount(env) && database(other) === database(env))
      shared('snowflake.database', `same Snowflake account and database "${database(env)}"`);
  }
  return problems;
}

/** Every offline problem of `env` (placeholders first), given every env of envs/. */
export function envProblems(env: EnvConfig, all: readonly EnvConfig[]): PreflightProblem[] {
  return [...placeholderProblems(env), ...crossEnvProblems(env, all)];
}

/**
 * Checks that need credentials, as injected probes (cli/preflight.ts wires the AWS SDK and snowflake-sdk).
 * A probe that is absent means "no credentials for it": the check is reported as skipped, not passed.
 */
export interface LiveProbes {
  /** List `<env>/` in the state bucket (what the deploy role may do); rejects with the SDK error. */
  readonly listStateBucket?: () => Promise<void>;
  /** Connect as the Snowflake deployer and return its current role; rejects with the driver error. */
  readonly snowflakeRole?: () => Promise<string>;
}

export interface LiveReport {
  readonly problems: PreflightProblem[];
  /** One line per check that did not run, saying which credentials it needs. */
  readonly skipped: string[];
}

const firstLine = (e: unknown) => String((e as Error)?.message ?? e).split('\n')[0];

/** Run the credentialed checks: the state bucket exists and is listable, the Snowflake deployer connects. */
export async function liveProblems(
  env: EnvConfig,
  probes: LiveProbes,
  expected: { readonly deployerRole: string },
): Promise<LiveReport> {
  const file = envFile(env);
  const problems: PreflightProblem[] = [];
  const skipped: string[] = [];
  if (!probes.listStateBucket) skipped.push('state bucket: skipped (no AWS credentials in the environment)');
  else
    try {
      await probes.listStateBucket();
    } catch (error) {
      const name = (error as { name?: string }).name;
      problems.push({
        file,
        field: 'state.bucket',
        message:
          name === 'NoSuchBucket'
            ? `"${env.state.bucket}" does not exist: create it (versioned, private) as docs/runbook.md says`
            : `cannot list "${env.state.bucket}/${env.name}/" with these credentials (${name ?? 'error'}: ${firstLine(error)})`,
      });
    }
  if (!probes.snowflakeRole)
    skipped.push('Snowflake deployer: skipped (set SNOWFLAKE_USER and SNOWFLAKE_PRIVATE_KEY or _PATH)');
  else
    try {
      const role = await probes.snowflakeRole();
      if (role.toUpperCase() !== expected.deployerRole)
        problems.push({
          file,
          field: 'snowflake',
          message: `the deployer connected with role ${role}, expected ${expected.deployerRole}: set SNOWFLAKE_ROLE (fdl snowflake-bootstrap creates it)`,
        });
    } catch (error) {
      problems.push({
        file,
        field: 'snowflake',
        message: `the deployer cannot connect to ${env.snowflake.organizationName}-${env.snowflake.accountName}: ${firstLine(error)}`,
      });
    }
  return { problems, skipped };
}
