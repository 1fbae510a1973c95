/**
 * `fdl snowflake-bootstrap --env <env> --public-key FILE`: print the SQL an ACCOUNTADMIN runs once per
 * Snowflake account/env (stacks/snowflake-bootstrap.ts). The deployer's account privileges are derived from the
 * resource types the env's Snowflake stack synthesizes, so the grants follow the stack.
 */
import { readFileSync } from 'node:fs';
import { App } from 'cdktf';
import { loadEnv } from '../envs/load';
import type { EnvConfig } from '../envs/types';
import { buildApp } from '../stacks/app';
import {
  bootstrapStatements,
  deployerAccountPrivileges,
  renderBootstrap,
  rsaPublicKeyBody,
} from '../stacks/snowflake-bootstrap';
import type { Command } from './command';
import { parseFlags, UsageError } from './kit/args';

const FLAGS = {
  env: { type: 'string' },
  'public-key': { type: 'string' },
  'ops-public-key': { type: 'string' },
  'bi-sso-role': { type: 'string' },
} as const;

const USAGE = `Usage: fdl snowflake-bootstrap --env ENV --public-key FILE [--ops-public-key FILE] [--bi-sso-role ROLE]

Prints the SQL an ACCOUNTADMIN runs once per Snowflake account/env: the deployer role with exactly the
account privileges the env's Snowflake stack needs, the warehouse CI deploys with, the CI service user
(key-pair only) and, after the first deploy, a BI user granted READER and an ops user granted LOADER.
Nothing is executed; the output holds public keys only.

Flags:
  --env ENV              environment (envs/<ENV>.env.ts)
  --public-key FILE      PEM public key of the CI user (e.g. fdl_dev_ci.pub; docs/runbook.md shows openssl)
  --ops-public-key FILE  PEM public key of an ops user granted LOADER (fdl check-ingestion)  [default: none]
  --bi-sso-role ROLE     grant READER to this SSO-mapped role instead of creating a BI user  [default: none]

Example:
  fdl snowflake-bootstrap --env dev --public-key ~/.ssh/fdl_dev_ci.pub > bootstrap-dev.sql`;

/** The resource types of the env's synthesized Snowflake stack (nothing is written to disk). */
export function snowflakeResourceTypes(env: EnvConfig): string[] {
  const { byEnv } = buildApp(new App({ skipValidation: true }), [env]);
  const tf = byEnv[env.name]!.snowflake.toTerraform() as { resource?: Record<string, unknown> };
  return Object.keys(tf.resource ?? {});
}

function readPublicKey(path: string, flag: string): string {
  let text: string;
  try {
    text = readFileSync(path, 'utf8');
  } catch {
    throw new UsageError(`${flag} ${path}: cannot read the file`);
  }
  try {
    return rsaPublicKeyBody(text, `${flag} ${path}`);
  } catch (error) {
    throw new UsageError((error as Error).message);
  }
}

export const snowflakeBootstrapCommand: Command = {
  name: 'snowflake-bootstrap',
  summary: 'Print the one-time Snowflake SQL (deployer role and grants, CI user, warehouse, BI/ops users).',
  usage: USAGE,
  async run(argv) {
    const flags = parseFlags(argv, FLAGS);
    if (!flags.env) throw new UsageError('--env is required (e.g. --env dev)');
    if (!flags['public-key']) throw new UsageError('--public-key FILE is required (the CI user key)');
    if (flags['bi-sso-role'] !== undefined && !/^[A-Za-z_][A-Za-z0-9_$]*$/.test(flags['bi-sso-role']))
      throw new UsageError(`--bi-sso-role must be a Snowflake role name, got "${flags['bi-sso-role']}"`);
    const ciPublicKey = readPublicKey(flags['public-key'], '--public-key');
    const opsPublicKey = flags['ops-public-key']
      ? readPublicKey(flags['ops-public-key'], '--ops-public-key')
      : undefined;
    const env = await loadEnv(flags.env);
    const sql = bootstrapStatements(env, {
      accountPrivileges: deployerAccountPrivileges(snowflakeResourceTypes(env)),
      ciPublicKey,
      ...(opsPublicKey ? { opsPublicKey } : {}),
      ...(flags['bi-sso-role'] ? { biSsoRole: flags['bi-sso-role'].toUpperCase() } : {}),
    });
    process.stdout.write(renderBootstrap(env, sql));
    return 0;
  },
};
