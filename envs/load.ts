/**
 * Discover and validate every environment: each `envs/<name>.env.ts` exporting `env`. The file name must
 * match `env.name`, so `fdl-<env>-*` stack names and files never disagree.
 */
import { readdirSync } from 'node:fs';
import { fileURLToPath, pathToFileURL } from 'node:url';
import { ConfigError } from '../lambdas/core/errors';
import { type EnvConfig, validateEnv } from './types';

const ENV_DIR = fileURLToPath(new URL('.', import.meta.url));

export function envFileNames(dir = ENV_DIR): string[] {
  return readdirSync(dir)
    .filter((f) => f.endsWith('.env.ts'))
    .sort();
}

/**
 * Import an env file. From source (tsx, vitest) a plain import; the compiled CLI (dist/cli/) runs on Node
 * without a TypeScript loader, so there tsx compiles just this config file (as tools load a
 * `*.config.ts`). Node 22.6+ strips types itself and never takes the fallback.
 */
async function importEnvFile(path: string): Promise<{ env?: EnvConfig }> {
  const url = pathToFileURL(path).href;
  try {
    return await import(url);
  } catch (err) {
    if ((err as { code?: string }).code !== 'ERR_UNKNOWN_FILE_EXTENSION') throw err;
    const { tsImport } = await import('tsx/esm/api');
    return (await tsImport(url, import.meta.url)) as { env?: EnvConfig };
  }
}

export async function loadEnvs(dir = ENV_DIR): Promise<EnvConfig[]> {
  const files = envFileNames(dir);
  if (files.length === 0)
    throw new ConfigError(`no environments found: add envs/<name>.env.ts (see envs/dev.env.ts)`);
  const envs: EnvConfig[] = [];
  for (const file of files) {
    const where = `envs/${file}`;
    const mod = await importEnvFile(`${dir}/${file}`);
    if (!mod.env)
      throw new ConfigError(`${where}: must export \`env\` (export const env = { … } satisfies EnvConfig)`);
    validateEnv(mod.env, where);
    const expected = file.replace(/\.env\.ts$/, '');
    if (mod.env.name !== expected)
      throw new ConfigError(
        `${where}: field "name" is "${mod.env.name}" but the file name says "${expected}"`,
      );
    envs.push(mod.env);
  }
  return envs;
}

export async function loadEnv(name: string, dir = ENV_DIR): Promise<EnvConfig> {
  const envs = await loadEnvs(dir);
  const env = envs.find((e) => e.name === name);
  if (!env)
    throw new ConfigError(`unknown env "${name}": known envs are ${envs.map((e) => e.name).join(', ')}`);
  return env;
}

/**
 * The deploy workflow builds one image per commit and passes its tag as `FDL_IMAGE_TAG` (read only by the
 * CDKTF entry points, never by constructs); without it each env keeps the tag from its file.
 */
export function withImageTag(envs: readonly EnvConfig[], tag: string | undefined): EnvConfig[] {
  return envs.map((env) => (tag ? { ...env, imageTag: tag } : env));
}

/**
 * For command-line entry points (synth, validate, costs, the CDKTF app): run `work`, and when it fails with
 * a ConfigError print only its message (it names the env file and the field) and exit 1, instead of a
 * stack trace that buries the one line the user needs. Other errors propagate unchanged.
 */
export async function explainConfigErrors<T>(work: () => Promise<T> | T): Promise<T> {
  try {
    return await work();
  } catch (err) {
    if (!(err instanceof ConfigError)) throw err;
    process.stderr.write(`${err.message}\n`);
    process.exit(1);
  }
}
