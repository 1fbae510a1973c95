/**
 * A small raw archive for the backfill tests: RUNS runs 10 minutes apart, each with two Coinlore ticker
 * pages (a coin repeated across pages, one ticker without a symbol), the global endpoint, a page of posts
 * and a page of comments, plus a Reddit token exchange no dataset reads. `expectedRows` is computed from
 * what was written, not from any output.
 */
import type { LakeStore } from '../../lambdas/adapters/lake-store';
import type { DatasetName } from '../../lambdas/core/datasets';
import { rawKey } from '../../lambdas/core/lake';
import {
  comment,
  envelope,
  GLOBAL_BODY,
  listing,
  post,
  ticker,
  tickersBody,
} from '../lambdas/envelope-builder';

export const FIRST_RUN = new Date('2026-11-24T10:00:00.000Z');
export const RUNS = Array.from({ length: 4 }, (_, i) => new Date(FIRST_RUN.getTime() + i * 600_000));
/** The comment text of every run's first comment: the lexicon test changes how it scores. */
export const RALLY_COMMENT = 'This rally feels sustainable. $ETH next';

export interface Archive {
  /** Valid rows per dataset per run (distinct natural keys that pass the checks). */
  readonly expectedRows: Record<DatasetName, number[]>;
  /** Rows rejected per run (tickers without a symbol). */
  readonly expectedRejects: number[];
}

export async function writeArchive(raw: LakeStore): Promise<Archive> {
  const put = (key: string, body: unknown) => raw.put(key, JSON.stringify(body));
  const expectedRows: Record<DatasetName, number[]> = {
    coinlore_tickers: [],
    coinlore_global: [],
    reddit_posts: [],
    reddit_comments: [],
  };
  const expectedRejects: number[] = [];
  for (const [r, run] of RUNS.entries()) {
    const at = (s: number) => new Date(run.getTime() + s * 1000).toISOString();
    const coins = new Set<number>();
    let rejects = 0;
    for (let p = 0; p < 2; p++) {
      const tickers = Array.from({ length: 50 }, (_, i) =>
        ticker(p * 50 + i + 1, { price_usd: `${r + 1}.${i}` }),
      );
      for (let i = 1; i <= 50; i++) coins.add(p * 50 + i);
      if (p === 1) tickers.push(ticker(3, { price_usd: '9.99' })); // rank moved: coin 3 again on page 1
      if (p === 1) {
        tickers.push(ticker(900 + r, { symbol: '' }));
        rejects++;
      }
      await put(
        rawKey('coinlore', 'tickers', run, `p${p}`),
        envelope('coinlore', 'tickers', tickersBody(tickers), { fetchedAt: at(p + 1) }),
      );
    }
    expectedRows.coinlore_tickers.push(coins.size);
    expectedRejects.push(rejects);
    await put(
      rawKey('coinlore', 'global', run, 'p0'),
      envelope('coinlore', 'global', GLOBAL_BODY, { fetchedAt: at(3) }),
    );
    expectedRows.coinlore_global.push(GLOBAL_BODY.length);
    const posts = [post(`p${r}a`), post(`p${r}b`, { title: 'ETH dips below 3k' })];
    await put(
      rawKey('reddit', 'new', run, 'cryptocurrency_p0'),
      envelope('reddit', 'new', listing(posts), { fetchedAt: at(4) }),
    );
    expectedRows.reddit_posts.push(posts.length);
    const comments = [comment('c1', { body: RALLY_COMMENT }), comment(`c${r}x`, { body: 'meh' })];
    await put(
      rawKey('reddit', 'comments', run, 'cryptocurrency_p0'),
      envelope('reddit', 'comments', listing(comments), { fetchedAt: at(5) }),
    );
    expectedRows.reddit_comments.push(comments.length);
    await put(
      rawKey('reddit', 'access_token', run, 'p0'),
      envelope('reddit', 'access_token', { scope: '*' }),
    );
  }
  return { expectedRows, expectedRejects };
}

/** A logger that keeps nothing (the handlers log every item). */
export const QUIET = { debug() {}, info() {}, warn() {}, error() {} };
