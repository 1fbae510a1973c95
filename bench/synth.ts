/**
 * Synth time of every stack of both envs (target from issue 2: < 5 s on the 2-core project machine).
 * Measured two ways, median of RUNS each:
 * - cold: a fresh `node --import tsx scripts/synth.ts` process, wall clock from spawn to exit. This is what
 *   `npm run synth` / `cdktf synth` costs (TypeScript transpile, provider bindings load, synth, write), so
 *   the target applies to it.
 * - warm: synthAll() again inside one process (modules loaded): the cost of synth itself, as tests see it.
 */
import { execFileSync } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { loadEnvs } from '../envs/load';
import { synthAll } from '../stacks/synth';
import type { BenchResult } from './types';

const RUNS = 5;
const ROOT = fileURLToPath(new URL('..', import.meta.url));
const TARGET_MS = 5000;

const median = (xs: number[]) => {
  const s = [...xs].sort((a, b) => a - b);
  return s[Math.floor(s.length / 2)]!;
};

export async function run(): Promise<BenchResult[]> {
  const dir = mkdtempSync(join(tmpdir(), 'fdl-bench-synth-'));
  try {
    const envs = await loadEnvs();
    const cold: number[] = [];
    for (let i = 0; i < RUNS; i++) {
      const started = performance.now();
      execFileSync(process.execPath, ['--import', 'tsx', 'scripts/synth.ts', join(dir, `cold-${i}`)], {
        cwd: ROOT,
        stdio: 'ignore',
        env: { ...process.env, CHECKPOINT_DISABLE: '1' },
      });
      cold.push(performance.now() - started);
    }
    const warm: number[] = [];
    let stacks = 0;
    for (let i = 0; i < RUNS; i++) {
      const r = synthAll(envs, join(dir, `warm-${i}`));
      warm.push(r.ms);
      stacks = r.stackNames.length;
    }
    const coldMs = Math.round(median(cold));
    return [
      {
        name: 'synth, all stacks of all envs (fresh process)',
        value: coldMs,
        unit: 'ms',
        target: `< ${TARGET_MS} ms`,
        ok: coldMs < TARGET_MS,
        note: `${stacks} stacks (${envs.map((e) => e.name).join(', ')}), median of ${RUNS} runs of node --import tsx scripts/synth.ts, spawn to exit`,
      },
      {
        name: 'synth, all stacks of all envs (in-process, modules loaded)',
        value: Math.round(median(warm)),
        unit: 'ms',
        note: `${stacks} stacks, median of ${RUNS} synthAll() calls in one process`,
      },
    ];
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}

if (process.argv[1] && fileURLToPath(import.meta.url) === process.argv[1]) {
  for (const r of await run())
    console.log(
      `${r.name}: ${r.value} ${r.unit}${r.target ? ` (target ${r.target}: ${r.ok ? 'ok' : 'MISSED'})` : ''}  [${r.note}]`,
    );
}
