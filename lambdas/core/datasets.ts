/**
 * The one declaration of every dataset the pipeline produces.
 *
 * Everything else is derived from these specs: the Parquet schema (lambdas/adapters), the Snowflake RAW
 * table columns (stacks/), the local DuckDB DDL (local/), row validation (lambdas/core) and the docs.
 * Change a column here and every derivation follows.
 */

/** Logical column types; each derivation maps them to its engine's physical type. */
export type ColumnType = 'string' | 'int' | 'double' | 'timestamp' | 'boolean';

export interface ColumnSpec {
  /** snake_case; source fields keep their API names where they survive cleaning. */
  readonly name: string;
  readonly type: ColumnType;
  /** A row without a value here is rejected (sent to rejects/ with the reason), never silently dropped. */
  readonly required: boolean;
  readonly description: string;
}

export type Source = 'coinlore' | 'reddit';

export interface DatasetSpec {
  readonly name: DatasetName;
  readonly source: Source;
  /** The raw envelope endpoint this dataset is built from (envelope.endpoint). */
  readonly endpoint: string;
  /** One sentence: what one row is. */
  readonly grain: string;
  /** Natural key columns (besides extracted_at) used by EXPOSED views to deduplicate. */
  readonly naturalKey: readonly string[];
  readonly columns: readonly ColumnSpec[];
}

const col = (name: string, type: ColumnType, required: boolean, description: string): ColumnSpec => ({
  name,
  type,
  required,
  description,
});

/** Columns every row of every dataset carries, first. */
export const COMMON_COLUMNS: readonly ColumnSpec[] = [
  col(
    'record_id',
    'string',
    true,
    'Deterministic unique id: sha256 of source, natural id and extraction time.',
  ),
  col('run_id', 'string', true, 'The state machine execution (or local run) that produced the row.'),
  col('extracted_at', 'timestamp', true, 'UTC time of the API call the row came from.'),
];

const SENTIMENT_COLUMNS: readonly ColumnSpec[] = [
  col(
    'sentiment_score',
    'double',
    true,
    'Sum of word valences (VADER, AFINN, finance and crypto lexicons, VADER rules); see docs/sentiment-rules.md.',
  ),
  col(
    'sentiment_comparative',
    'double',
    true,
    'sentiment_score normalised to -1 … 1: score / sqrt(score² + 15).',
  ),
  col('sentiment_label', 'string', true, 'positive | neutral | negative.'),
  col(
    'mentioned_symbols',
    'string',
    false,
    'Comma-separated coin symbols named in the text, e.g. "BTC,ETH".',
  ),
];

export const DATASET_NAMES = [
  'coinlore_tickers',
  'coinlore_global',
  'reddit_posts',
  'reddit_comments',
] as const;
export type DatasetName = (typeof DATASET_NAMES)[number];

export const DATASETS: Readonly<Record<DatasetName, DatasetSpec>> = {
  coinlore_tickers: {
    name: 'coinlore_tickers',
    source: 'coinlore',
    endpoint: 'tickers',
    grain: 'One row per coin per extraction.',
    naturalKey: ['coin_id'],
    columns: [
      ...COMMON_COLUMNS,
      col('coin_id', 'string', true, 'Coinlore coin id.'),
      col('symbol', 'string', true, 'Ticker symbol, e.g. BTC.'),
      col('name', 'string', true, 'Coin name.'),
      col('nameid', 'string', false, 'Coinlore slug.'),
      col('rank', 'int', false, 'Market-cap rank.'),
      col('price_usd', 'double', true, 'Price in USD.'),
      col('price_btc', 'double', false, 'Price in BTC.'),
      col('percent_change_1h', 'double', false, 'Price change over 1 hour, percent.'),
      col('percent_change_24h', 'double', false, 'Price change over 24 hours, percent.'),
      col('percent_change_7d', 'double', false, 'Price change over 7 days, percent.'),
      col('market_cap_usd', 'double', false, 'Market capitalisation in USD.'),
      col('volume24', 'double', false, 'Trading volume over 24 hours, USD.'),
      col('volume24a', 'double', false, 'Trading volume over 24 hours (alternative), USD.'),
      col('csupply', 'double', false, 'Circulating supply.'),
      col('tsupply', 'double', false, 'Total supply.'),
      col('msupply', 'double', false, 'Maximum supply; null when Coinlore sends "", null or no value.'),
    ],
  },
  coinlore_global: {
    name: 'coinlore_global',
    source: 'coinlore',
    endpoint: 'global',
    grain: 'One row per extraction (the whole market).',
    naturalKey: [],
    columns: [
      ...COMMON_COLUMNS,
      col('coins_count', 'int', true, 'Number of coins tracked.'),
      col('active_markets', 'int', false, 'Number of active markets.'),
      col('total_mcap', 'double', true, 'Total market capitalisation, USD.'),
      col('total_volume', 'double', false, 'Total 24h volume, USD.'),
      col('btc_d', 'double', false, 'Bitcoin dominance, percent.'),
      col('eth_d', 'double', false, 'Ether dominance, percent.'),
      col('mcap_change', 'double', false, 'Market-cap change over 24 hours, percent.'),
      col('volume_change', 'double', false, 'Volume change over 24 hours, percent.'),
      col('avg_change_percent', 'double', false, 'Average price change over 24 hours, percent.'),
      col('volume_ath', 'double', false, 'All-time-high volume, USD.'),
      col('mcap_ath', 'double', false, 'All-time-high market cap, USD.'),
    ],
  },
  reddit_posts: {
    name: 'reddit_posts',
    source: 'reddit',
    endpoint: 'new',
    grain: 'One row per post per extraction.',
    naturalKey: ['post_id'],
    columns: [
      ...COMMON_COLUMNS,
      col('post_id', 'string', true, 'Reddit post id without the t3_ prefix.'),
      col('subreddit', 'string', true, 'Subreddit name as Reddit spells it.'),
      col('title', 'string', true, 'Post title.'),
      col('selftext', 'string', false, 'Post body; null when deleted, removed or a link post.'),
      col('score', 'int', false, 'Score at extraction time.'),
      col('upvote_ratio', 'double', false, 'Share of upvotes.'),
      col('num_comments', 'int', false, 'Number of comments at extraction time.'),
      col('created_utc', 'timestamp', true, 'When the post was created, UTC.'),
      col('permalink', 'string', false, 'Path on reddit.com.'),
      col('url', 'string', false, 'Link target (or the post itself for self posts).'),
      col('is_self', 'boolean', false, 'Text post rather than a link.'),
      col('is_over_18', 'boolean', false, 'Marked NSFW.'),
      col('is_deleted', 'boolean', true, 'Author or text is [deleted]/[removed].'),
      col('edited_at', 'timestamp', false, 'Last edit time, UTC; null when never edited.'),
      ...SENTIMENT_COLUMNS,
    ],
  },
  reddit_comments: {
    name: 'reddit_comments',
    source: 'reddit',
    endpoint: 'comments',
    grain: 'One row per comment per extraction.',
    naturalKey: ['comment_id'],
    columns: [
      ...COMMON_COLUMNS,
      col('comment_id', 'string', true, 'Reddit comment id without the t1_ prefix.'),
      col('post_id', 'string', true, 'The post the comment belongs to, without the t3_ prefix.'),
      col('subreddit', 'string', true, 'Subreddit name as Reddit spells it.'),
      col('parent_id', 'string', false, 'Fullname of the parent (t1_ comment or t3_ post).'),
      col('body', 'string', false, 'Comment text; null when deleted or removed.'),
      col('score', 'int', false, 'Score at extraction time.'),
      col('created_utc', 'timestamp', true, 'When the comment was created, UTC.'),
      col('permalink', 'string', false, 'Path on reddit.com.'),
      col('is_deleted', 'boolean', true, 'Author or text is [deleted]/[removed].'),
      col('edited_at', 'timestamp', false, 'Last edit time, UTC; null when never edited.'),
      ...SENTIMENT_COLUMNS,
    ],
  },
};

/**
 * Load metadata the warehouse adds to every RAW table (Snowpipe INCLUDE_METADATA / the local loader).
 * Not in the Parquet files: the loader fills them.
 */
export const LOAD_METADATA_COLUMNS: readonly ColumnSpec[] = [
  col('src_file', 'string', true, 'Lake path of the file the row was loaded from (METADATA$FILENAME).'),
  col('file_row_number', 'int', true, 'Row number inside that file (METADATA$FILE_ROW_NUMBER).'),
  col(
    'file_last_modified',
    'timestamp',
    true,
    'Last-modified time of the file (METADATA$FILE_LAST_MODIFIED).',
  ),
  col('loaded_at', 'timestamp', true, 'When the warehouse loaded the row (METADATA$START_SCAN_TIME).'),
];

/** The dataset built from a raw envelope, or undefined when no dataset reads that source/endpoint. */
export function datasetForEndpoint(source: string, endpoint: string): DatasetSpec | undefined {
  return Object.values(DATASETS).find((d) => d.source === source && d.endpoint === endpoint);
}
