/**
 * backfill-plan: the first step of a backfill (statemachines/backfill.asl.json). Lists the raw archive for
 * the requested time range and datasets (one listing per dataset and UTC day), groups the envelopes into
 * items, one per dataset and run (what the pipeline's transform received for that run), and writes them
 * as a JSON array to `backfill/<id>/manifest.json`, which the Distributed Map reads with ItemReader.
 * Returns counts and keys only.
 */
import {
  type BackfillPlan,
  type BackfillPlanInput,
  describePlan,
  parseBackfillRequest,
  planItems,
  rawPrefixes,
} from '../core/backfill';
import type { HandlerDeps } from '../deps';
import { lambdaHandler } from './aws-deps';
import { withRunContext } from './run-logger';

/** Day prefixes listed at once: a year is ~365 × datasets listings. */
const LIST_CONCURRENCY = 8;

export function createBackfillPlan(deps: HandlerDeps): (input: BackfillPlanInput) => Promise<BackfillPlan> {
  return async (input) => {
    const req = parseBackfillRequest(input);
    const logger = withRunContext(deps.logger, { run_id: req.backfillId, function: 'backfill-plan' });
    const prefixes = rawPrefixes(req);
    const listed: string[][] = new Array(prefixes.length);
    let next = 0;
    await Promise.all(
      Array.from({ length: Math.min(LIST_CONCURRENCY, prefixes.length) }, async () => {
        while (next < prefixes.length) {
          const i = next++;
          listed[i] = await deps.lake.list(prefixes[i]!);
        }
      }),
    );
    const items = planItems(req, listed.flat());
    const plan = describePlan(req, items);
    await deps.lake.put(plan.manifestKey, JSON.stringify(items), 'application/json');
    logger.info('backfill planned', { ...plan, prefixes: prefixes.length });
    return plan;
  };
}

/** The Lambda entry point. */
export const handler = lambdaHandler('backfill-plan', createBackfillPlan, (out: BackfillPlan) => ({
  BackfillItems: out.items,
  BackfillRawObjects: out.rawObjects,
}));
