/**
 * Offline `terraform init -backend=false` + `terraform validate` of synthesized stacks. Uses the repo's
 * Terraform CLI config (terraform/cli.tfrc): the AWS provider comes from the filesystem mirror, nothing is
 * downloaded. It catches what tsc cannot: missing required arguments, invalid enum values, bad references.
 * The Snowflake stacks are not validated here: their provider binary is not available offline.
 */
import { execFile, execFileSync } from 'node:child_process';
import { existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { promisify } from 'node:util';

const run = promisify(execFile);

/**
 * The repo's CLI config for this air-gapped machine; `FDL_TF_CLI_CONFIG` replaces it where the public
 * registry is reachable (GitHub Actions sets it to a registry-only config, see .github/workflows/ci.yml).
 */
export const TF_CLI_CONFIG_FILE =
  process.env.FDL_TF_CLI_CONFIG ?? fileURLToPath(new URL('../terraform/cli.tfrc', import.meta.url));
/** True when the provider comes from the registry, not the offline mirror. */
const USES_REGISTRY = process.env.FDL_TF_CLI_CONFIG !== undefined;
export const PROVIDER_MIRROR = '/opt/tf-plugins';

const platform = () => `${process.platform}_${process.arch === 'x64' ? 'amd64' : process.arch}`;

/** Terraform provider `source` → version pins of a synthesized stack, e.g. `{ aws: '5.100.0' }`. */
function requiredAwsVersion(stackDir: string): string | undefined {
  const tf = JSON.parse(readFileSync(join(stackDir, 'cdk.tf.json'), 'utf8')) as {
    terraform?: { required_providers?: Record<string, { source?: string; version?: string }> };
  };
  return tf.terraform?.required_providers?.aws?.version;
}

/**
 * What is missing to validate offline, each problem saying what to install; empty when ready. `stackDirs`
 * (optional) lets it check that the mirror holds the exact AWS provider version those stacks pin.
 */
export function missingPrerequisites(
  stackDirs: readonly string[] = [],
  where: { readonly mirror?: string; readonly path?: string } = {},
): string[] {
  const mirror = where.mirror ?? PROVIDER_MIRROR;
  const problems: string[] = [];
  try {
    const env = terraformEnv();
    execFileSync('terraform', ['version'], {
      stdio: 'ignore',
      env: where.path === undefined ? env : { ...env, PATH: where.path },
    });
  } catch {
    problems.push(
      'terraform is not on PATH: install Terraform >= 1.10 (the project uses 1.11.4, https://releases.hashicorp.com/terraform/)',
    );
  }
  if (!existsSync(TF_CLI_CONFIG_FILE))
    problems.push(`the Terraform CLI config ${TF_CLI_CONFIG_FILE} is missing`);
  const versions = new Set(stackDirs.map(requiredAwsVersion).filter((v): v is string => !!v));
  if (versions.size === 0) versions.add('');
  for (const version of USES_REGISTRY ? [] : versions) {
    const dir = join(mirror, 'registry.terraform.io/hashicorp/aws', version, version ? platform() : '');
    if (!existsSync(dir))
      problems.push(
        `the AWS provider mirror ${dir} is missing: install hashicorp/aws ${version || '(the version @cdktf/provider-aws pins)'} ` +
          `into ${mirror} (e.g. \`terraform providers mirror ${mirror}\` on a machine with network access)`,
      );
  }
  return problems;
}

/** Environment for every terraform call: the repo's CLI config, no checkpoint calls, no prompts. */
export function terraformEnv(): NodeJS.ProcessEnv {
  return {
    ...process.env,
    TF_CLI_CONFIG_FILE,
    CHECKPOINT_DISABLE: '1',
    TF_IN_AUTOMATION: '1',
    TF_INPUT: '0',
  };
}

export interface StackValidation {
  readonly stack: string;
  readonly valid: boolean;
  /** Terraform's diagnostics (or the init failure), one line each. */
  readonly problems: readonly string[];
  readonly ms: number;
}

interface ValidateJson {
  valid: boolean;
  diagnostics: { severity: string; summary: string; detail?: string; address?: string }[];
}

/** init (no backend) + validate one synthesized stack directory. */
export async function validateStackDir(stack: string, dir: string): Promise<StackValidation> {
  const started = performance.now();
  const env = terraformEnv();
  try {
    await run('terraform', ['init', '-backend=false', '-input=false', '-no-color'], { cwd: dir, env });
  } catch (error) {
    const e = error as { stderr?: string; message: string };
    return {
      stack,
      valid: false,
      problems: [`terraform init failed: ${e.stderr || e.message}`],
      ms: performance.now() - started,
    };
  }
  // validate exits 1 on errors but still prints its JSON report on stdout.
  const out = await run('terraform', ['validate', '-json', '-no-color'], { cwd: dir, env }).catch(
    (error: { stdout?: string }) => ({ stdout: error.stdout ?? '' }),
  );
  let report: ValidateJson;
  try {
    report = JSON.parse(out.stdout) as ValidateJson;
  } catch {
    return {
      stack,
      valid: false,
      problems: [`terraform validate printed no report: ${out.stdout}`],
      ms: performance.now() - started,
    };
  }
  const problems = report.diagnostics.map(
    (d) =>
      `${d.severity}: ${d.summary}${d.address ? ` (${d.address})` : ''}${d.detail ? `: ${d.detail}` : ''}`,
  );
  return { stack, valid: report.valid, problems, ms: performance.now() - started };
}

/** Validate several stacks of `outdir`, two at a time (init is I/O-bound, validate CPU-bound). */
export async function validateStacks(
  outdir: string,
  stackNames: readonly string[],
  concurrency = 2,
): Promise<StackValidation[]> {
  const results: StackValidation[] = [];
  const queue = [...stackNames];
  const worker = async () => {
    for (let name = queue.shift(); name !== undefined; name = queue.shift())
      results.push(await validateStackDir(name, join(outdir, 'stacks', name)));
  };
  await Promise.all(Array.from({ length: Math.min(concurrency, stackNames.length) }, worker));
  return results.sort((a, b) => stackNames.indexOf(a.stack) - stackNames.indexOf(b.stack));
}

/** The stacks Terraform can validate offline: every AWS-only stack (`-ecr`, `-aws`, `-bootstrap`). */
export function awsStackNames(stackNames: readonly string[]): string[] {
  return stackNames.filter((n) => /-(ecr|aws|bootstrap)$/.test(n));
}
