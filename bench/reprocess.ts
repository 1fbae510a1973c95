/**
 * `fdl reprocess` against DuckDB's own SQL, whole processes as a user runs them (start-up included),
 * on generated archives of Coinlore tickers envelopes (100 coins each, 150 pages per run: one full
 * 15,000-coin universe per run):
 * - 300k rows (3,000 envelopes, 20 runs) and 3M rows (30,000 envelopes, 200 runs): `fdl reprocess`
 *   and both anchors of bench/duckdb-anchor.mjs run interleaved (the order rotating per round),
 *   median of ROUNDS each; a ratio is anchor time / fdl time (> 1: fdl is faster).
 *   - the equivalent SQL writes the same rows as fdl (record_id, dedupe, rejects); the bench checks
 *     that, row for row, after the first round, and fails if they differ;
 *   - the minimal SQL (read_json → unnest → COPY … PARTITION_BY) does less: no ids, dedupe or rejects.
 * - 10M rows (100,050 envelopes, 667 runs): `fdl reprocess` once, for its peak memory (the anchors
 *   are not run there: the equivalent one needs ~3 GB at 3M rows already).
 * - 30,000, 300,000 and 1,000,050 envelopes of one coin each (FILE_COUNT_RUNS): `fdl reprocess` once
 *   each, for the memory the number of files takes, apart from the rows (a year of 10-minute runs is
 *   millions of files; docs/reprocess-performance.md, "A year of files"). The largest takes minutes to generate.
 * Wall time and peak RSS come from GNU time (`/usr/bin/time -f '%e %M'`), which reports the largest
 * process of the tree. Every side must write the generated number of rows, or the bench fails.
 *
 * Archives are generated once into the OS temp folder (fdl-bench-archives/<envelopes>/, reused while
 * their marker file holds ARCHIVE_VERSION) because writing 100,000 files takes longer than reprocessing them.
 * Bump ARCHIVE_VERSION when the generated envelopes change, or an old archive would be measured.
 *
 *   npx tsx bench/reprocess.ts            # prints the results
 */
import { execFile } from 'node:child_process';
import { existsSync, mkdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';
import { DATASETS } from '../lambdas/core/datasets';
import { rawKey } from '../lambdas/core/lake';
import { prng, tickersPage } from './transform';
import { type BenchResult, median } from './types';

const ROOT = fileURLToPath(new URL('..', import.meta.url));
const FDL = join(ROOT, 'bin', 'fdl.mjs');
const ANCHOR = join(ROOT, 'bench', 'duckdb-anchor.mjs');
const PAGES_PER_RUN = 150;
const ROWS_PER_PAGE = 100;
const ROUNDS = 3;
const FIRST_RUN = Date.UTC(2026, 0, 1, 0, 0);
/** Written into an archive's marker file: archives of another version are generated again. */
const ARCHIVE_VERSION = 'tickers-v1';
/** Runs of the one-coin archives (150 envelopes a run): 30,000, 300,000 and 1,000,050 files. */
const FILE_COUNT_RUNS = [200, 2_000, 6_667];

/**
 * Generates (or reuses) an archive of `runs` runs of 150 tickers pages; returns its lake root. With
 * `coins` below 100 each page keeps only its first `coins` coins: many small files, for the memory the
 * file count alone takes (folder `<envelopes>-<coins>coin`).
 */
export function tickersArchive(
  runs: number,
  base = join(tmpdir(), 'fdl-bench-archives'),
  coins = ROWS_PER_PAGE,
): string {
  const envelopes = String(runs * PAGES_PER_RUN);
  const root = join(base, coins === ROWS_PER_PAGE ? envelopes : `${envelopes}-${coins}coin`);
  const marker = join(root, 'complete');
  if (existsSync(marker) && readFileSync(marker, 'utf8') === ARCHIVE_VERSION) return root;
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
      const page = tickersPage(p, prng(run * 1000 + p + 1), fetchedAt);
      const body = page.response.body as { data: unknown[] };
      body.data = body.data.slice(0, coins);
      writeFileSync(path, JSON.stringify(page));
    }
  }
  writeFileSync(marker, ARCHIVE_VERSION);
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

/** Runs `fdl reprocess` into `out` (kept: the caller removes it). */
async function runFdl(archive: string, expectedRows: number, out: string): Promise<Measured> {
  rmSync(out, { recursive: true, force: true });
  const m = await timed([FDL, 'reprocess', '--raw', archive, '--lake', out]);
  const rows = fdlRows(m.stdout);
  if (rows !== expectedRows) throw new Error(`fdl reprocess wrote ${rows} rows, expected ${expectedRows}`);
  return m;
}

type AnchorMode = 'minimal' | 'equivalent';

/** Runs one DuckDB anchor into `out` (kept: the caller removes it). */
async function runAnchor(
  archive: string,
  expectedRows: number,
  mode: AnchorMode,
  out: string,
): Promise<Measured> {
  rmSync(out, { recursive: true, force: true });
  const m = await timed([ANCHOR, archive, out, ...(mode === 'equivalent' ? ['--equivalent'] : [])]);
  const rows = (JSON.parse(m.stdout) as { rows: number }).rows;
  if (rows !== expectedRows)
    throw new Error(`the ${mode} DuckDB anchor wrote ${rows} rows, expected ${expectedRows}`);
  return m;
}

/**
 * Rows that one output has and the other lacks (both directions, duplicates counted), over every
 * column but run_id (fdl writes reprocess-<stamp>, the anchor a constant). 0 proves the equivalent
 * anchor computes what fdl computes: same record ids, same dedupe, same casts.
 */
async function rowsDiffering(fdlOut: string, anchorOut: string): Promise<number> {
  const { DuckDBInstance } = await import('@duckdb/node-api');
  const db = await DuckDBInstance.create(':memory:');
  const con = await db.connect();
  try {
    const cols = DATASETS.coinlore_tickers.columns
      .map((c) => c.name)
      .filter((c) => c !== 'run_id')
      .join(', ');
    const fdl = `SELECT ${cols} FROM read_parquet('${fdlOut}/coinlore_tickers/**/*.parquet')`;
    const anchor = `SELECT ${cols} FROM read_parquet('${anchorOut}/**/*.parquet')`;
    const reader = await con.runAndReadAll(
      `SELECT count(*)::INT FROM ((${fdl} EXCEPT ALL ${anchor}) UNION ALL (${anchor} EXCEPT ALL ${fdl}))`,
    );
    return Number(reader.getRows()[0]![0]);
  } finally {
    con.closeSync();
    db.closeSync();
  }
}

const fmt = (xs: readonly Measured[]) => xs.map((m) => m.seconds.toFixed(2)).join(', ');

/**
 * Interleaved rounds of fdl and both anchors on one archive, the order rotating per round so a
 * neighbour's burst on the shared machine hits every side alike. After the first round the outputs of
 * fdl and the equivalent anchor are compared row for row.
 */
async function sideBySide(runs: number) {
  const archive = tickersArchive(runs);
  const rows = runs * PAGES_PER_RUN * ROWS_PER_PAGE;
  const outs = {
    fdl: join(archive, '..', `out-fdl-${process.pid}`),
    minimal: join(archive, '..', `out-minimal-${process.pid}`),
    equivalent: join(archive, '..', `out-equivalent-${process.pid}`),
  };
  const measured: Record<keyof typeof outs, Measured[]> = { fdl: [], minimal: [], equivalent: [] };
  const sides = Object.keys(outs) as (keyof typeof outs)[];
  let differing = Number.NaN;
  try {
    for (let round = 0; round < ROUNDS; round++) {
      for (let i = 0; i < sides.length; i++) {
        const side = sides[(round + i) % sides.length]!;
        measured[side].push(
          side === 'fdl'
            ? await runFdl(archive, rows, outs.fdl)
            : await runAnchor(archive, rows, side, outs[side]),
        );
      }
      if (round === 0) differing = await rowsDiffering(outs.fdl, outs.equivalent);
    }
  } finally {
    for (const out of Object.values(outs)) rmSync(out, { recursive: true, force: true });
  }
  if (differing !== 0)
    throw new Error(`fdl and the equivalent DuckDB anchor wrote different rows (${differing} differ)`);
  const seconds = (side: keyof typeof outs) => median(measured[side].map((m) => m.seconds));
  return { rows, measured, seconds };
}

export async function run(): Promise<BenchResult[]> {
  const results: BenchResult[] = [];
  const peaks: { rows: number; mb: number }[] = [];
  for (const [label, runs] of [
    ['300k', 20],
    ['3M', 200],
  ] as const) {
    const s = await sideBySide(runs);
    const fdl = s.seconds('fdl');
    const fdlPeak = Math.max(...s.measured.fdl.map((m) => m.peakMb));
    const peak = (side: 'minimal' | 'equivalent') =>
      Math.round(Math.max(...s.measured[side].map((m) => m.peakMb)));
    peaks.push({ rows: s.rows, mb: fdlPeak });
    const envelopes = `${(s.rows / ROWS_PER_PAGE).toLocaleString('en-US')} envelopes`;
    results.push(
      {
        name: `fdl reprocess vs the equivalent DuckDB SQL (same rows: record_id, dedupe, rejects), ${label} rows (${envelopes}): speed ratio`,
        value: s.seconds('equivalent') / fdl,
        unit: '×',
        target: '>= 1.0×',
        ok: s.seconds('equivalent') / fdl >= 1,
        note: `median of ${ROUNDS}, interleaved: fdl ${fdl.toFixed(2)} s (${fmt(s.measured.fdl)}), equivalent SQL ${s.seconds('equivalent').toFixed(2)} s (${fmt(s.measured.equivalent)}); outputs equal row for row`,
      },
      {
        name: `fdl reprocess vs the minimal DuckDB SQL (read_json → unnest → COPY, no ids, dedupe or rejects), ${label} rows: speed ratio`,
        value: s.seconds('minimal') / fdl,
        unit: '×',
        target: '>= 1.0×',
        ok: s.seconds('minimal') / fdl >= 1,
        note: `same rounds: minimal SQL ${s.seconds('minimal').toFixed(2)} s (${fmt(s.measured.minimal)})`,
      },
      {
        name: `fdl reprocess throughput, ${label} rows, whole process`,
        value: s.rows / fdl,
        unit: 'rows/s',
        ...(label === '3M' ? { target: '>= 250000 rows/s', ok: s.rows / fdl >= 250_000 } : {}),
        note: `same rounds: equivalent SQL ${Math.round(s.rows / s.seconds('equivalent')).toLocaleString('en-US')} rows/s, minimal SQL ${Math.round(s.rows / s.seconds('minimal')).toLocaleString('en-US')} rows/s`,
      },
      {
        name: `fdl reprocess peak RSS, ${label} rows`,
        value: fdlPeak,
        unit: 'MB',
        target: '<= 1024 MB',
        ok: fdlPeak <= 1024,
        note: `peaks in the same rounds: equivalent SQL ${peak('equivalent')} MB, minimal SQL ${peak('minimal')} MB`,
      },
    );
  }
  const runs10m = 667;
  const bigArchive = tickersArchive(runs10m);
  const bigOut = join(bigArchive, '..', `out-fdl-${process.pid}`);
  const big = await runFdl(bigArchive, runs10m * PAGES_PER_RUN * ROWS_PER_PAGE, bigOut).finally(() =>
    rmSync(bigOut, { recursive: true, force: true }),
  );
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
  const byFiles: { runs: number; envelopes: number; m: Measured }[] = [];
  for (const runs of FILE_COUNT_RUNS) {
    const archive = tickersArchive(runs, undefined, 1);
    const out = join(archive, '..', `out-fdl-${process.pid}`);
    const envelopes = runs * PAGES_PER_RUN;
    const m = await runFdl(archive, envelopes, out).finally(() =>
      rmSync(out, { recursive: true, force: true }),
    );
    byFiles.push({ runs, envelopes, m });
  }
  const most = byFiles.at(-1)!;
  const count = (n: number) => n.toLocaleString('en-US');
  results.push({
    name: `fdl reprocess peak RSS, ${count(most.envelopes)} envelopes of one coin each (${count(most.runs)} runs): memory with the file count`,
    value: most.m.peakMb,
    unit: 'MB',
    target: '<= 1024 MB',
    ok: most.m.peakMb <= 1024,
    note: `one run each: ${byFiles.map((f) => `${count(f.envelopes)} envelopes (${count(f.runs)} runs) ${Math.round(f.m.peakMb)} MB in ${f.m.seconds.toFixed(1)} s`).join('; ')}`,
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
