/**
 * In-process synth of every stack of every env into one output directory (cdktf.out by default), the
 * same tree `cdktf synth` writes: `<outdir>/stacks/<stack>/cdk.tf.json`. Used by scripts/synth.ts, the
 * benchmark and the tests, so they all check exactly what `cdktf deploy` would apply.
 */
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { App } from 'cdktf';
import type { EnvConfig } from '../envs/types';
import { buildApp, type EnvStacks } from './app';
import type { TerraformJson } from './policy/types';

export interface SynthResult {
  readonly outdir: string;
  /** Stack names in build order. */
  readonly stackNames: readonly string[];
  /** The stack objects per env name (for tests that read construct fields). */
  readonly byEnv: Readonly<Record<string, EnvStacks>>;
  readonly ms: number;
}

export function synthAll(envs: readonly EnvConfig[], outdir = 'cdktf.out'): SynthResult {
  const started = performance.now();
  const app = new App({ outdir });
  const { stacks, byEnv } = buildApp(app, envs);
  app.synth();
  return { outdir, stackNames: stacks.map((s) => s.node.id), byEnv, ms: performance.now() - started };
}

/** Directory holding a synthesized stack's cdk.tf.json. */
export function stackDir(outdir: string, stackName: string): string {
  return join(outdir, 'stacks', stackName);
}

/** The synthesized Terraform JSON of one stack. */
export function readStack(outdir: string, stackName: string): TerraformJson {
  return JSON.parse(readFileSync(join(stackDir(outdir, stackName), 'cdk.tf.json'), 'utf8')) as TerraformJson;
}
