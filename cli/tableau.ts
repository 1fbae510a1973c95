/**
 * `fdl tableau --env <env>`: write the env's Tableau data source (cli/tableau-tds.ts) for the EXPOSED
 * views with the READER role. docs/bi.md explains how to open it and how to connect other SQL clients.
 */
import { writeFileSync } from 'node:fs';
import { dirname, resolve } from 'node:path';
import { loadEnv } from '../envs/load';
import { ensureDirSync } from '../lambdas/adapters/ensure-dir';
import { bootstrapNames } from '../stacks/snowflake-bootstrap';
import type { Command } from './command';
import { parseFlags, UsageError } from './kit/args';
import { TABLEAU_AUTHS, type TableauAuth, tableauDataSource } from './tableau-tds';

const FLAGS = {
  env: { type: 'string' },
  out: { type: 'string' },
  auth: { type: 'string' },
  user: { type: 'string' },
} as const;

const USAGE = `Usage: fdl tableau --env ENV [--out FILE] [--auth oauth|keypair] [--user NAME]

Writes a Tableau data source (.tds) for the env's EXPOSED views: the Snowflake account host, warehouse,
database, schema EXPOSED and role READER from envs/<ENV>.env.ts. No password, token or key is written.

Flags:
  --env ENV            environment (envs/<ENV>.env.ts)
  --out FILE           where to write  [default: finance-de-lab-<ENV>.tds]
  --auth oauth|keypair Snowflake OAuth, or key pair (Tableau asks for the key file)  [default: oauth]
  --user NAME          Snowflake user  [default: the BI user of fdl snowflake-bootstrap, FDL_<ENV>_BI]

Example:
  fdl tableau --env prod --out ~/Documents/finance-de-lab-prod.tds`;

export const tableauCommand: Command = {
  name: 'tableau',
  summary: 'Write a Tableau data source (.tds) for the EXPOSED views with the READER role.',
  usage: USAGE,
  async run(argv) {
    const flags = parseFlags(argv, FLAGS);
    if (!flags.env) throw new UsageError('--env is required (e.g. --env dev)');
    const auth = (flags.auth ?? 'oauth') as TableauAuth;
    if (!TABLEAU_AUTHS.includes(auth))
      throw new UsageError(`--auth must be one of ${TABLEAU_AUTHS.join(', ')}, got "${flags.auth}"`);
    const env = await loadEnv(flags.env);
    const out = resolve(flags.out ?? `finance-de-lab-${env.name}.tds`);
    ensureDirSync(dirname(out));
    writeFileSync(out, tableauDataSource(env, auth, flags.user ?? bootstrapNames(env).biUser));
    process.stdout.write(
      `wrote ${out} (${env.name}: role ${bootstrapNames(env).readerRole}, auth ${auth})\n`,
    );
    return 0;
  },
};
