-- Grain: one row per coin (coin_id): the coin's most recent extraction.
-- RAW is append-only (a file loaded twice, or the same extraction in two files, gives duplicate rows);
-- ROW_NUMBER keeps exactly one row per coin, the latest extraction, ties broken by the latest load.
SELECT
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
  PARTITION BY coin_id
  ORDER BY extracted_at DESC, loaded_at DESC, src_file DESC, file_row_number DESC
) = 1
