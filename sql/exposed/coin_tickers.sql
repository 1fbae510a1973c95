-- Grain: one row per coin per extraction (record_id), RAW tickers with load duplicates removed.
-- record_id is derived from coin_id and extracted_at (lambdas/core/record-id.ts).
-- RAW is append-only: a file loaded twice, or the same extraction written to two files, repeats rows.
-- Of the copies of one record_id the latest load wins (loaded_at, then src_file and file_row_number, so
-- the choice is deterministic). Every view that reads tickers reads this one, so the rule is written once.
SELECT
  record_id,
  coin_id,
  symbol,
  name,
  rank,
  price_usd,
  price_btc,
  percent_change_1h,
  percent_change_24h,
  percent_change_7d,
  market_cap_usd,
  volume24,
  csupply,
  tsupply,
  msupply,
  extracted_at,
  run_id
FROM RAW.COINLORE_TICKERS
QUALIFY ROW_NUMBER() OVER (
  PARTITION BY record_id
  ORDER BY loaded_at DESC, src_file DESC, file_row_number DESC
) = 1
