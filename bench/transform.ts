/**
 * Transformation benchmarks (issue 3, Performance):
 * - one run's transform, as the transform Lambda does it: 15,000 tickers (150 envelopes of 100) and
 *   5,000 comments (50 envelopes of 100) read from a lake, parsed, transformed and written as Parquet
 *   by the shipped bundle (dist/lambda/transform.mjs), in a fresh child process (cold JIT, like a new
 *   Lambda container's first invocation) for wall time and peak RSS;
 * - sentiment scoring throughput (comments/s).
 *
 * `fdl reprocess` is measured as a whole process against DuckDB's own SQL in bench/reprocess.ts, which
 * reuses the envelope generators below.
 *
 *   npx tsx bench/transform.ts                   # prints the results
 *   npx tsx bench/transform.ts --raw-out <dir>   # only writes the run's raw envelopes to <dir>
 *     (tickers/, comments/), for `node bench/transform-lambda.mjs <bundle> <dir>` by hand
 *   FDL_BENCH_LAMBDA_NODE=<node binary> npx tsx bench/transform.ts   # the Lambda's children on that Node
 *
 * The image runs on Node 22 (LAMBDA_NODE_MAJOR in lambdas/build.mjs); by default the children run on the
 * Node that runs the bench. FDL_BENCH_LAMBDA_NODE measures the cold run on the Lambda's own major version
 * where the machine has another (docs/benchmarks.md says how to get one without a system install).
 */
import { execFileSync } from 'node:child_process';
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { pathToFileURL } from 'node:url';
import { DEFAULT_COIN_UNIVERSE } from '../lambdas/core/coin-universe';
import type { Envelope } from '../lambdas/core/envelope';
import { scoreSentiment } from '../lambdas/core/sentiment';
import { type BenchResult, median } from './types';

const ROOT = join(import.meta.dirname, '..');
/** The Node binary of the Lambda's children (and of their anchor): see the module comment. */
const LAMBDA_NODE = process.env.FDL_BENCH_LAMBDA_NODE
  ? // Resolved here: the children run in the repository's root, not where the bench was started.
    resolve(process.env.FDL_BENCH_LAMBDA_NODE)
  : process.execPath;
const FETCHED_AT = '2026-11-24T10:20:00.123Z';

/** A small deterministic PRNG (mulberry32) so every run benchmarks the same data. */
export function prng(seed: number): () => number {
  let a = seed;
  return () => {
    a = (a + 0x6d2b79f5) | 0;
    let t = Math.imul(a ^ (a >>> 15), 1 | a);
    t = (t + Math.imul(t ^ (t >>> 7), 61 | t)) ^ t;
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

function envelope(
  source: 'coinlore' | 'reddit',
  endpoint: string,
  body: unknown,
  fetchedAt = FETCHED_AT,
): Envelope {
  return {
    request: { method: 'GET', url: `https://bench.test/${endpoint}` },
    response: { status: 200, headers: { 'content-type': 'application/json' }, body },
    fetched_at: fetchedAt,
    source,
    endpoint,
  };
}

/** One tickers page as Coinlore sends it: numeric strings of varied shapes, numbers, "" msupply. */
export function tickersPage(page: number, rand = prng(page + 1), fetchedAt = FETCHED_AT): Envelope {
  const data = Array.from({ length: 100 }, (_, i) => {
    const rank = page * 100 + i + 1;
    const price = rand() ** 4 * 80_000;
    return {
      id: String(90 + rank),
      symbol: `C${rank}`,
      name: `Coin number ${rank}`,
      nameid: `coin-number-${rank}`,
      rank,
      price_usd: price < 1e-4 ? price.toExponential(2) : price.toFixed(2),
      percent_change_24h: (rand() * 20 - 10).toFixed(2),
      percent_change_1h: (rand() * 4 - 2).toFixed(2),
      percent_change_7d: (rand() * 40 - 20).toFixed(2),
      price_btc: (price / 77146.66).toFixed(8),
      market_cap_usd: (price * rand() * 1e9).toFixed(2),
      volume24: Math.round(rand() * 1e10) / 100,
      volume24a: Math.round(rand() * 1e10) / 100,
      csupply: (rand() * 1e9).toFixed(2),
      tsupply: String(Math.round(rand() * 1e9)),
      msupply: rand() < 0.4 ? '' : String(Math.round(rand() * 1e10)),
    };
  });
  return envelope(
    'coinlore',
    'tickers',
    { data, info: { coins_num: 15_000, time: 1_788_363_842 } },
    fetchedAt,
  );
}

const WORDS =
  'the a this that is was to of and in it for on with price market buy sell hold long short today week chart volume fees wallet exchange good bad great terrible love hate bullish bearish moon hodl rekt fud scam pump dump lambo wagmi ngmi rally crash dip'.split(
    ' ',
  );

/** Comment bodies of 5–40 words mixing plain words, crypto slang, coin names, symbols and cashtags. */
function commentBody(rand: () => number): string {
  const n = 5 + Math.floor(rand() * 35);
  const words: string[] = [];
  for (let i = 0; i < n; i++) {
    const r = rand();
    const coin = DEFAULT_COIN_UNIVERSE[Math.floor(rand() * DEFAULT_COIN_UNIVERSE.length)]!;
    if (r < 0.05) words.push(`$${coin.symbol}`);
    else if (r < 0.1) words.push(coin.symbol);
    else if (r < 0.14) words.push(coin.name);
    else if (r < 0.16) words.push('to the moon');
    else words.push(WORDS[Math.floor(rand() * WORDS.length)]!);
  }
  return `${words.join(' ')}.`;
}

export function commentsPage(page: number, rand = prng(1000 + page)): Envelope {
  const children = Array.from({ length: 100 }, (_, i) => {
    const id = `c${page}x${i}`;
    const deleted = rand() < 0.03;
    return {
      kind: 't1',
      data: {
        id,
        name: `t1_${id}`,
        subreddit: 'CryptoCurrency',
        author: deleted ? '[deleted]' : `user_${i}`,
        body: deleted ? '[deleted]' : commentBody(rand),
        score: Math.floor(rand() * 50) - 5,
        created_utc: 1_788_363_000 + page * 60 + i,
        link_id: `t3_p${page % 7}`,
        parent_id: `t3_p${page % 7}`,
        permalink: `/r/CryptoCurrency/comments/p${page % 7}/x/${id}/`,
        edited: rand() < 0.1 ? 1_788_363_500.5 : false,
        replies: '',
      },
    };
  });
  return envelope('reddit', 'comments', {
    kind: 'Listing',
    data: { after: null, before: null, dist: 100, modhash: '', geo_filter: '', children },
  });
}

interface RunMeasurement {
  readonly coldMs: number;
  readonly warmMedianMs: number;
  readonly maxRssMb: number;
  readonly rows: number;
}

function sentimentThroughput(): number {
  const rand = prng(7);
  const texts = Array.from({ length: 5_000 }, () => commentBody(rand));
  for (const t of texts) scoreSentiment(t); // warm-up
  const rounds = 10;
  const t0 = performance.now();
  for (let r = 0; r < rounds; r++) for (const t of texts) scoreSentiment(t);
  return (texts.length * rounds) / ((performance.now() - t0) / 1000);
}

/** One 10-minute run: 150 ticker pages (15,000 tickers) and 50 comment pages (5,000 comments). */
export const RUN = [
  { folder: 'tickers', dataset: 'coinlore_tickers', pages: 150, page: tickersPage },
  { folder: 'comments', dataset: 'reddit_comments', pages: 50, page: commentsPage },
] as const;

/** One run's raw envelopes (RUN), as S3 holds them: one folder per dataset. */
export function writeRunRaw(raw: string): void {
  for (const { folder, pages, page } of RUN) {
    mkdirSync(join(raw, folder), { recursive: true });
    for (let p = 0; p < pages; p++)
      writeFileSync(join(raw, folder, `p${String(p).padStart(3, '0')}.json`), JSON.stringify(page(p)));
  }
}

/**
 * Fresh child processes per side, interleaved (the order alternates per round). Seven, not three: on a
 * shared 2-core VM the first run of one bundle ranged from 550 to 791 ms over ten rounds
 * (docs/parquet.md), and a median of three moved by 80 ms from one bench run to the next.
 */
const ROUNDS = 7;

/** `node --version` of the Lambda's children; a clear error when FDL_BENCH_LAMBDA_NODE names no runnable Node. */
function lambdaNodeVersion(): string {
  try {
    return execFileSync(LAMBDA_NODE, ['--version'], {
      encoding: 'utf8',
      stdio: ['ignore', 'pipe', 'pipe'],
    }).trim();
  } catch (error) {
    throw new Error(
      `FDL_BENCH_LAMBDA_NODE=${LAMBDA_NODE} did not run (${(error as Error).message.split('\n')[0]}): ` +
        "point it at a node binary, or unset it to use this process's Node",
    );
  }
}

export async function run(): Promise<BenchResult[]> {
  const nodeVersion = lambdaNodeVersion();
  const work = mkdtempSync(join(tmpdir(), 'fdl-bench-lambda-'));
  const measured: { lambda: RunMeasurement[]; floor: RunMeasurement[] } = { lambda: [], floor: [] };
  try {
    const bundleDir = join(work, 'bundle');
    // The same build as `npm run bundle` (what the image ships), into a temp folder.
    execFileSync(process.execPath, [join(ROOT, 'lambdas', 'build.mjs'), bundleDir], { stdio: 'pipe' });
    const raw = join(work, 'raw');
    writeRunRaw(raw);
    const child = (args: readonly string[]) =>
      JSON.parse(
        execFileSync(LAMBDA_NODE, [join(ROOT, 'bench', 'transform-lambda.mjs'), ...args], {
          encoding: 'utf8',
          cwd: ROOT,
          // stderr is captured, not shown: a failing child's error message includes it.
          stdio: ['ignore', 'pipe', 'pipe'],
        }),
      ) as RunMeasurement;
    for (let round = 0; round < ROUNDS; round++) {
      const sides = round % 2 === 0 ? (['lambda', 'floor'] as const) : (['floor', 'lambda'] as const);
      for (const side of sides)
        measured[side].push(child(side === 'lambda' ? [bundleDir, raw] : ['--floor', raw]));
    }
  } finally {
    rmSync(work, { recursive: true, force: true });
  }
  const sentiment = sentimentThroughput();
  const cold = median(measured.lambda.map((m) => m.coldMs));
  const floorCold = median(measured.floor.map((m) => m.coldMs));
  const rss = median(measured.lambda.map((m) => m.maxRssMb));
  const samples = (side: keyof typeof measured) => measured[side].map((m) => Math.round(m.coldMs)).join(', ');
  const on = `Node ${nodeVersion}${LAMBDA_NODE === process.execPath ? '' : ` (FDL_BENCH_LAMBDA_NODE=${LAMBDA_NODE})`}`;
  return [
    {
      name: 'transform Lambda, one run: 15,000 tickers + 5,000 comments, read + parse + transform + Parquet (shipped bundle, cold process)',
      value: Math.round(cold),
      unit: 'ms',
      target: '<= 500 ms',
      ok: cold <= 500,
      note: `median of ${ROUNDS} fresh processes on ${on} (${samples('lambda')}); ${measured.lambda[0]!.rows} rows; warm median: ${Math.round(median(measured.lambda.map((m) => m.warmMedianMs)))} ms`,
    },
    {
      name: 'anchor: JSON.parse of the same 200 raw objects alone, cold process (no transform, no Parquet)',
      value: Math.round(floorCold),
      unit: 'ms',
      note: `median of ${ROUNDS}, interleaved with the row above (${samples('floor')}); the Lambda run is ${(cold / floorCold).toFixed(2)}× this floor`,
    },
    {
      name: 'transform Lambda, one run: peak RSS of the process',
      value: Math.round(rss),
      unit: 'MB',
      target: '<= 256 MB',
      ok: rss <= 256,
      note: `process.resourceUsage().maxRSS of the fresh child (bench/transform-lambda.mjs) after one run, its raw objects held in memory; median of ${ROUNDS}`,
    },
    {
      name: 'sentiment scoring (scoreSentiment: lexicons + VADER and discourse rules)',
      value: Math.round(sentiment),
      unit: 'comments/s',
      note: '5,000 generated comments of 5-40 words, 10 rounds',
    },
  ];
}

const isMain = import.meta.url === pathToFileURL(process.argv[1] ?? '').href;
if (isMain && process.argv[2] === '--raw-out') {
  const out = process.argv[3];
  if (!out) throw new Error('usage: npx tsx bench/transform.ts --raw-out <dir>');
  writeRunRaw(out);
  console.log(`wrote ${RUN.map((r) => `${out}/${r.folder} (${r.pages} files)`).join(' and ')}`);
} else if (isMain) {
  for (const r of await run()) {
    console.log(
      `${r.name}: ${r.value} ${r.unit}${r.target ? ` (target ${r.target}: ${r.ok ? 'ok' : 'MISSED'})` : ''}${r.note ? ` — ${r.note}` : ''}`,
    );
  }
}
