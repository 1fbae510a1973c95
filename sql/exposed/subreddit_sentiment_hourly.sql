-- Grain: one row per subreddit per hour (hour_at: UTC hour the post or comment was created) with at least
-- one live (not deleted) post or comment.
-- Reads EXPOSED.REDDIT_ITEMS (each post and comment at its latest extraction), so an item whose latest
-- version is deleted no longer counts.
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
FROM EXPOSED.REDDIT_ITEMS
WHERE is_deleted = FALSE
GROUP BY subreddit, DATE_TRUNC('hour', created_utc)
