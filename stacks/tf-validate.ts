/**
 * Offline `terraform init -backend=false` + `terraform validate` of synthesized stacks. Uses the repo's
 * Terraform CLI config (terraform/cli.tfrc): the AWS provider comes from the filesystem mirror, nothing is
 * downloaded. It catches what tsc cannot: missing required arguments, invalid enum values, bad references.
 * The Snowflake stacks are not validated here: their provider binary is not available offline.
 */
import { execFile, execFileSync } from 'node:child_process';
import { existsSync, mkdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
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
  diagnostics: {
    severity: string;
    summary: string;
    detail?: string;
    address?: string;
    range?: { filename: string };
  }[];
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
      problems: [`error: terraform init failed: ${e.stderr || e.message}`],
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
      problems: [`error: terraform validate printed no report: ${out.stdout}`],
      ms: performance.now() - started,
    };
  }
  const problems = report.diagnostics.map(
    (d) =>
      `${d.severity}: ${d.summary}${d.address ? ` (${d.address})` : ''}${d.range ? ` [${d.range.filename}]` : ''}${d.detail ? `: ${d.detail}` : ''}`,
  );
  return { stack, valid: report.valid, problems, ms: performance.now() - started };
}

/**
 * Validate several stacks of `outdir` in ONE Terraform run: a generated root module
 * (`<outdir>/validate-all/main.tf.json`) uses each stack directory as a child module, so Terraform loads
 * the AWS provider's schema once (≈4 s of CPU each time) instead of once per stack. Each stack's
 * diagnostics are told apart by the file they point at; the "Backend configuration ignored" warning is
 * this harness's own (a child module's backend block), not the stack's. A diagnostic that names no stack
 * file counts against every stack.
 */
export async function validateStacks(
  outdir: string,
  stackNames: readonly string[],
): Promise<StackValidation[]> {
  const root = join(outdir, 'validate-all');
  rmSync(root, { recursive: true, force: true });
  mkdirSync(root, { recursive: true });
  const moduleName = (stack: string) => stack.replace(/[^A-Za-z0-9_]/g, '_');
  writeFileSync(
    join(root, 'main.tf.json'),
    JSON.stringify(
      { module: Object.fromEntries(stackNames.map((n) => [moduleName(n), { source: `../stacks/${n}` }])) },
      null,
      2,
    ),
  );
  const all = await validateStackDir('all', root);
  const ownFile = (problem: string, stack: string) => problem.includes(`/stacks/${stack}/`);
  const relevant = all.problems.filter((p) => !/^warning: Backend configuration ignored/.test(p));
  return stackNames.map((stack) => {
    const problems = relevant.filter(
      (p) => ownFile(p, stack) || !stackNames.some((other) => ownFile(p, other)),
    );
    return { stack, valid: !problems.some((p) => p.startsWith('error:')), problems, ms: all.ms };
  });
}

/** The stacks Terraform can validate offline: every AWS-only stack (`-ecr`, `-aws`, `-bootstrap`). */
export function awsStackNames(stackNames: readonly string[]): string[] {
  return stackNames.filter((n) => /-(ecr|aws|bootstrap)$/.test(n));
}
