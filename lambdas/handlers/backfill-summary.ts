/**
 * backfill-summary: the last step of a backfill. Reads the Distributed Map's ResultWriter manifest and
 * every result file it lists (SUCCEEDED, FAILED, PENDING), and adds them up: batches, items, rows,
 * rejects and skipped envelopes per dataset, and the failed batches with the runs they held (what to
 * rebuild again). The state machine alerts when any batch failed.
 */
import { textOf } from '../adapters/lake-store';
import type { RunContext } from '../contracts';
import {
  type BackfillSummary,
  type ChildExecutionRecord,
  type ResultManifest,
  summarizeResults,
} from '../core/backfill';
import { ConfigError } from '../core/errors';
import type { HandlerDeps } from '../deps';
import { lambdaHandler } from './aws-deps';
import { withRunContext } from './run-logger';

export interface BackfillSummaryInput extends RunContext {
  /** Lake key of the ResultWriter's manifest.json (ResultWriterDetails.Key). */
  readonly resultsManifestKey: string;
}

export interface BackfillSummaryOutput extends BackfillSummary {
  readonly backfillId: string;
  readonly resultsManifestKey: string;
}

const text = async (deps: HandlerDeps, key: string) => textOf(await deps.lake.get(key));

export function createBackfillSummary(
  deps: HandlerDeps,
): (input: BackfillSummaryInput) => Promise<BackfillSummaryOutput> {
  return async (input) => {
    if (typeof input.resultsManifestKey !== 'string' || input.resultsManifestKey === '')
      throw new ConfigError(
        'backfill-summary: "resultsManifestKey" (the ResultWriter manifest key) is required',
      );
    const logger = withRunContext(deps.logger, { run_id: input.runId, function: 'backfill-summary' });
    const manifest = JSON.parse(await text(deps, input.resultsManifestKey)) as ResultManifest;
    const records: ChildExecutionRecord[] = [];
    for (const files of Object.values(manifest.ResultFiles ?? {}))
      for (const f of files) records.push(...(JSON.parse(await text(deps, f.Key)) as ChildExecutionRecord[]));
    const summary = summarizeResults(records);
    logger.info('backfill summarized', { ...summary, failures: summary.failures.length });
    return { backfillId: input.runId, resultsManifestKey: input.resultsManifestKey, ...summary };
  };
}

/** The Lambda entry point. */
export const handler = lambdaHandler(
  'backfill-summary',
  createBackfillSummary,
  (out: BackfillSummaryOutput) => ({
    BackfillRows: out.rows,
    BackfillItemsFailed: out.itemsFailed,
  }),
);
