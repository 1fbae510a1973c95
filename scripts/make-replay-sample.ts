/**
 * Generates the bundled replay sample (replay/sample/) that `npm start` runs offline: 6 snapshots 10
 * minutes apart, each with Coinlore tickers (3 pages of 100) + global, and Reddit /new + /comments for
 * r/CryptoCurrency, r/Bitcoin and r/ethereum, plus one (redacted) token answer. Deterministic: a seeded
 * PRNG drives prices (a random walk with a common market factor) and the text, so rerunning the script
 * reproduces the same files byte for byte.
 *
 * Choices that keep replay robust: info.coins_num is the sample's universe (300), so an extractor asking
 * for more pages stops after 3; listings carry `after: null`, so no page the sample lacks is requested.
 * The quirk-by-quirk fixtures (paging with `after`, kind "more", …) live in test/fixtures/replay/.
 *
 *   npx tsx scripts/make-replay-sample.ts [outDir]
 */
import { mkdir, rm, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { runScript } from '../cli/kit/script';
import type { Envelope } from '../lambdas/core/envelope';
import { stamp } from '../lambdas/core/lake';

const SNAPSHOTS = 6;
const STEP_MS = 10 * 60_000;
const T0 = Date.parse('2026-11-24T10:00:00.000Z');
const COINS = 300;
const SUBREDDITS = [
  { name: 'CryptoCurrency', id: 't5_2wlj3', bias: 0 },
  { name: 'Bitcoin', id: 't5_2s3qj', bias: 0.15 },
  { name: 'ethereum', id: 't5_2zf9m', bias: -0.1 },
] as const;

/** mulberry32: small, fast, good enough for fixtures; fixed seed = deterministic output. */
function prng(seed: number): () => number {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}
const rnd = prng(20261124);
const pick = <T>(xs: readonly T[]): T => xs[Math.floor(rnd() * xs.length)];
const between = (lo: number, hi: number) => lo + rnd() * (hi - lo);
const gauss = () => {
  const u = Math.max(rnd(), 1e-12);
  return Math.sqrt(-2 * Math.log(u)) * Math.cos(2 * Math.PI * rnd());
};

// Top of the market with realistic prices and supplies; msupply as Coinlore sends it ("" / null / string / number).
const TOP: [string, string, string, number, number, string | number | null][] = [
  ['90', 'BTC', 'Bitcoin', 77146.66, 19970852, '21000000'],
  ['80', 'ETH', 'Ethereum', 1912.5, 120684526, ''],
  ['518', 'USDT', 'Tether', 1.0, 183456789012, null],
  ['58', 'XRP', 'XRP', 2.31, 59123456789, '100000000000'],
  ['2710', 'BNB', 'Binance Coin', 612.4, 145887575, '200000000'],
  ['48543', 'SOL', 'Solana', 142.7, 517345123, ''],
  ['33285', 'USDC', 'USD Coin', 1.0, 61234567890, null],
  ['2', 'DOGE', 'Dogecoin', 0.1712, 150163976383, ''],
  ['2713', 'TRX', 'TRON', 0.241, 94812345678, ''],
  ['257', 'ADA', 'Cardano', 0.612, 35987654321, 45000000000],
  ['2751', 'LINK', 'Chainlink', 13.42, 678099970, '1000000000'],
  ['44883', 'AVAX', 'Avalanche', 21.3, 412345678, 720000000],
  ['1', 'LTC', 'Litecoin', 84.2, 75812345, '84000000'],
  ['2321', 'BCH', 'Bitcoin Cash', 345.6, 19912345, '21000000'],
  ['45219', 'DOT', 'Polkadot', 4.12, 1523456789, ''],
  ['45088', 'SHIB', 'Shiba Inu', 0.00001234, 589254016327665, 1000000000000000],
  ['28', 'XMR', 'Monero', 212.5, 18447291, null],
  ['54683', 'TON', 'Toncoin', 3.21, 2512345678, ''],
  ['12377', 'XLM', 'Stellar', 0.271, 30912345678, '50001806812'],
  ['93845', 'PEPE', 'Pepe', 0.0000071234, 420689899653543, '420690000000000'],
];
const SYL = [
  'zen',
  'ora',
  'nex',
  'lum',
  'vio',
  'kai',
  'tor',
  'qua',
  'sol',
  'rix',
  'mon',
  'bit',
  'ter',
  'arc',
  'flux',
  'nov',
  'pix',
  'del',
  'ven',
  'hal',
];
const SUFFIX = ['Protocol', 'Network', 'Chain', 'Finance', 'Token', 'Coin', 'DAO', 'Swap', 'AI', 'Labs'];

interface Coin {
  id: string;
  symbol: string;
  name: string;
  nameid: string;
  price: number;
  csupply: number;
  msupply: string | number | null;
  beta: number;
  vol: number;
  history: number[];
}

function makeCoins(): Coin[] {
  const coins: Coin[] = TOP.map(([id, symbol, name, price, csupply, msupply]) => ({
    id,
    symbol,
    name,
    nameid: name.toLowerCase().replace(/[^a-z0-9]+/g, '-'),
    price,
    csupply,
    msupply,
    beta: symbol === 'USDT' || symbol === 'USDC' ? 0 : between(0.8, 1.4),
    vol: symbol === 'USDT' || symbol === 'USDC' ? 0.0002 : between(0.002, 0.006),
    history: [],
  }));
  const used = new Set(coins.map((c) => c.symbol));
  let nextId = 100_000;
  while (coins.length < COINS) {
    const stem = `${pick(SYL)}${pick(SYL)}`;
    const symbol = stem.slice(0, between(3, 5) | 0).toUpperCase();
    if (used.has(symbol)) continue;
    used.add(symbol);
    const name = `${stem[0].toUpperCase()}${stem.slice(1)} ${pick(SUFFIX)}`;
    // Log-uniform prices from 1e-9 to 50 USD: the long tail is where scientific notation shows up.
    const price = 10 ** between(-9, 1.7);
    const r = rnd();
    coins.push({
      id: String(nextId++),
      symbol,
      name,
      nameid: name.toLowerCase().replace(/[^a-z0-9]+/g, '-'),
      price,
      // Market caps from 1 M to 5 B USD: the long tail ranks below the real top 20.
      csupply: Math.round(10 ** between(6, 9.7) / price),
      msupply:
        r < 0.3
          ? ''
          : r < 0.4
            ? null
            : r < 0.5
              ? Math.round(10 ** between(8, 13))
              : String(Math.round(10 ** between(8, 13))),
      beta: between(0.5, 2),
      vol: between(0.004, 0.02),
      history: [],
    });
  }
  return coins;
}

/** Coinlore-style price string: 2 decimals above 1, significant digits below, e-notation for dust. */
function priceString(p: number): string {
  if (p >= 1) return p.toFixed(2);
  if (p >= 1e-6) return String(Number(p.toPrecision(6)));
  return p.toExponential(3);
}
const pct = (x: number) => (x * 100).toFixed(2);

const COINLORE_HEADERS = {
  'content-type': 'application/json',
  server: 'cloudflare',
  'cf-cache-status': 'DYNAMIC',
};

function coinloreSnapshot(coins: Coin[], k: number, at: number): Envelope[] {
  const market = gauss() * 0.004 + (k < 3 ? 0.002 : -0.003); // a gentle rise then a dip: charts show movement
  for (const c of coins) {
    if (k > 0) c.price *= Math.exp(c.beta * market + c.vol * gauss());
    c.history.push(c.price);
  }
  const ranked = [...coins].sort((a, b) => b.price * b.csupply - a.price * a.csupply);
  const out: Envelope[] = [];
  const fetched = (ms: number) => new Date(at + ms).toISOString();
  for (let page = 0; page < 3; page++) {
    const data = ranked.slice(page * 100, page * 100 + 100).map((c, i) => {
      const h = c.history;
      const ch1 = h.length > 1 ? h[h.length - 1] / h[h.length - 2] - 1 : c.vol * gauss();
      const mcap = c.price * c.csupply;
      const volume = mcap * between(0.01, 0.15);
      return {
        id: c.id,
        symbol: c.symbol,
        name: c.name,
        nameid: c.nameid,
        rank: page * 100 + i + 1,
        price_usd: priceString(c.price),
        percent_change_24h: pct(ch1 * 6 + c.vol * gauss() * 3),
        percent_change_1h: pct(ch1),
        percent_change_7d: pct(c.vol * gauss() * 10),
        price_btc: priceString(c.price / coins[0].price),
        market_cap_usd: mcap.toFixed(2),
        volume24: Number(volume.toFixed(2)),
        volume24a: Number((volume * between(0.85, 1.05)).toFixed(2)),
        csupply: c.csupply.toFixed(2),
        tsupply: rnd() < 0.05 ? '' : String(Math.round(c.csupply * between(1, 1.3))),
        msupply: c.msupply,
      };
    });
    out.push({
      request: { method: 'GET', url: `https://api.coinlore.net/api/tickers/?start=${page * 100}&limit=100` },
      response: {
        status: 200,
        headers: COINLORE_HEADERS,
        body: { data, info: { coins_num: COINS, time: Math.floor(at / 1000) - 30 } },
      },
      fetched_at: fetched(150 + page * 1100),
      source: 'coinlore',
      endpoint: 'tickers',
    });
  }
  const totalMcap = coins.reduce((s, c) => s + c.price * c.csupply, 0);
  out.push({
    request: { method: 'GET', url: 'https://api.coinlore.net/api/global/' },
    response: {
      status: 200,
      headers: COINLORE_HEADERS,
      body: [
        {
          coins_count: 14993,
          active_markets: 28840 + k * 3,
          total_mcap: Number(totalMcap.toFixed(2)),
          total_volume: Number((totalMcap * 0.045).toFixed(3)),
          btc_d: pct((coins[0].price * coins[0].csupply) / totalMcap),
          eth_d: pct((coins[1].price * coins[1].csupply) / totalMcap),
          mcap_change: pct(market * 6),
          volume_change: pct(gauss() * 0.05),
          avg_change_percent: pct(market * 4),
          volume_ath: 344187126190825200,
          mcap_ath: 33248067879029.688,
        },
      ],
    },
    fetched_at: fetched(3600),
    source: 'coinlore',
    endpoint: 'global',
  });
  return out;
}

// Text: crypto words the sentiment lexicon knows, coin mentions by symbol, $SYM and name, and words that
// look like tickers but are not (one, it, gas) so mention detection has something to get right.
const POSITIVE = [
  'to the moon 🚀',
  'very bullish here',
  'HODL strong',
  'great entry, buying more',
  'this is huge news',
  'love this project',
  'wagmi',
  'solid fundamentals, happy holder',
];
const NEGATIVE = [
  'total rug pull',
  'got rekt again',
  'pure FUD and panic',
  'this is a scam',
  'sell before it dumps',
  'terrible news, bearish',
  'ngmi',
  'down bad, worst trade ever',
];
const NEUTRAL = [
  'what do you think?',
  'any news on the upgrade?',
  'moved it to cold storage',
  'gas fees are one thing to watch',
  'is it worth it',
  'daily update',
  'how does staking work',
];
const TITLES = [
  '{C} breaks {P} after ETF news',
  'Is {C} a buy at {P}?',
  'Why I sold my {S}',
  '{C} network upgrade next week',
  'Daily Discussion - {D}',
  '{S} whales are moving',
  'Thoughts on {$S} this week?',
  'Lost it all on {S} leverage',
  '{C} vs {C2}: which one?',
];
const SUB_COINS: Record<string, readonly string[]> = {
  CryptoCurrency: ['BTC', 'ETH', 'SOL', 'XRP', 'DOGE', 'ADA', 'LINK', 'PEPE', 'SHIB', 'AVAX', 'DOT', 'TON'],
  Bitcoin: ['BTC', 'BTC', 'BTC', 'ETH', 'LTC', 'BCH', 'XMR'],
  ethereum: ['ETH', 'ETH', 'ETH', 'LINK', 'BTC', 'SOL', 'USDC'],
};

interface Item {
  id: string;
  createdMs: number;
  kind: 't3' | 't1';
  data: Record<string, unknown>;
}

function sentence(mood: number, coin: Coin, other: Coin): string {
  const words = mood > 0.35 ? POSITIVE : mood < -0.35 ? NEGATIVE : NEUTRAL;
  const mention = pick([`$${coin.symbol}`, coin.symbol, coin.name, `${coin.name} (${coin.symbol})`]);
  const tail = rnd() < 0.3 ? ` Also watching ${pick([other.symbol, other.name])}.` : '';
  return `${mention} ${pick(words)}.${tail}`;
}

function redditTimeline(coins: Coin[]): Map<string, { posts: Item[]; comments: Item[] }> {
  const bySymbol = new Map(coins.map((c) => [c.symbol, c]));
  const end = T0 + (SNAPSHOTS - 1) * STEP_MS;
  const start = T0 - 90 * 60_000;
  const out = new Map<string, { posts: Item[]; comments: Item[] }>();
  let seq = 0;
  for (const sub of SUBREDDITS) {
    const posts: Item[] = [];
    const comments: Item[] = [];
    const nPosts = 140;
    for (let i = 0; i < nPosts; i++) {
      const createdMs = Math.round(start + rnd() * (end - start));
      // Mood drifts over the sample so sentiment-over-time charts move; each sub has its own bias.
      const phase = (createdMs - start) / (end - start);
      const mood = sub.bias + 0.5 * Math.sin(phase * Math.PI * 2) + gauss() * 0.45;
      const coin = bySymbol.get(pick(SUB_COINS[sub.name]))!;
      const other = bySymbol.get(pick(SUB_COINS.CryptoCurrency))!;
      const id = `1p${(0x1000 + seq++).toString(36)}${sub.name.slice(0, 2).toLowerCase()}`;
      const title = pick(TITLES)
        .replaceAll('{C}', coin.name)
        .replaceAll('{C2}', other.name)
        .replaceAll('{$S}', `$${coin.symbol}`)
        .replaceAll('{S}', coin.symbol)
        .replaceAll('{P}', priceString(coin.price))
        .replaceAll('{D}', new Date(createdMs).toISOString().slice(0, 10));
      const deleted = rnd() < 0.04;
      const removed = !deleted && rnd() < 0.03;
      const link = rnd() < 0.2;
      const slug = title
        .toLowerCase()
        .replace(/[^a-z0-9]+/g, '_')
        .slice(0, 40);
      const permalink = `/r/${sub.name}/comments/${id}/${slug}/`;
      posts.push({
        id,
        createdMs,
        kind: 't3',
        data: {
          id,
          name: `t3_${id}`,
          subreddit: sub.name,
          subreddit_id: sub.id,
          author: deleted ? '[deleted]' : `user_${Math.floor(rnd() * 1e6).toString(36)}`,
          title,
          selftext: deleted
            ? '[deleted]'
            : removed
              ? '[removed]'
              : link
                ? ''
                : `${sentence(mood, coin, other)} ${sentence(mood, other, coin)}`,
          score: 0,
          ups: 0,
          upvote_ratio: Number(Math.min(1, Math.max(0.2, 0.75 + mood * 0.2)).toFixed(2)),
          num_comments: 0,
          created_utc: createdMs / 1000,
          permalink,
          url: link ? `https://example.com/news/${slug}` : `https://www.reddit.com${permalink}`,
          is_self: !link,
          over_18: false,
          edited: rnd() < 0.1 ? createdMs / 1000 + Math.round(between(30, 900)) + 0.5 : false,
        },
      });
    }
    for (let i = 0; i < 420; i++) {
      const parent = pick(posts);
      const createdMs = Math.round(parent.createdMs + rnd() * (end - parent.createdMs));
      const phase = (createdMs - start) / (end - start);
      const mood = sub.bias + 0.5 * Math.sin(phase * Math.PI * 2) + gauss() * 0.5;
      const coin = bySymbol.get(pick(SUB_COINS[sub.name]))!;
      const other = bySymbol.get(pick(SUB_COINS.CryptoCurrency))!;
      const id = `n${(0x10000 + seq++).toString(36)}`;
      const gone = rnd() < 0.05;
      const reply = comments.length > 0 && rnd() < 0.3 ? pick(comments) : undefined;
      comments.push({
        id,
        createdMs,
        kind: 't1',
        data: {
          id,
          name: `t1_${id}`,
          subreddit: sub.name,
          subreddit_id: sub.id,
          author: gone ? '[deleted]' : `user_${Math.floor(rnd() * 1e6).toString(36)}`,
          body: gone ? pick(['[deleted]', '[removed]']) : sentence(mood, coin, other),
          score: 0,
          ups: 0,
          created_utc: createdMs / 1000,
          link_id: `t3_${parent.id}`,
          parent_id: reply ? `t1_${reply.id}` : `t3_${parent.id}`,
          permalink: `${parent.data.permalink as string}${id}/`,
          link_title: parent.data.title,
          edited: rnd() < 0.08 ? createdMs / 1000 + Math.round(between(10, 600)) + 0.25 : false,
          replies: '',
        },
      });
    }
    out.set(sub.name, { posts, comments });
  }
  return out;
}

function listingAt(items: Item[], atMs: number, count: number): Record<string, unknown> {
  const visible = items
    .filter((i) => i.createdMs <= atMs)
    .sort((a, b) => b.createdMs - a.createdMs || (a.id < b.id ? -1 : 1))
    .slice(0, count);
  const children = visible.map((i) => {
    const ageMin = (atMs - i.createdMs) / 60_000;
    const score = Math.round(ageMin * ((i.id.charCodeAt(i.id.length - 1) % 5) - 1) * 0.3);
    const data: Record<string, unknown> = { ...i.data, score, ups: score };
    if (i.kind === 't3') data.num_comments = Math.round(ageMin * 0.4);
    // edited only becomes visible once the edit happened
    if (typeof data.edited === 'number' && data.edited * 1000 > atMs) data.edited = false;
    return { kind: i.kind, data };
  });
  return {
    kind: 'Listing',
    data: { after: null, before: null, dist: children.length, modhash: '', geo_filter: '', children },
  };
}

async function main(outDir: string): Promise<void> {
  await rm(outDir, { recursive: true, force: true });
  const coins = makeCoins();
  const timeline = redditTimeline(coins);
  let files = 0;
  let bytes = 0;
  const write = async (dir: string, name: string, env: Envelope) => {
    const text = `${JSON.stringify(env)}\n`;
    await writeFile(join(dir, name), text);
    files += 1;
    bytes += text.length;
  };
  const tokenDir = join(outDir, 'token');
  await mkdir(tokenDir, { recursive: true });
  await write(tokenDir, 'reddit_access_token.json', {
    request: { method: 'POST', url: 'https://www.reddit.com/api/v1/access_token' },
    response: {
      status: 200,
      headers: { 'content-type': 'application/json; charset=UTF-8' },
      body: { access_token: '[REDACTED]', token_type: 'bearer', expires_in: 86400, scope: '*' },
    },
    fetched_at: new Date(T0).toISOString(),
    source: 'reddit',
    endpoint: 'access_token',
  });
  for (let k = 0; k < SNAPSHOTS; k++) {
    const at = T0 + k * STEP_MS;
    const dir = join(outDir, stamp(new Date(at)));
    await mkdir(dir, { recursive: true });
    for (const env of coinloreSnapshot(coins, k, at)) {
      const start = Number(new URL(env.request.url).searchParams.get('start') ?? 0);
      const part = `p${String(start / 100).padStart(3, '0')}`;
      await write(dir, `coinlore_${env.endpoint}_${part}.json`, env);
    }
    let used = 3;
    for (const [s, sub] of SUBREDDITS.entries()) {
      const { posts, comments } = timeline.get(sub.name)!;
      for (const [endpoint, items, n] of [
        ['new', posts, 25 + Math.floor(rnd() * 26)],
        ['comments', comments, 25 + Math.floor(rnd() * 26)],
      ] as const) {
        used += 1;
        await write(dir, `reddit_${sub.name}_${endpoint}.json`, {
          request: {
            method: 'GET',
            url: `https://oauth.reddit.com/r/${sub.name}/${endpoint}?limit=100&raw_json=1`,
          },
          response: {
            status: 200,
            headers: {
              'content-type': 'application/json; charset=UTF-8',
              'x-ratelimit-used': String(used),
              'x-ratelimit-remaining': `${600 - used}.0`,
              'x-ratelimit-reset': String(600 - ((k * 600 + s * 7) % 600)),
            },
            body: listingAt(items, at, n),
          },
          fetched_at: new Date(at + 5000 + s * 800 + (endpoint === 'new' ? 0 : 400)).toISOString(),
          source: 'reddit',
          endpoint,
        });
      }
    }
  }
  console.log(`replay sample: ${files} envelopes, ${(bytes / 1e6).toFixed(2)} MB in ${outDir}`);
}

process.exitCode = await runScript({
  name: 'scripts/make-replay-sample.ts',
  usage: `Usage: npx tsx scripts/make-replay-sample.ts [OUTDIR]

Regenerates the bundled replay sample (deterministic: same files byte for byte)  [default: replay/sample]`,
  flags: {},
  positionals: 1,
  async main(_flags, [outDir]) {
    await main(outDir ?? join(import.meta.dirname, '..', 'replay', 'sample'));
    return 0;
  },
});
