-- Grain: one row per dataset per hour (hour_at: UTC hour the rows were extracted) with at least one loaded row.
-- By extraction time, not by when the files were written: a replay or a backfill writes many hours of data
-- in one go, and only the extraction time says which hours the warehouse actually covers.
-- file_count counts distinct files loaded; a file loaded twice counts once but its rows twice, so
-- row_count > rows written points at duplicate loads (which the other EXPOSED views remove).
-- One branch per dataset: test/snowflake checks that every dataset in lambdas/core/datasets.ts is here.
WITH loads AS (
  SELECT 'coinlore_tickers' AS dataset, src_file, extracted_at, loaded_at FROM RAW.COINLORE_TICKERS
  UNION ALL
  SELECT 'coinlore_global' AS dataset, src_file, extracted_at, loaded_at FROM RAW.COINLORE_GLOBAL
  UNION ALL
  SELECT 'reddit_posts' AS dataset, src_file, extracted_at, loaded_at FROM RAW.REDDIT_POSTS
  UNION ALL
  SELECT 'reddit_comments' AS dataset, src_file, extracted_at, loaded_at FROM RAW.REDDIT_COMMENTS
)
SELECT
  dataset,
  DATE_TRUNC('hour', extracted_at) AS hour_at,
  COUNT(DISTINCT src_file) AS file_count,
  COUNT(*) AS row_count,
  MAX(extracted_at) AS last_extracted_at,
  MIN(loaded_at) AS first_loaded_at,
  MAX(loaded_at) AS last_loaded_at
FROM loads
GROUP BY dataset, DATE_TRUNC('hour', extracted_at)
