#!/usr/bin/env node
// Only reading and `JSON.parse` of every raw file of a ticker archive, split over worker threads,
// nothing else (no transform, no Parquet, no writes): the floor under `fdl reprocess` before it scanned
// ticker pages instead of parsing them. Quoted in docs/reprocess-performance.md ("Where the time goes"); not part of
// `npm run bench`'s table.
//
//   node bench/parse-floor.mjs <archive dir> [threads]
//
// The archive is one bench/reprocess.ts generates (${TMPDIR:-/tmp}/fdl-bench-archives/<envelopes>).
// Threads default to one per core, which is what reprocess uses on the bench archives up to its cap
// (MAX_THREADS in cli/reprocess.ts, threadsFor); above that, pass the count. Files are read as Latin-1, as reprocess reads pure-ASCII files,
// but without its ASCII check, so this floor is slightly low. The time includes the workers' start-up.
import { readdirSync, readFileSync } from 'node:fs';
import { availableParallelism } from 'node:os';
import { join } from 'node:path';
import { isMainThread, parentPort, Worker, workerData } from 'node:worker_threads';

function jsonFiles(dir, out = []) {
  for (const e of readdirSync(dir, { withFileTypes: true })) {
    const path = join(dir, e.name);
    if (e.isDirectory()) jsonFiles(path, out);
    else if (path.endsWith('.json')) out.push(path);
  }
  return out;
}

if (isMainThread) {
  const [dir, threadsArg] = process.argv.slice(2);
  const threads = threadsArg === undefined ? availableParallelism() : Number(threadsArg);
  if (!dir || !Number.isInteger(threads) || threads < 1) {
    process.stderr.write(
      'usage: node bench/parse-floor.mjs <archive dir> [threads ≥ 1, default: one per core]\n',
    );
    process.exit(2);
  }
  let files;
  try {
    files = jsonFiles(dir);
  } catch (err) {
    process.stderr.write(`parse-floor: cannot list ${dir} (${err.code ?? err.message})\n`);
    process.exit(2);
  }
  if (files.length === 0) {
    process.stderr.write(
      `parse-floor: no .json file under ${dir}; generate one with npx tsx bench/reprocess.ts\n`,
    );
    process.exit(1);
  }
  const started = performance.now();
  const counts = await Promise.all(
    Array.from(
      { length: threads },
      (_, i) =>
        new Promise((resolve, reject) => {
          const worker = new Worker(new URL(import.meta.url), {
            workerData: files.filter((_, j) => j % threads === i),
          });
          worker.once('message', resolve);
          worker.once('error', reject);
        }),
    ),
  );
  const seconds = (performance.now() - started) / 1000;
  const rows = counts.reduce((a, b) => a + b, 0);
  if (rows === 0) {
    process.stderr.write(`parse-floor: ${files.length} files but no ticker rows: not a ticker archive\n`);
    process.exit(1);
  }
  process.stdout.write(
    `${files.length} files, ${rows} rows, ${threads} thread(s): ${seconds.toFixed(2)} s, ` +
      `${Math.round(rows / seconds)} rows/s\n`,
  );
} else {
  let rows = 0;
  for (const path of workerData) {
    const body = JSON.parse(readFileSync(path, 'latin1')).response?.body;
    if (Array.isArray(body?.data)) rows += body.data.length;
  }
  parentPort.postMessage(rows);
}
