#!/usr/bin/env node
// The child of bench/transform.ts: one run's transforms through the shipped Lambda bundle, in a fresh
// process with no TypeScript loader (a Lambda container runs plain JavaScript: a loader would add its
// own start-up, memory and stack-trace costs to what is measured).
//
//   node bench/transform-lambda.mjs <bundle dir holding transform.mjs> <raw dir>
//   node bench/transform-lambda.mjs --floor <raw dir>
//
// <raw dir> holds tickers/*.json and comments/*.json (raw envelopes, as S3 holds them). They are read
// into an in-memory lake first (S3's latency is not the code's), then the tickers batch and the comments
// batch are transformed as two invocations would: cold (first in the process, no JIT yet), then 5 warm
// repeats. Prints {coldMs, warmMedianMs, maxRssMb, rows} as JSON.
//
// --floor is the anchor: the same fresh process and in-memory objects, but only decoding and
// JSON.parse of every raw object (work any transform of these files must do), timed the same way.
import { existsSync, readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { pathToFileURL } from 'node:url';

const floor = process.argv[2] === '--floor';
const [bundleDir, rawDir] = floor ? [undefined, process.argv[3]] : process.argv.slice(2);
const bundleFile = bundleDir && join(bundleDir, 'transform.mjs');
if ((!floor && !bundleDir) || !rawDir || (bundleFile && !existsSync(bundleFile))) {
  if (bundleFile && !existsSync(bundleFile))
    process.stderr.write(`no ${bundleFile}: build one with node lambdas/build.mjs <dir>\n`);
  process.stderr.write(
    'usage: node bench/transform-lambda.mjs <bundle dir holding transform.mjs> <raw dir>\n' +
      '       node bench/transform-lambda.mjs --floor <raw dir>\n',
  );
  process.exit(2);
}
const objects = new Map();
const keys = (prefix) => [...objects.keys()].filter((k) => k.startsWith(prefix)).sort();
const lake = {
  location: 'memory:',
  put: async (key, body) => void objects.set(key, typeof body === 'string' ? Buffer.from(body) : body),
  get: async (key) => {
    const body = objects.get(key);
    if (!body) throw new Error(`no object ${key}`);
    return body;
  },
  list: async (prefix) => keys(prefix),
  listObjects: async (prefix) =>
    keys(prefix).map((key) => ({ key, size: objects.get(key).length, lastModified: new Date(0) })),
};
const load = (folder) =>
  readdirSync(join(rawDir, folder))
    .sort()
    .map((name) => {
      const key = `raw/bench/${folder}/${name}`;
      objects.set(key, readFileSync(join(rawDir, folder, name)));
      return key;
    });
const tickerKeys = load('tickers');
const commentKeys = load('comments');

if (floor) {
  const parseAll = () => {
    const t0 = performance.now();
    let rows = 0;
    for (const key of [...tickerKeys, ...commentKeys]) {
      const body = JSON.parse(objects.get(key).toString('utf8')).response.body;
      rows += (body.data?.children ?? body.data ?? []).length;
    }
    return { ms: performance.now() - t0, rows };
  };
  const cold = parseAll();
  const maxRssMb = process.resourceUsage().maxRSS / 1024;
  const warm = [0, 1, 2, 3, 4].map(() => parseAll().ms).sort((a, b) => a - b);
  process.stdout.write(JSON.stringify({ coldMs: cold.ms, warmMedianMs: warm[2], maxRssMb, rows: cold.rows }));
  process.exit(0);
}

const { createTransform } = await import(pathToFileURL(bundleFile).href);
const silent = { debug() {}, info() {}, warn() {}, error() {} };
const transform = createTransform({ lake, logger: silent });
const partitionTime = '2026-11-24T10:20:00.000Z';
const once = async () => {
  const t0 = performance.now();
  const tickers = await transform({
    dataset: 'coinlore_tickers',
    rawKeys: tickerKeys,
    runId: 'bench',
    partitionTime,
  });
  const comments = await transform({
    dataset: 'reddit_comments',
    rawKeys: commentKeys,
    runId: 'bench',
    partitionTime,
  });
  const ms = performance.now() - t0;
  if (!tickers.key || !comments.key) throw new Error('no Parquet output');
  return { ms, rows: tickers.rows + comments.rows };
};
const cold = await once();
// Peak RSS of one run (what one Lambda invocation needs), before the warm repeats add garbage.
const maxRssMb = process.resourceUsage().maxRSS / 1024;
const warm = [];
for (let i = 0; i < 5; i++) warm.push((await once()).ms);
warm.sort((a, b) => a - b);
process.stdout.write(JSON.stringify({ coldMs: cold.ms, warmMedianMs: warm[2], maxRssMb, rows: cold.rows }));
