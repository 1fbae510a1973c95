/**
 * Cold import of each bundled Lambda handler: a fresh `node` process per sample imports
 * dist/lambda/<name>.mjs and reports how long the import took (module parse + top-level init, what a
 * Lambda cold start pays before the first invocation). Median of 5 per handler; target < 300 ms.
 *
 *   npx tsx bench/cold-import.ts        (bundles first: node lambdas/build.mjs)
 */
import { execFileSync } from 'node:child_process';
import { existsSync } from 'node:fs';
import { join } from 'node:path';
import { pathToFileURL } from 'node:url';
import { FUNCTION_NAMES } from '../envs/types';
import { type BenchResult, median } from './types';

const ROOT = join(import.meta.dirname, '..');
const RUNS = 5;
const TARGET_MS = 300;

function importMs(file: string): number {
  const code = `const t = performance.now(); await import(${JSON.stringify(pathToFileURL(file).href)}); process.stdout.write(String(performance.now() - t));`;
  const out = execFileSync(process.execPath, ['--input-type=module', '-e', code], {
    encoding: 'utf8',
    env: { PATH: process.env.PATH, AWS_REGION: 'eu-west-1' },
  });
  return Number(out);
}

export async function run(): Promise<BenchResult[]> {
  execFileSync(process.execPath, [join(ROOT, 'lambdas', 'build.mjs')], { cwd: ROOT, stdio: 'pipe' });
  const results: BenchResult[] = [];
  for (const name of FUNCTION_NAMES) {
    const file = join(ROOT, 'dist', 'lambda', `${name}.mjs`);
    if (!existsSync(file)) continue;
    const samples = Array.from({ length: RUNS }, () => importMs(file));
    const value = Math.round(median(samples));
    results.push({
      name: `cold import of bundled ${name} handler`,
      value,
      unit: 'ms',
      target: `< ${TARGET_MS} ms`,
      ok: value < TARGET_MS,
      note: `median of ${RUNS} fresh node processes; samples ${samples.map((s) => Math.round(s)).join(', ')} ms`,
    });
  }
  return results;
}

if (import.meta.url === pathToFileURL(process.argv[1] ?? '').href) {
  for (const r of await run())
    console.log(`${r.name}: ${r.value} ${r.unit} (${r.target}) ${r.ok ? 'ok' : 'MISSED'} — ${r.note}`);
}
