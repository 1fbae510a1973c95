/**
 * `fdl reprocess` against DuckDB's own SQL, whole processes as a user runs them (start-up included),
 * on generated archives of Coinlore tickers envelopes (100 coins each, 150 pages per run: one full
 * 15,000-coin universe per run):
 * - 300k rows (3,000 envelopes, 20 runs) and 3M rows (30,000 envelopes, 200 runs): `fdl reprocess`
 *   and bench/duckdb-anchor.mjs (read_json → unnest → COPY … PARTITION_BY) run interleaved, the
 *   order alternating per round, median of ROUNDS each; the ratio is anchor time / fdl time (> 1: fdl
 *   is faster);
 * - 10M rows (100,050 envelopes, 667 runs): `fdl reprocess` once, for its peak memory (the anchor is
 *   not run there: it needs several GB at 3M rows already).
 * Wall time and peak RSS come from GNU time (`/usr/bin/time -f '%e %M'`), which reports the largest
 * process of the tree (the bin launcher's child runs the job). Both sides must write the generated
 * number of rows, or the bench fails.
 *
 * Archives are generated once into the OS temp folder (fdl-bench-archives/<envelopes>/, reused while
 * their marker file exists) because writing 100,000 files takes longer than reprocessing them.
 *
 *   npx tsx bench/reprocess.ts            # prints the results
 */
import { execFile } from 'node:child_process';
import { existsSync, mkdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';
import { rawKey } from '../lambdas/core/lake';
import { prng, tickersPage } from './transform';
import type { BenchResult } from './types';

const ROOT = fileURLToPath(new URL('..', import.meta.url));
const FDL = join(ROOT, 'bin', 'fdl.mjs');
const ANCHOR = join(ROOT, 'bench', 'duckdb-anchor.mjs');
const PAGES_PER_RUN = 150;
const ROWS_PER_PAGE = 100;
const ROUNDS = 3;
const FIRST_RUN = Date.UTC(2026, 0, 1, 0, 0);

/** Generates (or reuses) an archive of `runs` runs of 150 tickers pages; returns its lake root. */
export function tickersArchive(runs: number, base = join(tmpdir(), 'fdl-bench-archives')): string {
  const root = join(base, String(runs * PAGES_PER_RUN));
  const marker = join(root, 'complete');
  if (existsSync(marker)) return root;
  rmSync(root, { recursive: true, force: true });
  const dirs = new Set<string>();
  for (let run = 0; run < runs; run++) {
    const at = new Date(FIRST_RUN + run * 600_000);
    for (let p = 0; p < PAGES_PER_RUN; p++) {
      const fetchedAt = new Date(at.getTime() + 1_000 + p * 400).toISOString();
      const key = rawKey('coinlore', 'tickers', at, `p${String(p).padStart(3, '0')}`);
      const path = join(root, ...key.split('/'));
      const dir = path.slice(0, path.lastIndexOf('/'));
      if (!dirs.has(dir)) mkdirSync(dir, { recursive: true });
      dirs.add(dir);
      writeFileSync(path, JSON.stringify(tickersPage(p, prng(run * 1000 + p + 1), fetchedAt)));
    }
  }
  writeFileSync(marker, '');
  return root;
}

interface Measured {
  readonly seconds: number;
  readonly peakMb: number;
  readonly stdout: string;
}

/** Runs `node <args>` under GNU time; wall seconds and peak RSS of the largest process of the tree. */
function timed(args: readonly string[]): Promise<Measured> {
  const stats = join(tmpdir(), `fdl-bench-time-${process.pid}.txt`);
  return new Promise((resolve, reject) => {
    execFile(
      '/usr/bin/time',
      ['-o', stats, '-f', '%e %M', process.execPath, ...args],
      { cwd: ROOT, maxBuffer: 64 * 1024 * 1024 },
      (err, stdout, stderr) => {
        if (err)
          return reject(new Error(`${args.join(' ')} failed: ${stderr.split('\n').slice(-3).join(' ')}`));
        const [seconds, kb] = readFileSync(stats, 'utf8').trim().split(/\s+/).map(Number) as [number, number];
        rmSync(stats, { force: true });
        resolve({ seconds, peakMb: kb / 1024, stdout });
      },
    );
  });
}

/** Rows written, from `fdl reprocess`'s summary: the "total" line's value in the "rows" column. */
export function fdlRows(stdout: string): number {
  const lines = stdout.split('\n');
  const column =
    lines
      .find((l) => l.startsWith('dataset'))
      ?.trim()
      .split(/\s+/)
      .indexOf('rows') ?? -1;
  const total = lines
    .find((l) => l.startsWith('total'))
    ?.trim()
    .split(/\s+/);
  return column < 0 || !total ? Number.NaN : Number(total[column]);
}

async function runFdl(archive: string, expectedRows: number): Promise<Measured> {
  const out = join(archive, '..', `out-fdl-${process.pid}`);
  rmSync(out, { recursive: true, force: true });
  try {
    const m = await timed([FDL, 'reprocess', '--raw', archive, '--lake', out]);
    const rows = fdlRows(m.stdout);
    if (rows !== expectedRows) throw new Error(`fdl reprocess wrote ${rows} rows, expected ${expectedRows}`);
    return m;
  } finally {
    rmSync(out, { recursive: true, force: true });
  }
}

async function runAnchor(archive: string, expectedRows: number): Promise<Measured> {
  const out = join(archive, '..', `out-duckdb-${process.pid}`);
  rmSync(out, { recursive: true, force: true });
  try {
    const m = await timed([ANCHOR, archive, out]);
    const rows = (JSON.parse(m.stdout) as { rows: number }).rows;
    if (rows !== expectedRows)
      throw new Error(`the DuckDB anchor wrote ${rows} rows, expected ${expectedRows}`);
    return m;
  } finally {
    rmSync(out, { recursive: true, force: true });
  }
}

const median = (xs: readonly number[]) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)]!;
const fmt = (xs: readonly Measured[]) => xs.map((m) => m.seconds.toFixed(2)).join(', ');

/** Interleaved rounds of both pipelines on one archive. */
async function sideBySide(runs: number) {
  const archive = tickersArchive(runs);
  const rows = runs * PAGES_PER_RUN * ROWS_PER_PAGE;
  const fdl: Measured[] = [];
  const anchor: Measured[] = [];
  for (let round = 0; round < ROUNDS; round++) {
    // Alternate who goes first, so a neighbour's burst on the shared machine hits both sides alike.
    if (round % 2 === 0) {
      fdl.push(await runFdl(archive, rows));
      anchor.push(await runAnchor(archive, rows));
    } else {
      anchor.push(await runAnchor(archive, rows));
      fdl.push(await runFdl(archive, rows));
    }
  }
  return {
    rows,
    fdl,
    anchor,
    fdlSeconds: median(fdl.map((m) => m.seconds)),
    anchorSeconds: median(anchor.map((m) => m.seconds)),
  };
}

export async function run(): Promise<BenchResult[]> {
  const results: BenchResult[] = [];
  const peaks: { rows: number; mb: number }[] = [];
  for (const [label, runs] of [
    ['300k', 20],
    ['3M', 200],
  ] as const) {
    const s = await sideBySide(runs);
    const ratio = s.anchorSeconds / s.fdlSeconds;
    const fdlPeak = Math.max(...s.fdl.map((m) => m.peakMb));
    const anchorPeak = Math.max(...s.anchor.map((m) => m.peakMb));
    peaks.push({ rows: s.rows, mb: fdlPeak });
    results.push(
      {
        name: `fdl reprocess vs DuckDB SQL, ${label} rows (${s.rows / ROWS_PER_PAGE} envelopes), whole processes: speed ratio`,
        value: ratio,
        unit: '×',
        target: '>= 1.0×',
        ok: ratio >= 1,
        note: `median of ${ROUNDS}, interleaved: fdl ${s.fdlSeconds.toFixed(2)} s (${fmt(s.fdl)}), DuckDB anchor ${s.anchorSeconds.toFixed(2)} s (${fmt(s.anchor)})`,
      },
      {
        name: `fdl reprocess throughput, ${label} rows, whole process`,
        value: s.rows / s.fdlSeconds,
        unit: 'rows/s',
        ...(label === '3M' ? { target: '>= 250000 rows/s', ok: s.rows / s.fdlSeconds >= 250_000 } : {}),
        note: `DuckDB anchor in the same rounds: ${Math.round(s.rows / s.anchorSeconds).toLocaleString('en-US')} rows/s`,
      },
      {
        name: `fdl reprocess peak RSS, ${label} rows`,
        value: fdlPeak,
        unit: 'MB',
        target: '<= 1024 MB',
        ok: fdlPeak <= 1024,
        note: `DuckDB anchor peak in the same rounds: ${Math.round(anchorPeak)} MB`,
      },
    );
  }
  const runs10m = 667;
  const big = await runFdl(tickersArchive(runs10m), runs10m * PAGES_PER_RUN * ROWS_PER_PAGE);
  peaks.push({ rows: runs10m * PAGES_PER_RUN * ROWS_PER_PAGE, mb: big.peakMb });
  const growth = peaks.map((p) => `${(p.rows / 1e6).toFixed(1)}M: ${Math.round(p.mb)} MB`).join(', ');
  results.push({
    name: 'fdl reprocess peak RSS, 10M rows (100,050 envelopes, 667 runs)',
    value: big.peakMb,
    unit: 'MB',
    target: '<= 1024 MB',
    ok: big.peakMb <= 1024,
    note: `one run, ${big.seconds.toFixed(1)} s (${Math.round(peaks.at(-1)!.rows / big.seconds).toLocaleString('en-US')} rows/s); growth with size: ${growth}`,
  });
  return results;
}

if (import.meta.url === pathToFileURL(process.argv[1] ?? '').href) {
  for (const r of await run()) {
    console.log(
      `${r.name}: ${+r.value.toPrecision(4)} ${r.unit}${r.target ? ` (target ${r.target}: ${r.ok ? 'ok' : 'MISSED'})` : ''}${r.note ? ` — ${r.note}` : ''}`,
    );
  }
}
