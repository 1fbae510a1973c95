/**
 * Print what a deploy job needs to know about an env as `key=value` lines (append them to $GITHUB_OUTPUT):
 * derived from envs/<env>.env.ts and stacks/naming.ts, so the workflows hold no account id, region, role
 * or resource name of their own.
 *
 *   npx tsx scripts/deploy-facts.ts --env dev >> "$GITHUB_OUTPUT"
 */
import { parseArgs } from 'node:util';
import { loadEnv } from '../envs/load';
import type { EnvConfig } from '../envs/types';
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
  };
}

async function main(): Promise<void> {
  const { values } = parseArgs({ options: { env: { type: 'string' } } });
  if (!values.env) throw new Error('usage: tsx scripts/deploy-facts.ts --env <name>');
  const facts = deployFacts(await loadEnv(values.env));
  process.stdout.write(
    `${Object.entries(facts)
      .map(([k, v]) => `${k}=${v}`)
      .join('\n')}\n`,
  );
}

if (import.meta.url === `file://${process.argv[1]}`) await main();
