-- Grain: one row per coin (coin_id) per extraction (extracted_at), duplicates from repeated loads removed
-- (by EXPOSED.COIN_TICKERS).
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
FROM EXPOSED.COIN_TICKERS
