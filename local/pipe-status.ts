/**
 * The local Snowpipe's health per dataset, through the same pure check as the cloud
 * (ops/ingestion-check.ts): the lake listing is the "files in S3", the load history and load errors are
 * COPY_HISTORY's 'Loaded' and 'Load failed' rows, and the pipe state is the twin's. `fdl status` shows it.
 */
import type { LakeObject, LakeStore } from '../lambdas/adapters/lake-store';
import { DATASET_NAMES, type DatasetName } from '../lambdas/core/datasets';
import {
  type CopyHistoryEntry,
  type DatasetIngestion,
  findings,
  type HealthLimits,
  reconcile,
} from '../ops/ingestion-check';
import { listDatasetFiles } from './snowpipe';
import { LOAD_ERRORS_TABLE, LOAD_HISTORY_TABLE, type Warehouse } from './warehouse';

/**
 * The twin's pipe states: RUNNING once the warehouse (with its load history) exists, NOT_CREATED before
 * the first `fdl run` or `fdl load`. The local pipe runs when those commands run, not continuously.
 */
export type LocalPipeState = 'RUNNING' | 'NOT_CREATED';

/**
 * Locally, files wait for the next `fdl run`/`fdl load`, not for a continuously running pipe, and a twin
 * left alone for days is not stale: only unloaded and failed files are findings.
 */
const LOCAL_LIMITS: HealthLimits = {
  maxPendingFiles: Number.POSITIVE_INFINITY,
  maxIngestAgeMinutes: Number.POSITIVE_INFINITY,
};

export interface LocalPipeStatus {
  readonly dataset: DatasetName;
  readonly pipeState: LocalPipeState;
  readonly filesInLake: number;
  readonly filesLoaded: number;
  /** Files neither loaded nor failed: the next load picks them up. */
  readonly filesUnloaded: number;
  /** The unloaded file written first, when any. */
  readonly oldestUnloaded?: { readonly file: string; readonly lastModified: string };
  /** Files the local Snowpipe could not load, with their first error. */
  readonly loadErrors: readonly { readonly file: string; readonly error: string }[];
  readonly lastLoadedAt?: string;
  /** One line per finding of the shared check (pipe not created, file not loaded, load failed). */
  readonly problems: readonly string[];
}

const iso = (v: unknown) => `${String(v).slice(0, 19).replace(' ', 'T')}Z`;

/** Status of every dataset's local pipe. `wh` undefined: no warehouse yet. */
export async function localPipeStatus(
  lake: LakeStore | undefined,
  wh: Warehouse | undefined,
  now: Date,
): Promise<LocalPipeStatus[]> {
  const out: LocalPipeStatus[] = [];
  for (const dataset of DATASET_NAMES) {
    const files: LakeObject[] = lake ? await listDatasetFiles(lake, dataset) : [];
    const loadedRows = wh
      ? await wh.query(
          `SELECT src_file, row_count, loaded_at FROM ${LOAD_HISTORY_TABLE} WHERE dataset = '${dataset}'`,
        )
      : [];
    const errorRows = wh
      ? await wh.query(
          `SELECT src_file, first_error, attempted_at FROM ${LOAD_ERRORS_TABLE} WHERE dataset = '${dataset}' ORDER BY src_file`,
        )
      : [];
    const history: CopyHistoryEntry[] = [
      ...loadedRows.map((r) => ({
        fileName: String(r.src_file),
        status: 'Loaded',
        rowCount: Number(r.row_count),
      })),
      ...errorRows.map((r) => ({
        fileName: String(r.src_file),
        status: 'Load failed',
        rowCount: 0,
        firstErrorMessage: String(r.first_error),
      })),
    ];
    const lastLoadedAt = loadedRows.reduce<string | undefined>((max, r) => {
      const at = iso(r.loaded_at);
      return max === undefined || at > max ? at : max;
    }, undefined);
    const result: DatasetIngestion = reconcile({
      dataset,
      pipe: {
        executionState: wh ? 'RUNNING' : 'NOT_CREATED',
        pendingFileCount: 0,
        ...(lastLoadedAt ? { lastIngestedTimestamp: lastLoadedAt } : {}),
      },
      history,
      lakeFiles: files,
      // All time, no grace: the local pipe has loaded everything it will until the next run.
      window: { start: new Date(0), end: now, graceMinutes: 0 },
    });
    const failed = new Set(result.failed.map((f) => f.file));
    const unloaded = files
      .filter((f) => result.missing.includes(f.key.slice(dataset.length + 1)))
      .filter((f) => !failed.has(f.key.slice(dataset.length + 1)))
      .sort((a, b) => a.lastModified.getTime() - b.lastModified.getTime() || (a.key < b.key ? -1 : 1));
    const oldest = unloaded[0];
    out.push({
      dataset,
      pipeState: wh ? 'RUNNING' : 'NOT_CREATED',
      filesInLake: files.length,
      filesLoaded: result.filesLoaded,
      filesUnloaded: unloaded.length,
      ...(oldest
        ? { oldestUnloaded: { file: oldest.key, lastModified: oldest.lastModified.toISOString() } }
        : {}),
      loadErrors: errorRows.map((r) => ({ file: String(r.src_file), error: String(r.first_error) })),
      ...(lastLoadedAt ? { lastLoadedAt } : {}),
      problems: findings(result, LOCAL_LIMITS).map((f) => f.message),
    });
  }
  return out;
}
