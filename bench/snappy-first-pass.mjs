#!/usr/bin/env node
// The child of bench/parquet-codec.ts: one Snappy implementation's first pass over one run's column
// pages, in a fresh process (cold JIT, as in a new Lambda), then a second pass. Prints
// {firstMs, secondMs, bytesOut} as JSON. Plain JavaScript: no TypeScript loader in the measured process.
//
//   node bench/snappy-first-pass.mjs <hysnappy|snappyjs> <pages file>
//
// <pages file> holds the pages one after another, each after its length (u32, little-endian).
import { readFileSync } from 'node:fs';

const [codec, file] = process.argv.slice(2);
if (!['hysnappy', 'snappyjs'].includes(codec) || !file) {
  process.stderr.write('usage: node bench/snappy-first-pass.mjs <hysnappy|snappyjs> <pages file>\n');
  process.exit(2);
}
const all = readFileSync(file);
const pages = [];
for (let at = 0; at < all.length; ) {
  const n = all.readUInt32LE(at);
  pages.push(all.subarray(at + 4, at + 4 + n));
  at += 4 + n;
}
// Loading the module is not timed: a Lambda loads it at init, before its first event. Making hysnappy's
// instance is not timed either (about a millisecond: a 2 KB module), as the writer makes it once.
// hysnappy's snappyCompress makes a new WebAssembly instance per call; the writer makes one and keeps it.
const compress =
  codec === 'hysnappy'
    ? (await import('hysnappy')).snappyCompressor()
    : (await import('snappyjs')).default.compress;
const pass = () => {
  const t0 = performance.now();
  let bytesOut = 0;
  for (const page of pages) bytesOut += compress(page).length;
  return { ms: performance.now() - t0, bytesOut };
};
const first = pass();
const second = pass();
process.stdout.write(JSON.stringify({ firstMs: first.ms, secondMs: second.ms, bytesOut: first.bytesOut }));
