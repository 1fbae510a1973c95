/**
 * `npm test`: the Biome check, `tsc --noEmit` and `vitest run` at the same time instead of one after the
 * other. vitest's output streams as it comes; the lint and typecheck output is held and printed after it,
 * each under its own heading, then one line per check. Exits 1 when any of the three fails (all three run
 * to the end, so one run names every failure). Arguments go to vitest: `npm test -- test/lambdas`.
 */
import { spawn } from 'node:child_process';
import { join } from 'node:path';

const ROOT = join(import.meta.dirname, '..');
const bin = (name) => join(ROOT, 'node_modules', '.bin', name);
const tty = process.stdout.isTTY === true;

/** Run `cmd args`; `held` keeps its output (stdout and stderr interleaved) instead of streaming it. */
function run(label, cmd, args, held) {
  const started = performance.now();
  const output = [];
  const child = spawn(cmd, args, { cwd: ROOT, stdio: held ? ['ignore', 'pipe', 'pipe'] : 'inherit' });
  if (held) for (const stream of [child.stdout, child.stderr]) stream.on('data', (d) => output.push(d));
  return new Promise((resolve) => {
    child.on('error', (error) => {
      output.push(Buffer.from(`${error.message}\n`));
      resolve({ label, code: 1, output, ms: performance.now() - started });
    });
    child.on('close', (code, signal) =>
      resolve({ label, code: code ?? (signal ? 1 : 0), signal, output, ms: performance.now() - started }),
    );
  });
}

const checks = await Promise.all([
  run('lint (biome check .)', bin('biome'), ['check', '.', ...(tty ? ['--colors=force'] : [])], true),
  // --incremental keeps what tsc learnt in .local/ (git-ignored): a rerun checks only what changed.
  run(
    'typecheck (tsc --noEmit)',
    bin('tsc'),
    [
      '--noEmit',
      '--incremental',
      '--tsBuildInfoFile',
      '.local/tsc.tsbuildinfo',
      ...(tty ? ['--pretty'] : []),
    ],
    true,
  ),
  run('vitest run', bin('vitest'), ['run', ...process.argv.slice(2)], false),
]);

for (const c of checks.filter((c) => c.output.length > 0)) {
  process.stdout.write(`\n── ${c.label} ──\n`);
  process.stdout.write(Buffer.concat(c.output));
}
process.stdout.write('\n');
for (const c of checks) {
  const verdict = c.code === 0 ? 'ok    ' : `FAILED (${c.signal ?? `exit ${c.code}`})`;
  process.stdout.write(`${verdict}  ${c.label}  ${(c.ms / 1000).toFixed(1)} s\n`);
}
process.exitCode = checks.every((c) => c.code === 0) ? 0 : 1;
