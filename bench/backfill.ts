/**
 * Backfill at archive scale (issue 14): 30,000 raw Coinlore ticker envelopes (200 runs × 150 pages of 100
 * tickers = 3,000,000 rows), rebuilt two ways from the same archive, each in a fresh child process:
 * - `fdl backfill`'s engine: statemachines/backfill.asl.json on the local executor (plan → Distributed
 *   Map, batches and concurrency from envs/dev.env.ts → the transform Lambda's handler per item →
 *   summary), writing Parquet with the Lambda's writer (lambdas/adapters/parquet.ts);
 * - `fdl reprocess`: the laptop path (worker threads, the same transform and Parquet writer in-process).
 * Wall time of the job and the child's peak RSS (process.resourceUsage().maxRSS), and their ratio.
 *
 *   npx tsx bench/backfill.ts          # prints the results (generates ~0.8 GB of raw JSON in the temp dir)
 */
import { execFileSync } from 'node:child_process';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { pathToFileURL } from 'node:url';
import { reprocess } from '../cli/reprocess';
import { env as dev } from '../envs/dev.env';
import { FsLakeStore } from '../lambdas/adapters/fs-lake-store';
import type { BackfillSummary } from '../lambdas/core/backfill';
import { rawKey } from '../lambdas/core/lake';
import { createLocalBackfill } from '../local/backfill';
import { tickersPage } from './transform';
import type { BenchResult } from './types';

const RUNS = 200;
const PAGES = 150;
const FIRST = new Date('2026-11-24T00:00:00.000Z');
const QUIET = { debug() {}, info() {}, warn() {}, error() {} };

interface Measurement {
  readonly seconds: number;
  readonly rows: number;
  readonly maxRssMb: number;
}

async function writeArchive(root: string): Promise<void> {
  const lake = new FsLakeStore(root);
  for (let run = 0; run < RUNS; run++) {
    const at = new Date(FIRST.getTime() + run * 600_000);
    for (let p = 0; p < PAGES; p++)
      await lake.put(
        rawKey('coinlore', 'tickers', at, `p${String(p).padStart(3, '0')}`),
        JSON.stringify(tickersPage(p, undefined, new Date(at.getTime() + p * 500).toISOString())),
      );
  }
}

/** In the child: one job on the archive at `root`, writing under `out`. */
async function measure(kind: 'backfill' | 'reprocess', root: string, out: string): Promise<Measurement> {
  const t0 = performance.now();
  let rows: number;
  if (kind === 'reprocess') {
    const report = await reprocess({ rawDir: root, lakeDir: out });
    rows = report.datasets.reduce((n, d) => n + d.rows, 0);
  } else {
    const bf = createLocalBackfill({
      raw: new FsLakeStore(root),
      lake: new FsLakeStore(out),
      config: dev.backfill,
      logger: QUIET,
    });
    const to = new Date(FIRST.getTime() + RUNS * 600_000).toISOString();
    const r = await bf.execute({ from: FIRST.toISOString(), to }, { name: 'backfill-bench' });
    if (r.status !== 'SUCCEEDED') throw new Error(`backfill ${r.status}: ${r.error}: ${r.cause}`);
    rows = (r.output as BackfillSummary).rows;
  }
  return { seconds: (performance.now() - t0) / 1000, rows, maxRssMb: process.resourceUsage().maxRSS / 1024 };
}

function inChild(kind: 'backfill' | 'reprocess', root: string): Measurement {
  const out = execFileSync(
    process.execPath,
    ['--import', 'tsx', import.meta.filename, '--backfill-child', kind, root, join(root, `out-${kind}`)],
    { encoding: 'utf8', maxBuffer: 1 << 20, stdio: ['ignore', 'pipe', 'inherit'] },
  );
  return JSON.parse(out.trim().split('\n').at(-1)!) as Measurement;
}

export async function run(): Promise<BenchResult[]> {
  const root = await mkdtemp(join(tmpdir(), 'fdl-bench-backfill-'));
  try {
    await writeArchive(root);
    const r = inChild('reprocess', root);
    const b = inChild('backfill', root);
    if (b.rows !== r.rows)
      throw new Error(`backfill wrote ${b.rows} rows, reprocess ${r.rows}: not the same job`);
    const input = `${RUNS * PAGES} ticker envelopes, ${b.rows.toLocaleString('en-US')} rows (${RUNS} runs × ${PAGES} pages)`;
    const cfg = `itemsPerBatch ${dev.backfill.itemsPerBatch}, MaxConcurrency ${dev.backfill.maxConcurrency} (envs/dev.env.ts)`;
    return [
      {
        name: 'fdl backfill engine (local executor, Distributed Map), wall time',
        value: Math.round(b.seconds * 10) / 10,
        unit: 's',
        note: `${input}; ${cfg}`,
      },
      {
        name: 'fdl backfill engine, peak RSS',
        value: Math.round(b.maxRssMb),
        unit: 'MB',
        note: 'maxRSS of a fresh child process',
      },
      {
        name: 'fdl reprocess, wall time (same archive)',
        value: Math.round(r.seconds * 10) / 10,
        unit: 's',
        note: input,
      },
      {
        name: 'fdl reprocess, peak RSS',
        value: Math.round(r.maxRssMb),
        unit: 'MB',
        note: 'maxRSS of a fresh child process (main thread + workers)',
      },
      {
        name: 'backfill / reprocess wall-time ratio',
        value: Math.round((b.seconds / r.seconds) * 10) / 10,
        unit: '×',
        note: 'same machine, same archive, measured back to back',
      },
    ];
  } finally {
    await rm(root, { recursive: true, force: true });
  }
}

if (process.argv.includes('--backfill-child')) {
  const [kind, root, out] = process.argv.slice(process.argv.indexOf('--backfill-child') + 1) as [
    'backfill' | 'reprocess',
    string,
    string,
  ];
  measure(kind, root, out).then(
    (m) => process.stdout.write(`${JSON.stringify(m)}\n`),
    (err: unknown) => {
      process.stderr.write(`${(err as Error).stack ?? String(err)}\n`);
      process.exitCode = 1;
    },
  );
} else if (import.meta.url === pathToFileURL(process.argv[1] ?? '').href) {
  for (const r of await run()) console.log(`${r.name}: ${r.value} ${r.unit}${r.note ? ` (${r.note})` : ''}`);
}
