import { AwsProvider } from '@cdktf/provider-aws/lib/provider';
import type { Construct } from 'constructs';
import type { EnvConfig } from '../envs/types';
import { PROJECT } from './naming';

/**
 * The AWS provider every AWS stack uses: the env's region, locked to the env's account (a deploy with the
 * wrong credentials fails at plan instead of creating resources elsewhere), and default tags.
 */
export function configureAwsProvider(
  scope: Construct,
  env: Pick<EnvConfig, 'name' | 'account' | 'region'>,
  stackName: string,
): AwsProvider {
  return new AwsProvider(scope, 'aws', {
    region: env.region,
    allowedAccountIds: [env.account],
    defaultTags: [{ tags: { project: PROJECT, env: env.name, stack: stackName, 'managed-by': 'cdktf' } }],
  });
}
