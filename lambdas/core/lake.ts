/**
 * Lake layout. The dataset comes first in every key so that each dataset has its own S3 prefix: S3 allows
 * one notification configuration per bucket and rejects overlapping prefix rules, so per-dataset SNS
 * topics (and Snowpipes) are only routable this way. Keys depend only on their inputs (deterministic):
 * a rerun of the same partition time overwrites the same object instead of duplicating it.
 */
import type { DatasetName } from './datasets';

export const RAW_PREFIX = 'raw/';
export const REJECTS_PREFIX = 'rejects/';

/** Suffix of every dataset file (the lake bucket notification filters on it). */
export const DATASET_FILE_SUFFIX = '.parquet';

/** `<dataset>/`: the key prefix of a dataset's files; the one S3 notification routes each to its topic. */
export function datasetPrefix(dataset: DatasetName): string {
  return `${dataset}/`;
}

const pad = (n: number, width = 2) => String(n).padStart(width, '0');

/** year=YYYY/month=MM/day=DD for a UTC time. */
export function hivePartition(at: Date): string {
  return `year=${at.getUTCFullYear()}/month=${pad(at.getUTCMonth() + 1)}/day=${pad(at.getUTCDate())}`;
}

/** YYYYMMDD_HHMM for a UTC time. */
export function stamp(at: Date): string {
  return `${at.getUTCFullYear()}${pad(at.getUTCMonth() + 1)}${pad(at.getUTCDate())}_${pad(at.getUTCHours())}${pad(at.getUTCMinutes())}`;
}

/** Where backfills keep their manifests and Distributed Map results: `backfill/<backfill id>/…`. */
export const BACKFILL_PREFIX = 'backfill/';

/** A rebuild tag (the backfill's execution name): what may follow `_` in a dataset file name. */
export const REBUILD_TAG = /^[A-Za-z0-9-]{1,80}$/;

/**
 * `_<rebuild>` for a backfill's files, '' for the pipeline's. A rebuild writes NEW keys because Snowpipe
 * never loads a file name twice (docs/backfill.md); `_` sorts after `.`, so a rebuilt file's name also
 * sorts after the original's (the views' last tie-break).
 */
function rebuildSuffix(rebuild: string | undefined): string {
  if (rebuild === undefined) return '';
  if (!REBUILD_TAG.test(rebuild))
    throw new Error(`rebuild tag must match ${REBUILD_TAG.source}, got "${rebuild}"`);
  return `_${rebuild}`;
}

/**
 * `<dataset>/year=YYYY/month=MM/day=DD/<dataset>_YYYYMMDD_HHMM.parquet`; with a rebuild tag (a backfill)
 * `…/<dataset>_YYYYMMDD_HHMM_<rebuild>.parquet`.
 */
export function datasetKey(dataset: DatasetName, partitionTime: Date, rebuild?: string): string {
  return `${dataset}/${hivePartition(partitionTime)}/${dataset}_${stamp(partitionTime)}${rebuildSuffix(rebuild)}.parquet`;
}

/** `rejects/<dataset>/year=…/<dataset>_YYYYMMDD_HHMM[_<rebuild>].jsonl`: rows that failed checks, each with its reason. */
export function rejectsKey(dataset: DatasetName, partitionTime: Date, rebuild?: string): string {
  return `${REJECTS_PREFIX}${dataset}/${hivePartition(partitionTime)}/${dataset}_${stamp(partitionTime)}${rebuildSuffix(rebuild)}.jsonl`;
}

/**
 * `raw/<source>/<endpoint>/year=…/<source>_<endpoint>_YYYYMMDD_HHMM_<part>.json`
 * `part` distinguishes the envelopes of one run (page number, subreddit and page, …): [a-z0-9_-] only.
 */
export function rawKey(source: string, endpoint: string, partitionTime: Date, part: string): string {
  if (!/^[A-Za-z0-9_-]+$/.test(part)) throw new Error(`raw key part must be [A-Za-z0-9_-]+, got "${part}"`);
  return `${RAW_PREFIX}${source}/${endpoint}/${hivePartition(partitionTime)}/${source}_${endpoint}_${stamp(partitionTime)}_${part}.json`;
}
