/**
 * One reprocess worker thread: processes the run groups it was given with its own DuckDB writer and
 * posts progress (files read, batched) and the result back to cli/reprocess.ts.
 */
import { parentPort, workerData } from 'node:worker_threads';
import { type JobOptions, processGroups, type RunGroup } from './reprocess-core';

const { groups, job } = workerData as { groups: RunGroup[]; job: JobOptions };
let unreported = 0;
try {
  const result = await processGroups(groups, job, () => {
    // Batched: a message per file would cost more than the progress line is worth.
    if (++unreported >= 10) {
      parentPort!.postMessage({ read: unreported });
      unreported = 0;
    }
  });
  parentPort!.postMessage({ read: unreported, result });
} catch (err) {
  parentPort!.postMessage({ error: err instanceof Error ? (err.stack ?? err.message) : String(err) });
}
