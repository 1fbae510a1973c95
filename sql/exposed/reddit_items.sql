-- Grain: one row per Reddit post or comment (item_type, item_id): its latest extraction, deleted ones included.
-- Posts and comments are re-extracted while they are young (each run pages back over a lookback window),
-- and RAW is append-only, so each one is reduced to its latest extraction (natural key post_id /
-- comment_id), ties broken by the latest load. is_deleted is the latest version's: an item deleted since
-- an earlier extraction is marked deleted here. The sentiment views read this view, so the dedupe rule is
-- written once.
WITH posts AS (
  SELECT
    'post' AS item_type,
    post_id AS item_id,
    post_id,
    subreddit,
    created_utc,
    extracted_at,
    is_deleted,
    score,
    sentiment_score,
    sentiment_comparative,
    sentiment_label,
    mentioned_symbols
  FROM RAW.REDDIT_POSTS
  QUALIFY ROW_NUMBER() OVER (
    PARTITION BY post_id
    ORDER BY extracted_at DESC, loaded_at DESC, src_file DESC, file_row_number DESC
  ) = 1
),
comments AS (
  SELECT
    'comment' AS item_type,
    comment_id AS item_id,
    post_id,
    subreddit,
    created_utc,
    extracted_at,
    is_deleted,
    score,
    sentiment_score,
    sentiment_comparative,
    sentiment_label,
    mentioned_symbols
  FROM RAW.REDDIT_COMMENTS
  QUALIFY ROW_NUMBER() OVER (
    PARTITION BY comment_id
    ORDER BY extracted_at DESC, loaded_at DESC, src_file DESC, file_row_number DESC
  ) = 1
)
SELECT * FROM posts
UNION ALL
SELECT * FROM comments
