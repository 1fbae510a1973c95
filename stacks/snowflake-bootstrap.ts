/**
 * The Snowflake bootstrap of one env: what an ACCOUNTADMIN runs once per account/env so CI can deploy the
 * Snowflake stack (`fdl snowflake-bootstrap`, cli/snowflake-bootstrap.ts). Pure: names come from the naming
 * helper, the deployer's account privileges from the resource types the Snowflake stack synthesizes.
 *
 * Two parts, because the READER and LOADER roles are created by the stack itself:
 * 1. before the first deploy: the deployer role and its exact grants, the warehouse CI deploys with
 *    (SNOWFLAKE_WAREHOUSE; the stack's own warehouse does not exist on the first apply), the CI service user
 *    with its RSA public key;
 * 2. after the first deploy: the people and tools who use the data — a BI user granted READER (or the
 *    role your SSO maps to) and an ops user granted LOADER (`fdl check-ingestion`).
 *
 * node-sql-parser's Snowflake dialect parses none of these statements (USE ROLE, CREATE ROLE/USER/WAREHOUSE
 * and every GRANT are outside its grammar), so each statement is built from a closed set of templates here
 * and the tests check every identifier against the naming helper instead.
 */
import type { EnvConfig } from '../envs/types';
import { Naming } from './naming';

/** The Snowflake objects the bootstrap creates, named by the naming helper (`FDL_DEV_DEPLOYER`, …). */
export function bootstrapNames(env: Pick<EnvConfig, 'name' | 'region' | 'topicSuffix' | 'snowflake'>) {
  const naming = new Naming(env);
  return {
    deployerRole: naming.snowflake('deployer'),
    deployWarehouse: naming.snowflake('deploy warehouse'),
    ciUser: naming.snowflake('ci'),
    biUser: naming.snowflake('bi'),
    opsUser: naming.snowflake('ops'),
    /** Created by the stack; granted to users in part 2. */
    readerRole: naming.snowflake('reader'),
    loaderRole: naming.snowflake('loader'),
  } as const;
}

/** Snowflake's system roles the statements may name besides the env's own objects. */
export const SYSTEM_ROLES = ['ACCOUNTADMIN', 'SECURITYADMIN', 'SYSADMIN', 'USERADMIN'] as const;

/**
 * Account-level privilege the deployer needs to create a resource type of the Snowflake stack. Types not
 * listed are created inside the database the deployer owns (schemas, tables, stages, pipes, views, file
 * formats) or are grants/data sources that ownership already allows, hence `null`. A type in neither list
 * fails loudly: a new kind of resource must be classified here before the bootstrap can be trusted.
 */
export const ACCOUNT_PRIVILEGE_BY_RESOURCE: Readonly<Record<string, string | null>> = {
  snowflake_database: 'CREATE DATABASE',
  snowflake_warehouse: 'CREATE WAREHOUSE',
  snowflake_account_role: 'CREATE ROLE',
  snowflake_storage_integration: 'CREATE INTEGRATION',
  snowflake_notification_integration: 'CREATE INTEGRATION',
  // Resuming an alert runs it on a schedule: Snowflake requires EXECUTE ALERT on the account.
  snowflake_alert: 'EXECUTE ALERT',
  snowflake_schema: null,
  snowflake_table: null,
  snowflake_stage: null,
  snowflake_file_format: null,
  snowflake_pipe: null,
  snowflake_view: null,
  // The deployer owns the roles it grants (it created them) and the objects it grants on.
  snowflake_grant_account_role: null,
  snowflake_grant_privileges_to_account_role: null,
};

/** The provider's AWS resources in the same stack (IAM role, topic policy) need no Snowflake privilege. */
const isSnowflakeType = (type: string) => type.startsWith('snowflake_');

/** The deployer's account privileges: exactly those the stack's resource types need, sorted, unique. */
export function deployerAccountPrivileges(resourceTypes: readonly string[]): string[] {
  const privileges = new Set<string>();
  for (const type of resourceTypes.filter(isSnowflakeType)) {
    if (!(type in ACCOUNT_PRIVILEGE_BY_RESOURCE))
      throw new Error(
        `the Snowflake stack creates ${type}, which stacks/snowflake-bootstrap.ts does not classify: add it to ACCOUNT_PRIVILEGE_BY_RESOURCE`,
      );
    const privilege = ACCOUNT_PRIVILEGE_BY_RESOURCE[type];
    if (privilege) privileges.add(privilege);
  }
  return [...privileges].sort();
}

/**
 * The base64 body of a PEM public key (what `RSA_PUBLIC_KEY = '…'` takes). Throws when the text is not a
 * PEM public key: a private key pasted by mistake must never reach the printed SQL.
 */
export function rsaPublicKeyBody(pem: string, where: string): string {
  const m = /-----BEGIN PUBLIC KEY-----([A-Za-z0-9+/=\s]+)-----END PUBLIC KEY-----/.exec(pem);
  if (/PRIVATE KEY/.test(pem))
    throw new Error(`${where} holds a PRIVATE key: pass the public key (rsa_key.pub), never the private one`);
  if (!m)
    throw new Error(
      `${where} is not a PEM public key ("-----BEGIN PUBLIC KEY-----" … ); see docs/runbook.md`,
    );
  return m[1]!.replace(/\s+/g, '');
}

export interface BootstrapOptions {
  /** Account privileges of the deployer (deployerAccountPrivileges of the synthesized stack). */
  readonly accountPrivileges: readonly string[];
  /** Base64 body of the CI user's RSA public key. */
  readonly ciPublicKey: string;
  /** Base64 body of the ops user's key; without it the ops user is left out. */
  readonly opsPublicKey?: string;
  /** The role your SSO/SCIM maps BI users to; when set, READER is granted to it instead of a BI user. */
  readonly biSsoRole?: string;
}

export interface BootstrapSql {
  readonly beforeFirstDeploy: readonly string[];
  readonly afterFirstDeploy: readonly string[];
}

const quote = (s: string) => `'${s.replace(/'/g, "''")}'`;

/** The bootstrap statements of `env` (without trailing semicolons; `renderBootstrap` prints them). */
export function bootstrapStatements(env: EnvConfig, options: BootstrapOptions): BootstrapSql {
  const n = bootstrapNames(env);
  const before = [
    'USE ROLE ACCOUNTADMIN',
    `CREATE ROLE IF NOT EXISTS ${n.deployerRole} COMMENT = ${quote(`Deploys the finance-de-lab ${env.name} Snowflake stack (CI).`)}`,
    // Custom roles roll up to SYSADMIN (Snowflake's recommended hierarchy): admins see what it owns.
    `GRANT ROLE ${n.deployerRole} TO ROLE SYSADMIN`,
    ...options.accountPrivileges.map((p) => `GRANT ${p} ON ACCOUNT TO ROLE ${n.deployerRole}`),
    `CREATE WAREHOUSE IF NOT EXISTS ${n.deployWarehouse} WITH WAREHOUSE_SIZE = 'XSMALL' AUTO_SUSPEND = 60 AUTO_RESUME = TRUE INITIALLY_SUSPENDED = TRUE COMMENT = ${quote('Used by CI deploys only (SNOWFLAKE_WAREHOUSE).')}`,
    `GRANT USAGE ON WAREHOUSE ${n.deployWarehouse} TO ROLE ${n.deployerRole}`,
    `CREATE USER IF NOT EXISTS ${n.ciUser} TYPE = SERVICE DEFAULT_ROLE = ${n.deployerRole} DEFAULT_WAREHOUSE = ${n.deployWarehouse} RSA_PUBLIC_KEY = ${quote(options.ciPublicKey)} COMMENT = ${quote('GitHub Actions deploys (key-pair only, no password).')}`,
    // Re-running with a new key rotates it (CREATE USER IF NOT EXISTS keeps an existing user unchanged).
    `ALTER USER ${n.ciUser} SET RSA_PUBLIC_KEY = ${quote(options.ciPublicKey)}`,
    `GRANT ROLE ${n.deployerRole} TO USER ${n.ciUser}`,
  ];
  const after = ['USE ROLE ACCOUNTADMIN'];
  if (options.biSsoRole) after.push(`GRANT ROLE ${n.readerRole} TO ROLE ${options.biSsoRole}`);
  else
    after.push(
      `CREATE USER IF NOT EXISTS ${n.biUser} TYPE = PERSON DEFAULT_ROLE = ${n.readerRole} DEFAULT_WAREHOUSE = ${new Naming(env).snowflake('warehouse')} DEFAULT_NAMESPACE = ${new Naming(env).snowflakeDatabase()}.EXPOSED COMMENT = ${quote('BI (Tableau): READER only. Set its authentication: SSO, key-pair or OAuth (docs/bi.md).')}`,
      `GRANT ROLE ${n.readerRole} TO USER ${n.biUser}`,
    );
  if (options.opsPublicKey)
    after.push(
      `CREATE USER IF NOT EXISTS ${n.opsUser} TYPE = SERVICE DEFAULT_ROLE = ${n.loaderRole} RSA_PUBLIC_KEY = ${quote(options.opsPublicKey)} COMMENT = ${quote('fdl check-ingestion and pipe operations: LOADER only.')}`,
      `GRANT ROLE ${n.loaderRole} TO USER ${n.opsUser}`,
    );
  return { beforeFirstDeploy: before, afterFirstDeploy: after };
}

/** The statements as a script an admin pastes into a worksheet, with the two parts headed. */
export function renderBootstrap(env: EnvConfig, sql: BootstrapSql): string {
  const n = bootstrapNames(env);
  const part = (lines: readonly string[]) => lines.map((s) => `${s};`).join('\n');
  return [
    `-- finance-de-lab Snowflake bootstrap for env "${env.name}" (account ${env.snowflake.organizationName}-${env.snowflake.accountName}).`,
    '-- Generated by `fdl snowflake-bootstrap`; run as ACCOUNTADMIN. Contains public keys only.',
    '',
    '-- Part 1: before the first deploy.',
    part(sql.beforeFirstDeploy),
    '',
    `-- Then set the GitHub environment "${env.github.environment}": SNOWFLAKE_USER=${n.ciUser}, SNOWFLAKE_ROLE=${n.deployerRole},`,
    `-- SNOWFLAKE_WAREHOUSE=${n.deployWarehouse}, SNOWFLAKE_PRIVATE_KEY=<the private key PEM>.`,
    '',
    `-- Part 2: after the first deploy (the stack creates ${n.readerRole} and ${n.loaderRole}).`,
    part(sql.afterFirstDeploy),
    '',
  ].join('\n');
}
