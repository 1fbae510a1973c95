-- Grain: one row per subreddit per hour (hour_at: UTC hour the post or comment was created) with at least
-- one live (not deleted) post or comment.
-- Posts and comments are re-extracted while they are young (each run pages back over a lookback window),
-- so each one is first reduced to its latest extraction (natural key post_id / comment_id); an item whose
-- latest version is deleted no longer counts.
WITH posts AS (
  SELECT
    'post' AS item_type,
    subreddit,
    created_utc,
    is_deleted,
    sentiment_score,
    sentiment_comparative,
    sentiment_label
  FROM RAW.REDDIT_POSTS
  QUALIFY ROW_NUMBER() OVER (
    PARTITION BY post_id
    ORDER BY extracted_at DESC, loaded_at DESC, src_file DESC, file_row_number DESC
  ) = 1
),
comments AS (
  SELECT
    'comment' AS item_type,
    subreddit,
    created_utc,
    is_deleted,
    sentiment_score,
    sentiment_comparative,
    sentiment_label
  FROM RAW.REDDIT_COMMENTS
  QUALIFY ROW_NUMBER() OVER (
    PARTITION BY comment_id
    ORDER BY extracted_at DESC, loaded_at DESC, src_file DESC, file_row_number DESC
  ) = 1
),
items AS (
  SELECT * FROM posts
  UNION ALL
  SELECT * FROM comments
)
SELECT
  subreddit,
  DATE_TRUNC('hour', created_utc) AS hour_at,
  COUNT(*) AS item_count,
  SUM(CASE WHEN item_type = 'post' THEN 1 ELSE 0 END) AS post_count,
  SUM(CASE WHEN item_type = 'comment' THEN 1 ELSE 0 END) AS comment_count,
  AVG(sentiment_score) AS avg_sentiment_score,
  AVG(sentiment_comparative) AS avg_sentiment_comparative,
  AVG(CASE WHEN sentiment_label = 'positive' THEN 1.0 ELSE 0.0 END) AS positive_share,
  AVG(CASE WHEN sentiment_label = 'negative' THEN 1.0 ELSE 0.0 END) AS negative_share
FROM items
WHERE is_deleted = FALSE
GROUP BY subreddit, DATE_TRUNC('hour', created_utc)
