-- Grain: one row per coin (coin_id) per extraction (extracted_at), duplicates from repeated loads removed.
SELECT
  coin_id,
  symbol,
  name,
  extracted_at,
  price_usd,
  price_btc,
  market_cap_usd,
  volume24,
  percent_change_1h,
  percent_change_24h,
  percent_change_7d,
  rank,
  run_id
FROM RAW.COINLORE_TICKERS
QUALIFY ROW_NUMBER() OVER (
  PARTITION BY coin_id, extracted_at
  ORDER BY loaded_at DESC, src_file DESC, file_row_number DESC
) = 1
