/**
 * Page compression in the Lambda's Parquet writer (lambdas/adapters/parquet.ts), on the column pages of
 * one 10-minute run (the same 150 ticker and 50 comment envelopes as bench/transform.ts):
 * - Snappy by snappyjs, which the writer uses, against hyparquet-writer's own Snappy (the anchor: the
 *   writer used it before), over the same pages, warm, interleaved rounds;
 * - what the writer's rule (Snappy only where it saves one byte in ten) leaves uncompressed: its share of
 *   the bytes, of Snappy's time, and what it adds to the file.
 * Cold, whole-process figures for the whole Lambda run are bench/transform.ts's.
 *
 *   npx tsx bench/parquet-codec.ts
 */
import { pathToFileURL } from 'node:url';
import { snappyCompress } from 'hyparquet-writer/src/snappy.js';
import snappy from 'snappyjs';
import { compressPage, PARQUET_TYPES } from '../lambdas/adapters/parquet';
import { columnPage } from '../lambdas/adapters/parquet-pages';
import { DATASETS } from '../lambdas/core/datasets';
import { transformEnvelopes } from '../lambdas/core/transform';
import { RUN } from './transform';
import { type BenchResult, median } from './types';

const ROUNDS = 9;

/** Every column page body of one run (RUN): 15,000 tickers and 5,000 comments. */
function runPages(): Uint8Array[] {
  return RUN.flatMap(({ dataset, pages, page }) => {
    const envelopes = Array.from({ length: pages }, (_, p) => ({ key: `p${p}`, envelope: page(p) }));
    const { columns } = transformEnvelopes(dataset, envelopes, { runId: 'bench' });
    return DATASETS[dataset].columns.map(
      (c, i) => columnPage(PARQUET_TYPES[c.type].physical, columns.columns[i]!).body,
    );
  });
}

function timed(compress: (page: Uint8Array) => Uint8Array, pages: readonly Uint8Array[]): number {
  const t0 = performance.now();
  for (const page of pages) compress(page);
  return performance.now() - t0;
}

export async function run(): Promise<BenchResult[]> {
  const pages = runPages();
  const ours = (p: Uint8Array) => snappy.compress(p);
  const anchor = (p: Uint8Array) => snappyCompress(p);
  timed(ours, pages); // warm-up: both are measured with their code optimised
  timed(anchor, pages);
  const samples = { ours: [] as number[], anchor: [] as number[] };
  for (let r = 0; r < ROUNDS; r++) {
    const order = r % 2 === 0 ? (['ours', 'anchor'] as const) : (['anchor', 'ours'] as const);
    for (const side of order) samples[side].push(timed(side === 'ours' ? ours : anchor, pages));
  }

  let bytes = 0;
  let skippedBytes = 0;
  let skippedMs = 0;
  let allMs = 0;
  let storedMixed = 0;
  let storedAll = 0;
  for (const page of pages) {
    const kept = compressPage(page).codec === 'UNCOMPRESSED';
    const ms = median(Array.from({ length: ROUNDS }, () => timed(ours, [page])));
    const snappied = snappy.compress(page).length;
    bytes += page.length;
    allMs += ms;
    storedAll += snappied;
    storedMixed += kept ? page.length : snappied;
    if (kept) {
      skippedBytes += page.length;
      skippedMs += ms;
    }
  }
  const oursMs = median(samples.ours);
  const anchorMs = median(samples.anchor);
  const mb = (n: number) => (n / 1e6).toFixed(2);
  return [
    {
      name: `Snappy over one run's ${pages.length} column pages (${mb(bytes)} MB), snappyjs (the writer's), warm`,
      value: Math.round(oursMs),
      unit: 'ms',
      note: `median of ${ROUNDS}, interleaved with the anchor, hyparquet-writer's Snappy on the same pages: ${Math.round(anchorMs)} ms (${(anchorMs / oursMs).toFixed(2)}× as long)`,
    },
    {
      name: 'pages the writer stores uncompressed (Snappy would save less than 1 byte in 10): share of the bytes',
      value: Math.round((100 * skippedBytes) / bytes),
      unit: '%',
      note: `${Math.round((100 * skippedMs) / allMs)} % of Snappy's time on all pages; the run's pages stored: ${mb(storedMixed)} MB, against ${mb(storedAll)} MB with Snappy on every page (${((storedMixed / storedAll - 1) * 100).toFixed(1)} % more)`,
    },
  ];
}

if (import.meta.url === pathToFileURL(process.argv[1] ?? '').href) {
  for (const r of await run()) console.log(`${r.name}: ${r.value} ${r.unit} — ${r.note}`);
}
