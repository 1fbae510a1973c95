/**
 * The one S3 backend configuration every stack uses: the env's state bucket, one state file per env and
 * stack (`<env>/<stack>.tfstate`), encrypted at rest, with S3-native locking.
 */
import { S3Backend, type TerraformStack } from 'cdktf';
import type { EnvConfig } from '../envs/types';

/** State object key of a stack, e.g. `dev/fdl-dev-aws.tfstate`. */
export function stateKey(env: Pick<EnvConfig, 'name'>, stackName: string): string {
  return `${env.name}/${stackName}.tfstate`;
}

/** Configure `stack` to keep its state in the env's state bucket. Call once per stack, in its constructor. */
export function configureBackend(
  stack: TerraformStack,
  env: Pick<EnvConfig, 'name' | 'state'>,
  stackName: string,
): S3Backend {
  const backend = new S3Backend(stack, {
    bucket: env.state.bucket,
    region: env.state.region,
    key: stateKey(env, stackName),
    encrypt: true,
  });
  // S3-native locking (Terraform >= 1.10) replaces the DynamoDB lock table. cdktf 0.21's S3BackendConfig
  // predates it and has no `useLockfile` prop, hence the override (it lands in terraform.backend.s3).
  backend.addOverride('use_lockfile', true);
  return backend;
}
