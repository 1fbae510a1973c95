import type { App, TerraformStack } from 'cdktf';
import { type EnvConfig, validateEnv } from '../envs/types';
import { AwsStack } from './aws-stack';
import { BootstrapStack } from './bootstrap-stack';
import { EcrStack } from './ecr-stack';
import { Naming } from './naming';
import { SnowflakeStack } from './snowflake-stack';

/** The stacks of one env, in deploy order. */
export interface EnvStacks {
  readonly bootstrap: BootstrapStack;
  readonly ecr: EcrStack;
  readonly aws: AwsStack;
  readonly snowflake: SnowflakeStack;
}

/**
 * Every stack of every env. Deploy order per env: bootstrap (once, by an admin), ecr, then push the image,
 * aws, snowflake. The dependencies below make `cdktf deploy` respect it when given several stacks.
 */
export function buildApp(
  app: App,
  envs: readonly EnvConfig[],
): { stacks: TerraformStack[]; byEnv: Record<string, EnvStacks> } {
  const stacks: TerraformStack[] = [];
  const byEnv: Record<string, EnvStacks> = {};
  for (const env of envs) {
    // loadEnvs() validates too; envs built in code (tests, benches) must not bypass it.
    validateEnv(env, `env "${env.name}"`);
    const naming = new Naming(env);
    const ecr = new EcrStack(app, naming.stack('ecr'), { env });
    const aws = new AwsStack(app, naming.stack('aws'), { env, repositoryUrl: ecr.repositoryUrl });
    aws.addDependency(ecr);
    const snowflake = new SnowflakeStack(app, naming.stack('snowflake'), { env, aws: aws.outputs });
    const bootstrap = new BootstrapStack(app, naming.stack('bootstrap'), { env });
    stacks.push(ecr, aws, snowflake, bootstrap);
    byEnv[env.name] = { bootstrap, ecr, aws, snowflake };
  }
  return { stacks, byEnv };
}
