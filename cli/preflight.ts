/**
 * `fdl preflight --env <env>`: is this env file ready for a real deploy? Offline checks (placeholders,
 * values two envs must not share; stacks/preflight.ts) and, when credentials are in the environment, the
 * state bucket and the Snowflake deployer connection. One line per problem on stderr, exit 1.
 *
 * With `--repository owner/name` (deploy.yml passes $GITHUB_REPOSITORY) an env that names another
 * repository is "not configured here" rather than broken: it prints `configured=false` and a GitHub notice
 * and exits 0, so a fork's first merge skips the deploy instead of failing at the OIDC step.
 */
import { ListObjectsV2Command, S3Client } from '@aws-sdk/client-s3';
import { loadEnv, loadEnvs } from '../envs/load';
import type { EnvConfig } from '../envs/types';
import { envProblems, formatProblem, type LiveProbes, liveProblems } from '../stacks/preflight';
import { bootstrapNames } from '../stacks/snowflake-bootstrap';
import type { Command } from './command';
import { parseFlags, UsageError } from './kit/args';

const FLAGS = {
  env: { type: 'string' },
  repository: { type: 'string' },
  offline: { type: 'boolean' },
} as const;

const USAGE = `Usage: fdl preflight --env ENV [--repository OWNER/NAME] [--offline]

Checks envs/<ENV>.env.ts before a deploy: template placeholders (account 111111111111/222222222222,
@example.com addresses, the template repository, the FDLORG Snowflake organization, a state bucket named
after a placeholder account) and values two envs must not share (account, state bucket, lake bucket,
GitHub environment, Snowflake database). With AWS credentials in the environment it also lists the
state bucket; with SNOWFLAKE_USER and SNOWFLAKE_PRIVATE_KEY (or _PATH) it connects as the deployer.
Prints one line per problem and exits 1 when there is any; prints configured=true when there is none.

Flags:
  --env ENV               environment (envs/<ENV>.env.ts)
  --repository OWNER/NAME  the repository running the check (CI: $GITHUB_REPOSITORY); an env that names
                          another repository prints configured=false and a notice, exit 0
  --offline               skip the checks that need credentials

Example:
  fdl preflight --env dev`;

const hasAwsCredentials = (e: NodeJS.ProcessEnv) =>
  Boolean(
    e.AWS_ACCESS_KEY_ID ||
      e.AWS_PROFILE ||
      e.AWS_WEB_IDENTITY_TOKEN_FILE ||
      e.AWS_CONTAINER_CREDENTIALS_FULL_URI ||
      e.AWS_CONTAINER_CREDENTIALS_RELATIVE_URI,
  );

/** The probes the environment has credentials for (absent probes are reported as skipped). */
function probesFor(env: EnvConfig, e: NodeJS.ProcessEnv): LiveProbes {
  const probes: { -readonly [K in keyof LiveProbes]: LiveProbes[K] } = {};
  if (hasAwsCredentials(e))
    probes.listStateBucket = async () => {
      // ListObjectsV2 under <env>/: exactly what the deploy role may do (HeadBucket needs more).
      const s3 = new S3Client({ region: env.state.region });
      await s3.send(
        new ListObjectsV2Command({ Bucket: env.state.bucket, Prefix: `${env.name}/`, MaxKeys: 1 }),
      );
    };
  if (e.SNOWFLAKE_USER && (e.SNOWFLAKE_PRIVATE_KEY || e.SNOWFLAKE_PRIVATE_KEY_PATH))
    probes.snowflakeRole = async () => {
      const { default: snowflake } = await import('snowflake-sdk');
      snowflake.configure({ logLevel: 'ERROR' });
      const names = bootstrapNames(env);
      const connection = snowflake.createConnection({
        account: `${env.snowflake.organizationName}-${env.snowflake.accountName}`,
        username: e.SNOWFLAKE_USER!,
        authenticator: 'SNOWFLAKE_JWT',
        ...(e.SNOWFLAKE_PRIVATE_KEY_PATH
          ? { privateKeyPath: e.SNOWFLAKE_PRIVATE_KEY_PATH }
          : { privateKey: e.SNOWFLAKE_PRIVATE_KEY! }),
        ...(e.SNOWFLAKE_PRIVATE_KEY_PASSPHRASE ? { privateKeyPass: e.SNOWFLAKE_PRIVATE_KEY_PASSPHRASE } : {}),
        role: e.SNOWFLAKE_ROLE || names.deployerRole,
        warehouse: e.SNOWFLAKE_WAREHOUSE || names.deployWarehouse,
      });
      await connection.connectAsync();
      try {
        const rows = await new Promise<Record<string, unknown>[]>((resolve, reject) =>
          connection.execute({
            sqlText: 'SELECT CURRENT_ROLE() AS ROLE',
            complete: (err, _s, r) => (err ? reject(err) : resolve((r ?? []) as Record<string, unknown>[])),
          }),
        );
        return String(rows[0]?.ROLE ?? '');
      } finally {
        await new Promise<void>((resolve) => connection.destroy(() => resolve()));
      }
    };
  return probes;
}

export const preflightCommand: Command = {
  name: 'preflight',
  summary:
    'Check an env file (placeholders, shared values) and, with credentials, state bucket and Snowflake.',
  usage: USAGE,
  async run(argv) {
    const flags = parseFlags(argv, FLAGS);
    if (!flags.env) throw new UsageError('--env is required (e.g. --env dev)');
    const env = await loadEnv(flags.env);
    if (flags.repository !== undefined && flags.repository !== env.github.repository) {
      process.stdout.write('configured=false\n');
      process.stderr.write(
        `::notice title=${env.name} not configured for this repository::envs/${env.name}.env.ts names github.repository "${env.github.repository}", this is "${flags.repository}": deploy of ${env.name} skipped (docs/runbook.md, "First deploy")\n`,
      );
      return 0;
    }
    const problems = envProblems(env, await loadEnvs()).map(formatProblem);
    if (!flags.offline) {
      const live = await liveProblems(env, probesFor(env, process.env), {
        deployerRole: bootstrapNames(env).deployerRole,
      });
      problems.push(...live.problems.map(formatProblem));
      for (const line of live.skipped) process.stderr.write(`preflight: ${line}\n`);
    }
    for (const line of problems) process.stderr.write(`${line}\n`);
    if (problems.length) {
      process.stderr.write(
        `preflight: ${problems.length} problem(s) in envs/${env.name}.env.ts (docs/runbook.md §3)\n`,
      );
      return 1;
    }
    process.stdout.write('configured=true\n');
    return 0;
  },
};
