import { TerraformOutput } from 'cdktf';
import type { Construct } from 'constructs';
import type { EnvConfig } from '../envs/types';
import { configureAwsProvider } from './aws-provider';
import { configureBackend } from './backend';
import { ImageRepository } from './constructs/image-repository';
import { FdlStack } from './fdl-stack';
import { usePermissionsBoundary } from './iam';
import { Naming } from './naming';

export interface EcrStackProps {
  readonly env: EnvConfig;
}

/**
 * `fdl-<env>-ecr`: the image repository alone, deployed first so CI can push the image before any
 * function in `fdl-<env>-aws` needs it.
 */
export class EcrStack extends FdlStack {
  readonly repository: ImageRepository;
  /** `<account>.dkr.ecr.<region>.amazonaws.com/<name>` (a token; the AWS stack reads it by remote state). */
  readonly repositoryUrl: string;

  constructor(scope: Construct, id: string, props: EcrStackProps) {
    super(scope, id);
    const naming = new Naming(props.env);
    usePermissionsBoundary(this, props.env); // no role today; any future one gets the boundary
    configureAwsProvider(this, props.env, id);
    configureBackend(this, props.env, id);
    this.repository = new ImageRepository(this, 'lambdas', { repositoryName: naming.ecrRepository() });
    this.repositoryUrl = this.repository.url;
    new TerraformOutput(this, 'repository_url', {
      value: this.repository.url,
      description: 'Push the pipeline image here (tag = commit SHA), then deploy the AWS stack.',
    });
  }
}
