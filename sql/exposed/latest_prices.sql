-- Grain: one row per coin (coin_id): the coin's most recent extraction.
-- Reads EXPOSED.COIN_TICKERS (one row per coin and extraction, load duplicates already removed), so the
-- latest extraction per coin is unique and needs no further tie-break.
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
FROM EXPOSED.COIN_TICKERS
QUALIFY ROW_NUMBER() OVER (PARTITION BY coin_id ORDER BY extracted_at DESC) = 1
