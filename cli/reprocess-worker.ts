/**
 * One reprocess worker thread: claims run groups from the job's shared queue, processes them and
 * posts progress (files read, batched) and the result back to cli/reprocess.ts.
 * Runs from an esbuild bundle of this module (see workerScript in reprocess.ts), or through tsx
 * (reprocess-worker.mjs) when the bundle cannot be built.
 */
import { parentPort, workerData } from 'node:worker_threads';
import { processGroups } from './reprocess-core';
import { claimFrom, type JobOptions, type RunGroup } from './reprocess-job';

const { groups, job, counter } = workerData as {
  groups: RunGroup[];
  job: JobOptions;
  counter: SharedArrayBuffer;
};
let unreported = 0;
try {
  const result = await processGroups(claimFrom(groups, new Int32Array(counter)), job, () => {
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
