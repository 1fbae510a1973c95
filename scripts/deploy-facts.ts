/**
 * Print what a deploy job needs to know about an env as `key=value` lines (append them to $GITHUB_OUTPUT):
 * derived from envs/<env>.env.ts and stacks/naming.ts, so the workflows hold no account id, region, role
 * or resource name of their own.
 *
 *   npx tsx scripts/deploy-facts.ts --env dev >> "$GITHUB_OUTPUT"
 */
import { UsageError } from '../cli/kit/args';
import { runScript } from '../cli/kit/script';
import { loadEnv } from '../envs/load';
import type { EnvConfig } from '../envs/types';
import { permissionsBoundaryArn } from '../stacks/iam';
import { Naming } from '../stacks/naming';

/** The facts, in a fixed order. */
export function deployFacts(env: EnvConfig): Record<string, string> {
  const naming = new Naming(env);
  const registry = `${env.account}.dkr.ecr.${env.region}.amazonaws.com`;
  return {
    env: env.name,
    account: env.account,
    region: env.region,
    deploy_role_arn: `arn:aws:iam::${env.account}:role/${naming.iam('GithubDeploy')}`,
    plan_role_arn: `arn:aws:iam::${env.account}:role/${naming.iam('GithubPlan')}`,
    ecr_registry: registry,
    ecr_repository: naming.ecrRepository(),
    ecr_image: `${registry}/${naming.ecrRepository()}`,
    reddit_secret_id: naming.redditSecret(),
    snowflake_check_secret_id: naming.resource('snowflake check credentials'),
    ecr_stack: naming.stack('ecr'),
    aws_stack: naming.stack('aws'),
    snowflake_stack: naming.stack('snowflake'),
    bootstrap_stack: naming.stack('bootstrap'),
    state_bucket: env.state.bucket,
    state_region: env.state.region,
    permissions_boundary_arn: permissionsBoundaryArn(env),
  };
}

const USAGE = `Usage: npx tsx scripts/deploy-facts.ts --env NAME

Prints the deploy facts of envs/NAME.env.ts (account, region, role ARNs, ECR image, stack names) as
key=value lines, for $GITHUB_OUTPUT.

Example:
  npx tsx scripts/deploy-facts.ts --env dev >> "$GITHUB_OUTPUT"`;

if (import.meta.url === `file://${process.argv[1]}`)
  process.exitCode = await runScript({
    name: 'scripts/deploy-facts.ts',
    usage: USAGE,
    flags: { env: { type: 'string' } },
    async main(values, _positionals, io) {
      if (!values.env) throw new UsageError('--env is required (e.g. --env dev)');
      const facts = deployFacts(await loadEnv(values.env));
      io.out(
        Object.entries(facts)
          .map(([k, v]) => `${k}=${v}`)
          .join('\n'),
      );
      return 0;
    },
  });
