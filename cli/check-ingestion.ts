/**
 * `fdl check-ingestion --env <name> [--hours 24] [--grace-minutes 10]`: on a real account, compare the
 * Parquet files the lake holds for a window with what each Snowpipe loaded (COPY_HISTORY), show each
 * pipe's SYSTEM$PIPE_STATUS, print one table, and exit 1 when a file is missing or a pipe is not RUNNING.
 *
 * Thin edge: the queries, parsing and reconciliation live in ops/ingestion-check.ts (unit-tested on
 * recorded result shapes); this file only wires snowflake-sdk (key-pair auth) and S3 listing to them.
 */
import { S3Client } from '@aws-sdk/client-s3';
import { loadEnv } from '../envs/load';
import type { EnvConfig } from '../envs/types';
import { s3PrefixLister } from '../lambdas/adapters/s3-lake-store';
import { connectSnowflake } from '../lambdas/adapters/snowflake';
import { checkIngestion, exitCodeFor, formatReport, type IngestionCheckDeps } from '../ops/ingestion-check';
import { describeFailures, runViewTests } from '../sql/view-tests';
import { Naming } from '../stacks/naming';
import type { Command } from './command';
import { JSON_FLAG, parseFlags, UsageError } from './kit/args';
import { processIo, toJson } from './kit/io';

const USAGE = `Usage: fdl check-ingestion --env <name> [--hours <n>] [--grace-minutes <n>]

Checks Snowpipe ingestion on the env's Snowflake account: SYSTEM$PIPE_STATUS of every pipe, and the
lake's Parquet files of the last <hours> against INFORMATION_SCHEMA.COPY_HISTORY. Prints one row per
dataset and exits 1 when a pipe is not RUNNING, has a backlog, has not ingested for an hour while files
arrive, or a file was not loaded (the same findings as the hourly cloud check; docs/runbook.md §9).
Then runs the EXPOSED views' grain tests (each view's key unique and not null) and exits 1 on a failure.

Flags:
  --env <name>            environment (envs/<name>.env.ts), required
  --hours <n>             window to check, 1-336 (COPY_HISTORY keeps 14 days)   [default: 24]
  --grace-minutes <n>     files newer than this are "recent", not missing      [default: 10]
  --json                  print the per-dataset results (and grain test failures) as JSON
  --help                  show this text

Environment (key-pair auth; nothing is read from files in the repo):
  SNOWFLAKE_ACCOUNT       account identifier <org>-<account>  [default: from the env config]
  SNOWFLAKE_USER          user with the env's LOADER role (FDL_<ENV>_LOADER)
  SNOWFLAKE_PRIVATE_KEY_PATH or SNOWFLAKE_PRIVATE_KEY   PKCS#8 PEM private key (path or contents)
  SNOWFLAKE_PRIVATE_KEY_PASSPHRASE                      when the key is encrypted
  AWS credentials         the usual AWS SDK chain, allowed to list the lake bucket

Example:
  fdl check-ingestion --env dev --hours 6`;

// The orchestration lives beside the pure logic (ops/), shared with the scheduled cloud check.
export { checkIngestion, type IngestionCheckDeps };

function requireEnvVar(name: string): string {
  const v = process.env[name];
  if (!v) throw new Error(`environment variable ${name} is not set (see fdl check-ingestion --help)`);
  return v;
}

/** snowflake-sdk connection with key-pair (SNOWFLAKE_JWT) auth, the LOADER role and the env's warehouse. */
async function snowflakeQuery(env: EnvConfig) {
  const naming = new Naming(env);
  const keyPath = process.env.SNOWFLAKE_PRIVATE_KEY_PATH;
  const key = process.env.SNOWFLAKE_PRIVATE_KEY;
  if (!keyPath && !key)
    throw new Error(
      'set SNOWFLAKE_PRIVATE_KEY_PATH or SNOWFLAKE_PRIVATE_KEY (see fdl check-ingestion --help)',
    );
  return connectSnowflake({
    account:
      process.env.SNOWFLAKE_ACCOUNT ?? `${env.snowflake.organizationName}-${env.snowflake.accountName}`,
    username: requireEnvVar('SNOWFLAKE_USER'),
    ...(keyPath ? { privateKeyPath: keyPath } : { privateKey: key! }),
    privateKeyPass: process.env.SNOWFLAKE_PRIVATE_KEY_PASSPHRASE,
    role: naming.snowflake('loader'),
    warehouse: naming.snowflake('warehouse'),
    database: naming.snowflakeDatabase(),
  });
}

function s3Lister(env: EnvConfig): IngestionCheckDeps['listLake'] {
  return s3PrefixLister(new S3Client({ region: env.region }), new Naming(env).lakeBucket());
}

const FLAGS = {
  env: { type: 'string' },
  hours: { type: 'string' },
  'grace-minutes': { type: 'string' },
  help: { type: 'boolean' },
  ...JSON_FLAG,
} as const;

/** Parse and validate the flags; throws UsageError with the flag's name on a bad value. */
export function parseCheckIngestionArgs(
  argv: readonly string[],
): { help: true } | { help: false; env: string; hours: number; graceMinutes: number; json: boolean } {
  const values = parseFlags(argv, FLAGS);
  if (values.help) return { help: true };
  if (!values.env) throw new UsageError('--env is required (e.g. --env dev)');
  const hoursText = values.hours ?? '24';
  const hours = Number(hoursText);
  if (!Number.isInteger(hours) || hours < 1 || hours > 336)
    throw new UsageError(`--hours must be an integer 1-336 (COPY_HISTORY keeps 14 days), got "${hoursText}"`);
  const graceText = values['grace-minutes'] ?? '10';
  const graceMinutes = Number(graceText);
  if (!Number.isInteger(graceMinutes) || graceMinutes < 0)
    throw new UsageError(`--grace-minutes must be a non-negative integer, got "${graceText}"`);
  return { help: false, env: values.env, hours, graceMinutes, json: values.json ?? false };
}

export const checkIngestionCommand: Command = {
  name: 'check-ingestion',
  summary: 'Check Snowpipe ingestion on Snowflake: pipe status and lake files vs COPY_HISTORY.',
  usage: USAGE,
  async run(argv, io = processIo) {
    // A UsageError reaches the dispatcher (cli/fdl.ts), which prints one line and exits 2.
    const args = parseCheckIngestionArgs(argv);
    if (args.help) {
      io.out(USAGE);
      return 0;
    }
    const env = await loadEnv(args.env);
    const sf = await snowflakeQuery(env);
    try {
      const database = new Naming(env).snowflakeDatabase();
      const results = await checkIngestion({ database }, args, {
        now: new Date(),
        query: sf.query,
        listLake: s3Lister(env),
      });
      // The EXPOSED views' grain tests, the same SQL `fdl run` runs on the local warehouse.
      const grainFailures = describeFailures(await runViewTests(sf.query, database));
      if (args.json) io.out(toJson({ datasets: results, grainTestFailures: grainFailures }));
      else {
        io.out(formatReport(results));
        io.out(
          grainFailures.length === 0
            ? 'grain tests: every EXPOSED view key unique and not null'
            : `grain tests FAILED:\n  ${grainFailures.join('\n  ')}`,
        );
      }
      return Math.max(exitCodeFor(results), grainFailures.length > 0 ? 1 : 0);
    } finally {
      await sf.close();
    }
  },
};
