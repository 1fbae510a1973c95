-- Grain: one row per extraction (extracted_at) of the whole market, duplicates from repeated loads removed.
SELECT
  extracted_at,
  coins_count,
  active_markets,
  total_mcap,
  total_volume,
  btc_d,
  eth_d,
  mcap_change,
  volume_change,
  avg_change_percent,
  volume_ath,
  mcap_ath,
  run_id
FROM RAW.COINLORE_GLOBAL
QUALIFY ROW_NUMBER() OVER (
  PARTITION BY extracted_at
  ORDER BY loaded_at DESC, src_file DESC, file_row_number DESC
) = 1
