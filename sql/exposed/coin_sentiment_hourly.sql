-- Grain: one row per coin (coin_id) per hour (hour_at: UTC hour the post or comment was created) in which
-- at least one live post or comment mentions the coin's symbol, next to the coin's price in that hour.
--
-- Mentions: mentioned_symbols is a comma-separated list ("BTC,ETH"). Instead of exploding it (Snowflake
-- needs LATERAL SPLIT_TO_TABLE, DuckDB unnest(string_split()): no common form), each item is joined to
-- the coins whose symbol occurs as a whole element of the list, CONTAINS(',BTC,ETH,', ',ETH,'), which
-- both engines accept, and which only counts symbols of coins we track.
-- A symbol carried by several coins is attributed to the best-ranked one (at its latest extraction; ties
-- broken like latest_prices, by the latest load: a backfill's rebuild wins over the original).
-- Price change in the hour: from the first to the last extraction of that hour, in percent; null when the
-- coin has no price in that hour. Posts and comments come from EXPOSED.REDDIT_ITEMS (latest extraction),
-- coins from EXPOSED.LATEST_PRICES and prices from EXPOSED.COIN_TICKERS (load duplicates removed).
WITH coins AS (
  SELECT coin_id, symbol
  FROM EXPOSED.LATEST_PRICES
  QUALIFY ROW_NUMBER() OVER (PARTITION BY symbol ORDER BY rank ASC NULLS LAST, coin_id ASC) = 1
),
mentions AS (
  SELECT
    coins.coin_id,
    coins.symbol,
    DATE_TRUNC('hour', items.created_utc) AS hour_at,
    items.sentiment_score,
    items.sentiment_comparative,
    items.sentiment_label
  FROM EXPOSED.REDDIT_ITEMS AS items
  INNER JOIN coins
    ON CONTAINS(',' || items.mentioned_symbols || ',', ',' || coins.symbol || ',')
  WHERE items.is_deleted = FALSE
),
mentions_hourly AS (
  SELECT
    coin_id,
    symbol,
    hour_at,
    COUNT(*) AS mention_count,
    AVG(sentiment_score) AS avg_sentiment_score,
    AVG(sentiment_comparative) AS avg_sentiment_comparative,
    AVG(CASE WHEN sentiment_label = 'positive' THEN 1.0 ELSE 0.0 END) AS positive_share,
    AVG(CASE WHEN sentiment_label = 'negative' THEN 1.0 ELSE 0.0 END) AS negative_share
  FROM mentions
  GROUP BY coin_id, symbol, hour_at
),
prices AS (
  SELECT coin_id, extracted_at, DATE_TRUNC('hour', extracted_at) AS hour_at, price_usd
  FROM EXPOSED.COIN_TICKERS
),
prices_hourly AS (
  SELECT
    coin_id,
    hour_at,
    FIRST_VALUE(price_usd) OVER (PARTITION BY coin_id, hour_at ORDER BY extracted_at ASC) AS price_open_usd,
    price_usd AS price_close_usd
  FROM prices
  QUALIFY ROW_NUMBER() OVER (PARTITION BY coin_id, hour_at ORDER BY extracted_at DESC) = 1
)
SELECT
  mentions_hourly.coin_id,
  mentions_hourly.symbol,
  mentions_hourly.hour_at,
  mentions_hourly.mention_count,
  mentions_hourly.avg_sentiment_score,
  mentions_hourly.avg_sentiment_comparative,
  mentions_hourly.positive_share,
  mentions_hourly.negative_share,
  prices_hourly.price_open_usd,
  prices_hourly.price_close_usd,
  CASE
    WHEN prices_hourly.price_open_usd > 0
      THEN (prices_hourly.price_close_usd - prices_hourly.price_open_usd) / prices_hourly.price_open_usd * 100
  END AS price_change_pct
FROM mentions_hourly
LEFT JOIN prices_hourly
  ON prices_hourly.coin_id = mentions_hourly.coin_id
  AND prices_hourly.hour_at = mentions_hourly.hour_at
