import { EcrLifecyclePolicy } from '@cdktf/provider-aws/lib/ecr-lifecycle-policy';
import { EcrRepository } from '@cdktf/provider-aws/lib/ecr-repository';
import { Construct } from 'constructs';

export interface ImageRepositoryProps {
  /** Physical repository name (`Naming.ecrRepository()`). */
  readonly repositoryName: string;
  /**
   * Tagged images kept; older ones expire. Tags are commit SHAs, so this is the rollback window: keep it
   * well above the number of pushes between deploys.
   * @default 30
   */
  readonly keepImages?: number;
  /** Days before untagged images (interrupted pushes) expire. @default 1 */
  readonly untaggedExpireDays?: number;
}

/** The ECR repository of the one pipeline image: scanned on push, immutable tags, bounded history. */
export class ImageRepository extends Construct {
  readonly repository: EcrRepository;
  readonly url: string;
  readonly arn: string;

  constructor(scope: Construct, id: string, props: ImageRepositoryProps) {
    super(scope, id);
    this.repository = new EcrRepository(this, 'repository', {
      name: props.repositoryName,
      // A tag always means the same image: a deployed function can never silently change code.
      imageTagMutability: 'IMMUTABLE',
      imageScanningConfiguration: { scanOnPush: true },
      encryptionConfiguration: [{ encryptionType: 'AES256' }],
    });
    this.url = this.repository.repositoryUrl;
    this.arn = this.repository.arn;
    new EcrLifecyclePolicy(this, 'lifecycle', {
      repository: this.repository.name,
      policy: JSON.stringify({
        rules: [
          {
            rulePriority: 1,
            description: 'Expire untagged images (interrupted pushes)',
            selection: {
              tagStatus: 'untagged',
              countType: 'sinceImagePushed',
              countUnit: 'days',
              countNumber: props.untaggedExpireDays ?? 1,
            },
            action: { type: 'expire' },
          },
          {
            rulePriority: 2,
            description: `Keep the ${props.keepImages ?? 30} most recent images`,
            selection: {
              tagStatus: 'any',
              countType: 'imageCountMoreThan',
              countNumber: props.keepImages ?? 30,
            },
            action: { type: 'expire' },
          },
        ],
      }),
    });
  }
}
