#!/usr/bin/env node
// The DuckDB anchors of bench/reprocess.ts: what `fdl reprocess` does for Coinlore tickers, written as
// DuckDB's own SQL in one process, through @duckdb/node-api. Plain JavaScript on purpose: it runs as a
// whole process like a user would run it, with no TypeScript loader to start.
//
//   node bench/duckdb-anchor.mjs <lake root holding raw/> <output dir> [--equivalent]
//
// Both read every tickers envelope under <root>/raw/ (read_json), unnest body.data (100 coins per
// envelope), cast the columns to the lake's types (TRY_CAST: a bad value becomes NULL, as the
// transform's optional columns do) and write one Snappy Parquet file per run stamp (from the file
// name) with COPY … PARTITION_BY.
// - minimal (default): only that. It does LESS than fdl reprocess: no record_id, no dedupe, no rejects.
// - --equivalent: the same outputs as fdl reprocess, in SQL: record_id (sha256 of source, coin id and
//   extraction time, joined by the unit separator, as lambdas/core/record-id.ts), one row per coin per
//   run keeping the latest extraction (ties: the later file), rows missing a required column routed to
//   a rejects file instead of the Parquet. bench/reprocess.ts checks that its rows equal fdl's.
import { DuckDBInstance } from '@duckdb/node-api';

const [root, out, mode] = process.argv.slice(2);
if (!root || !out || (mode !== undefined && mode !== '--equivalent')) {
  process.stderr.write(
    'usage: node bench/duckdb-anchor.mjs <lake root holding raw/> <output dir> [--equivalent]\n' +
      '  default: the minimal SQL (read_json → unnest → casts → COPY … PARTITION_BY run)\n' +
      '  --equivalent: the rows fdl reprocess writes (record_id, dedupe, rejects into <output dir>/rejects.jsonl)\n' +
      '  files an earlier run left in <output dir> are overwritten when they have the same name, else kept\n',
  );
  process.exit(2);
}
const lit = (s) => `'${s.replaceAll("'", "''")}'`;
// Every value as text, then TRY_CAST: Coinlore sends numbers as strings of varied shapes and as JSON
// numbers; explicit columns spare DuckDB's schema sampling over thousands of files.
const DOUBLES = [
  'price_usd',
  'price_btc',
  'percent_change_1h',
  'percent_change_24h',
  'percent_change_7d',
  'market_cap_usd',
  'volume24',
  'volume24a',
  'csupply',
  'tsupply',
  'msupply',
];
// Every field of a Coinlore ticker: the text ones, then the numeric ones.
const COINS = ['id', 'symbol', 'name', 'nameid', 'rank', ...DOUBLES];
const coin = `STRUCT(${COINS.map((c) => `${c} VARCHAR`).join(', ')})`;
const casts = `
    regexp_extract(filename, '_([0-9]{8}_[0-9]{4})_[^/]*[.]json$', 1) AS run, filename,
    CAST(CAST(fetched_at AS TIMESTAMPTZ) AS TIMESTAMP_MS) AS extracted_at,
    NULLIF(t.id, '') AS coin_id, NULLIF(t.symbol, '') AS symbol, NULLIF(t.name, '') AS name,
    NULLIF(t.nameid, '') AS nameid, TRY_CAST(t.rank AS BIGINT) AS rank,
    ${DOUBLES.map((c) => `TRY_CAST(NULLIF(t.${c}, '') AS DOUBLE) AS ${c}`).join(',\n    ')}
  FROM (
    SELECT filename, fetched_at, unnest(response.body.data) AS t
    FROM read_json(${lit(`${root}/raw/**/*.json`)},
      filename = true, format = 'newline_delimited', maximum_object_size = 67108864,
      columns = {fetched_at: 'VARCHAR', endpoint: 'VARCHAR',
                 response: 'STRUCT(status INTEGER, body STRUCT(data ${coin}[]))'})
    WHERE endpoint = 'tickers' AND response.status BETWEEN 200 AND 299
  )`;
const columns = `'reprocess' AS run_id, extracted_at, coin_id, symbol, name, nameid, rank, ${DOUBLES.join(', ')}`;
const toParquet = `(FORMAT parquet, COMPRESSION snappy, PARTITION_BY (run), OVERWRITE_OR_IGNORE)`;
const required = 'coin_id IS NOT NULL AND symbol IS NOT NULL AND name IS NOT NULL AND price_usd IS NOT NULL';

const t0 = performance.now();
const instance = await DuckDBInstance.create(':memory:');
const connection = await instance.connect();
// fetched_at is cast through TIMESTAMPTZ: in UTC, so extracted_at (and record_id) do not depend on the
// machine's time zone.
await connection.run("SET TimeZone = 'UTC'");
let rows;
if (mode === '--equivalent') {
  await connection.run(`CREATE TEMP TABLE cast_rows AS SELECT ${casts}`);
  const result = await connection.runAndReadAll(`COPY (
    SELECT run,
      sha256('coinlore' || chr(31) || coin_id || chr(31) || strftime(extracted_at, '%Y-%m-%dT%H:%M:%S.%gZ')) AS record_id,
      ${columns}
    FROM cast_rows WHERE ${required}
    QUALIFY row_number() OVER (PARTITION BY run, coin_id ORDER BY extracted_at DESC, filename DESC) = 1
  ) TO ${lit(out)} ${toParquet}`);
  rows = Number(result.getRows()[0]?.[0] ?? 0);
  await connection.run(
    `COPY (SELECT filename, 'a required column is missing' AS reason FROM cast_rows WHERE NOT (${required}))
     TO ${lit(`${out}/rejects.jsonl`)} (FORMAT json)`,
  );
} else {
  const result = await connection.runAndReadAll(
    `COPY (SELECT run, ${columns} FROM (SELECT ${casts})) TO ${lit(out)} ${toParquet}`,
  );
  rows = Number(result.getRows()[0]?.[0] ?? 0);
}
connection.closeSync();
instance.closeSync();
process.stdout.write(`${JSON.stringify({ rows, seconds: (performance.now() - t0) / 1000 })}\n`);
