/**
 * Page compression in the Lambda's Parquet writer (lambdas/adapters/parquet.ts), on the column pages of
 * one 10-minute run (the same 150 ticker and 50 comment envelopes as bench/transform.ts):
 * - Snappy by hysnappy (WebAssembly), which the writer uses, against snappyjs (JavaScript, the anchor:
 *   the writer used it before), over the same pages: the first pass in a fresh process (cold, what a new
 *   Lambda pays; bench/snappy-first-pass.mjs), and warm passes in this process, interleaved rounds;
 * - what the writer's rule (Snappy only where it saves one byte in ten) leaves uncompressed: its share of
 *   the bytes, of Snappy's time, and what it adds to the file.
 * Cold, whole-process figures for the whole Lambda run are bench/transform.ts's.
 *
 *   npx tsx bench/parquet-codec.ts
 */
import { execFileSync } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';
import { snappyCompressor } from 'hysnappy';
import snappyjs from 'snappyjs';
import { compressPage, PARQUET_TYPES, SNAPPY_PROBE_BYTES } from '../lambdas/adapters/parquet';
import { columnPage } from '../lambdas/adapters/parquet-pages';
import { DATASETS } from '../lambdas/core/datasets';
import { transformEnvelopes } from '../lambdas/core/transform';
import { RUN } from './transform';
import { type BenchResult, median } from './types';

const ROUNDS = 9;
/** Fresh processes per codec for the first pass, interleaved (the order alternates per round). */
const COLD_ROUNDS = 7;
const CHILD = fileURLToPath(new URL('snappy-first-pass.mjs', import.meta.url));

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

/** The first pass (ms) of each codec over `pages`, each in fresh processes, interleaved. */
function coldPasses(pages: readonly Uint8Array[]): { ours: number[]; anchor: number[] } {
  const dir = mkdtempSync(join(tmpdir(), 'fdl-bench-codec-'));
  try {
    const file = join(dir, 'pages.bin');
    writeFileSync(
      file,
      Buffer.concat(
        pages.flatMap((p) => {
          const length = Buffer.alloc(4);
          length.writeUInt32LE(p.length);
          return [length, p];
        }),
      ),
    );
    const first = (codec: string) =>
      (
        JSON.parse(execFileSync(process.execPath, [CHILD, codec, file], { encoding: 'utf8' })) as {
          firstMs: number;
        }
      ).firstMs;
    const samples = { ours: [] as number[], anchor: [] as number[] };
    for (let r = 0; r < COLD_ROUNDS; r++) {
      const order = r % 2 === 0 ? (['ours', 'anchor'] as const) : (['anchor', 'ours'] as const);
      for (const side of order) samples[side].push(first(side === 'ours' ? 'hysnappy' : 'snappyjs'));
    }
    return samples;
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}

export async function run(): Promise<BenchResult[]> {
  const pages = runPages();
  const cold = coldPasses(pages);
  // One instance for every page, as the writer uses one per file (hysnappy's snappyCompress makes one
  // per call).
  const ours = snappyCompressor();
  const anchor = (p: Uint8Array) => snappyjs.compress(p);
  timed(ours, pages); // warm-up: both are measured with their code optimised
  timed(anchor, pages);
  const samples = { ours: [] as number[], anchor: [] as number[] };
  for (let r = 0; r < ROUNDS; r++) {
    const order = r % 2 === 0 ? (['ours', 'anchor'] as const) : (['anchor', 'ours'] as const);
    for (const side of order) samples[side].push(timed(side === 'ours' ? ours : anchor, pages));
  }

  // The writer's rule (compressPage: the probe, then the rest of a page that pays) against Snappy over
  // every whole page, each with its own instance, alternating.
  const writer = snappyCompressor();
  const byRule = (p: Uint8Array) => compressPage(p, writer).bytes;
  timed(byRule, pages);
  const rule = { ours: [] as number[], whole: [] as number[] };
  for (let r = 0; r < ROUNDS; r++) {
    const order = r % 2 === 0 ? (['ours', 'whole'] as const) : (['whole', 'ours'] as const);
    for (const side of order) rule[side].push(timed(side === 'ours' ? byRule : ours, pages));
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
    const snappied = ours(page).length;
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
  const ruleMs = median(rule.ours);
  const wholeMs = median(rule.whole);
  const coldOurs = median(cold.ours);
  const coldAnchor = median(cold.anchor);
  const mb = (n: number) => (n / 1e6).toFixed(2);
  const list = (xs: readonly number[]) => xs.map((x) => Math.round(x)).join(', ');
  return [
    {
      name: `Snappy over one run's ${pages.length} column pages (${mb(bytes)} MB), hysnappy (the writer's), first pass in a fresh process`,
      value: Math.round(coldOurs),
      unit: 'ms',
      note: `median of ${COLD_ROUNDS} processes (${list(cold.ours)}), interleaved with the anchor, snappyjs's first pass over the same pages: ${Math.round(coldAnchor)} ms (${list(cold.anchor)}; ${(coldAnchor / coldOurs).toFixed(2)}× as long)`,
    },
    {
      name: 'the same pages, hysnappy, warm',
      value: Math.round(oursMs),
      unit: 'ms',
      note: `median of ${ROUNDS}, interleaved with the anchor, snappyjs on the same pages: ${Math.round(anchorMs)} ms (${(anchorMs / oursMs).toFixed(2)}× as long)`,
    },
    {
      name: 'pages the writer stores uncompressed (Snappy would save less than 1 byte in 10): share of the bytes',
      value: Math.round((100 * skippedBytes) / bytes),
      unit: '%',
      note: `${Math.round((100 * skippedMs) / allMs)} % of Snappy's time on all pages; the writer's rule (a ${SNAPPY_PROBE_BYTES / 1024} KiB probe per page, then the rest of a page that pays) takes ${ruleMs.toFixed(1)} ms over the run's pages, ${Math.round((100 * ruleMs) / wholeMs)} % of Snappy on every whole page (${wholeMs.toFixed(1)} ms; medians of ${ROUNDS}, alternating); the run's pages stored: ${mb(storedMixed)} MB, against ${mb(storedAll)} MB with Snappy on every page (${((storedMixed / storedAll - 1) * 100).toFixed(1)} % more)`,
    },
  ];
}

if (import.meta.url === pathToFileURL(process.argv[1] ?? '').href) {
  for (const r of await run()) console.log(`${r.name}: ${r.value} ${r.unit} — ${r.note}`);
}
