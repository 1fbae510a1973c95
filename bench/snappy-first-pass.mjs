#!/usr/bin/env node
// The child of bench/parquet-codec.ts: one Snappy implementation's first pass over one run's column
// pages, in a fresh process (cold JIT, as in a new Lambda). Prints {firstMs} as JSON. Plain JavaScript:
// no TypeScript loader in the measured process.
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
// WebAssembly instance is timed: the writer makes one per file, before its pages.
const hysnappy = codec === 'hysnappy' ? await import('hysnappy') : undefined;
const snappyjs = codec === 'snappyjs' ? (await import('snappyjs')).default : undefined;
const t0 = performance.now();
const compress = hysnappy ? hysnappy.snappyCompressor() : snappyjs.compress;
for (const page of pages) compress(page);
process.stdout.write(JSON.stringify({ firstMs: performance.now() - t0 }));
