import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { DATASET_NAMES, DATASETS, type DatasetName } from '../../lambdas/core/datasets';
import type { Envelope } from '../../lambdas/core/envelope';
import { type Row, recordFillers } from '../../lambdas/core/transform';
import { comment, post, ticker } from './envelope-builder';

const FIXTURES = join(import.meta.dirname, '..', 'fixtures', 'replay');

/** The records (tickers, global objects, Reddit children's data) of the replay fixtures, per dataset. */
function fixtureRecords(): Record<DatasetName, unknown[]> {
  const out: Record<DatasetName, unknown[]> = {
    coinlore_tickers: [],
    coinlore_global: [],
    reddit_posts: [],
    reddit_comments: [],
  };
  for (const f of readdirSync(FIXTURES).filter((n) => n.endsWith('.json'))) {
    const e = JSON.parse(readFileSync(join(FIXTURES, f), 'utf8')) as Envelope;
    const body = e.response.body as Record<string, unknown> | unknown[];
    const d = DATASET_NAMES.find(
      (n) => DATASETS[n].source === e.source && DATASETS[n].endpoint === e.endpoint,
    );
    if (!d) continue;
    if (Array.isArray(body)) out[d].push(...body);
    else if (Array.isArray(body.data)) out[d].push(...body.data);
    else {
      const children = (body.data as { children?: { data?: unknown }[] } | undefined)?.children ?? [];
      out[d].push(...children.map((c) => c.data).filter((x) => x !== undefined));
    }
  }
  return out;
}

const dataOf = (child: Record<string, unknown>) => child.data as Record<string, unknown>;

/** The very same cell: toEqual would take -0 for 0. */
const sameCell = (a: unknown, b: unknown) =>
  a instanceof Date && b instanceof Date ? Object.is(a.getTime(), b.getTime()) : Object.is(a, b);

/** Hand-written quirks: the cases the cleaning rules exist for. */
const QUIRKS: Record<DatasetName, Record<string, unknown>[]> = {
  coinlore_tickers: [
    ticker(1, { price_usd: '1.2e-7', msupply: null }),
    ticker(2, { price_usd: '123456789012345678901234.123456789', msupply: 21000000 }),
    ticker(3, { price_usd: 'NaN', percent_change_1h: '-', csupply: '1e400' }),
    ticker(4, { symbol: '', name: null, rank: '9007199254740993', tsupply: ' 12 ' }),
    ticker(5, { id: undefined, price_usd: '0x10', volume24: Number.NaN, percent_change_7d: '-0.00' }),
    {},
  ],
  coinlore_global: [{ coins_count: '12', total_mcap: 'abc', btc_d: '59.50', volume_ath: 3.4e17 }, {}],
  reddit_posts: [
    dataOf(post('a1')),
    { ...dataOf(post('a2')), selftext: '[removed]', edited: 1788363080.5 },
    { id: 't3_x', title: '', created_utc: 'soon', over_18: 'no', author: '[deleted]' },
  ],
  reddit_comments: [
    { ...dataOf(comment('c1')), body: '[deleted]', edited: true },
    { name: 't1_c2', link_id: 42, score: 1.5, created_utc: -1e20 },
  ],
};

/** Any JSON-ish value a source field could hold, weighted towards the cast rules' edge cases. */
const fieldValue = fc.oneof(
  fc.string(),
  fc.double(),
  fc.integer(),
  fc.boolean(),
  fc.constantFrom(null, undefined, '', ' ', 'NaN', '1e400', '-0', '0x1f', '[deleted]', 't3_abc', 't1_abc'),
  fc.double().map(String),
  fc.array(fc.integer(), { maxLength: 2 }),
);

/** Every field name a mapping reads: the columns plus the source names they are renamed from. */
const FIELD_NAMES = [
  ...new Set([
    ...DATASET_NAMES.flatMap((d) => DATASETS[d].columns.map((c) => c.name)),
    ...['id', 'name', 'link_id', 'over_18', 'author', 'edited', 'selftext', 'body'],
  ]),
];

function fillBoth(dataset: DatasetName, record: Record<string, unknown>) {
  const { compiled, loop } = recordFillers(dataset);
  const run = (fill: typeof compiled) => {
    const row: Row = {};
    const nullCounts: Record<string, number> = {};
    const problems = fill(record, row, nullCounts);
    return { row, rowKeys: Object.keys(row), nullCounts, problems };
  };
  return [run(compiled), run(loop)] as const;
}

describe('recordFillers', () => {
  const fixtures = fixtureRecords();

  it.each(DATASET_NAMES)(
    'fills the same row, null counts and problems as the loop when given the %s fixtures and quirks',
    (dataset) => {
      const records = [...fixtures[dataset], ...QUIRKS[dataset]] as Record<string, unknown>[];
      expect(records.length).toBeGreaterThan(1);
      for (const record of records) {
        const [compiled, loop] = fillBoth(dataset, record);
        expect(compiled).toEqual(loop);
        for (const k of loop.rowKeys) expect(sameCell(compiled.row[k], loop.row[k]), k).toBe(true);
      }
    },
  );

  it.each(DATASET_NAMES)('agrees with the loop when given arbitrary %s records', (dataset) => {
    fc.assert(
      fc.property(fc.dictionary(fc.constantFrom(...FIELD_NAMES), fieldValue), (record) => {
        const [compiled, loop] = fillBoth(dataset, record);
        expect(compiled).toEqual(loop);
        for (const k of loop.rowKeys) expect(sameCell(compiled.row[k], loop.row[k]), k).toBe(true);
      }),
      { numRuns: 300 },
    );
  });
});
