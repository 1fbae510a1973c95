/**
 * One reprocess worker thread: for each window of run groups cli/reprocess.ts posts to it, claims
 * groups from that window's shared queue, processes them and posts progress (files read, batched) and
 * the window's result back; `{ end: true }` lets it exit.
 * Runs from an esbuild bundle of this module (see cli/kit/worker-bundle.ts), or through tsx
 * (reprocess-worker.mjs) when the bundle cannot be built.
 */
import { parentPort, workerData } from 'node:worker_threads';
import { processGroups } from './reprocess-core';
import { claimFrom, type JobOptions, type RunGroup } from './reprocess-job';

const { job } = workerData as { job: JobOptions };
const port = parentPort!;
type Message = { groups?: RunGroup[]; counter?: SharedArrayBuffer; end?: true };
// One message at a time, in order: a handler awaits its writes, and the next must not start meanwhile.
let queue = Promise.resolve();
port.on('message', (m: Message) => {
  queue = queue.then(() => handle(m));
});

async function handle(m: Message): Promise<void> {
  if (m.end) {
    port.close();
    return;
  }
  let unreported = 0;
  try {
    const result = await processGroups(claimFrom(m.groups!, new Int32Array(m.counter!)), job, () => {
      // Batched: a message per file would cost more than the progress line is worth.
      if (++unreported >= 10) {
        port.postMessage({ read: unreported });
        unreported = 0;
      }
    });
    port.postMessage({ read: unreported, result });
  } catch (err) {
    port.postMessage({ error: err instanceof Error ? (err.stack ?? err.message) : String(err) });
  }
}
