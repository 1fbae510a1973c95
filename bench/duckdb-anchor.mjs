#!/usr/bin/env node
// The DuckDB anchor of bench/reprocess.ts: what `fdl reprocess` does for Coinlore tickers, written as
// DuckDB's own SQL in one process (read_json → unnest → COPY … PARTITION_BY), through @duckdb/node-api.
// Plain JavaScript on purpose: it runs as a whole process like a user would run it, with no TypeScript
// loader to start, so its wall time is DuckDB's work plus Node's ~0.1 s start-up.
//
//   node bench/duckdb-anchor.mjs <lake root holding raw/> <output dir>
//
// It reads every tickers envelope under <root>/raw/, unnests body.data (100 coins per envelope), casts
// the columns to the lake's types (TRY_CAST: a bad value becomes NULL, as the transform's optional
// columns do) and writes one Snappy Parquet file per run stamp (from the file name). It does LESS than
// the transform: no record_id hash, no dedupe of coins within a run, no reject routing, no rejects
// file. A fair anchor for speed; not a second implementation of the cleaning rules.
import { DuckDBInstance } from '@duckdb/node-api';

const [root, out] = process.argv.slice(2);
if (!root || !out) {
  process.stderr.write('usage: node bench/duckdb-anchor.mjs <lake root holding raw/> <output dir>\n');
  process.exit(2);
}
const lit = (s) => `'${s.replaceAll("'", "''")}'`;
// Every value as text, then TRY_CAST: Coinlore sends numbers as strings of varied shapes and as JSON
// numbers; explicit columns spare DuckDB's schema sampling over thousands of files.
const COINS = [
  'id',
  'symbol',
  'name',
  'nameid',
  'rank',
  'price_usd',
  'percent_change_24h',
  'percent_change_1h',
  'percent_change_7d',
  'price_btc',
  'market_cap_usd',
  'volume24',
  'volume24a',
  'csupply',
  'tsupply',
  'msupply',
];
const coin = `STRUCT(${COINS.map((c) => `${c} VARCHAR`).join(', ')})`;
const dbl = (c) => `TRY_CAST(NULLIF(t.${c}, '') AS DOUBLE) AS ${c}`;
const sql = `
COPY (
  SELECT
    regexp_extract(filename, '_([0-9]{8}_[0-9]{4})_[^/]*[.]json$', 1) AS run,
    'reprocess' AS run_id,
    CAST(CAST(fetched_at AS TIMESTAMPTZ) AS TIMESTAMP_MS) AS extracted_at,
    t.id AS coin_id, t.symbol, t.name, t.nameid,
    TRY_CAST(t.rank AS BIGINT) AS rank,
    ${['price_usd', 'price_btc', 'percent_change_1h', 'percent_change_24h', 'percent_change_7d', 'market_cap_usd', 'volume24', 'volume24a', 'csupply', 'tsupply', 'msupply'].map(dbl).join(',\n    ')}
  FROM (
    SELECT filename, fetched_at, unnest(response.body.data) AS t
    FROM read_json(${lit(`${root}/raw/**/*.json`)},
      filename = true, format = 'newline_delimited', maximum_object_size = 67108864,
      columns = {fetched_at: 'VARCHAR', endpoint: 'VARCHAR',
                 response: 'STRUCT(status INTEGER, body STRUCT(data ${coin}[]))'})
    WHERE endpoint = 'tickers' AND response.status BETWEEN 200 AND 299
  )
) TO ${lit(out)} (FORMAT parquet, COMPRESSION snappy, PARTITION_BY (run), OVERWRITE_OR_IGNORE)`;

const t0 = performance.now();
const instance = await DuckDBInstance.create(':memory:');
const connection = await instance.connect();
const result = await connection.runAndReadAll(sql);
const rows = Number(result.getRows()[0]?.[0] ?? 0);
connection.closeSync();
instance.closeSync();
process.stdout.write(`${JSON.stringify({ rows, seconds: (performance.now() - t0) / 1000 })}\n`);
