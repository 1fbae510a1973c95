#!/usr/bin/env node
// The functions that took the most time in a V8 CPU profile (`node --cpu-prof`), by self time, with
// their share of the thread's samples. Used for the profile shares quoted in README.md and docs/:
//
//   node --cpu-prof --cpu-prof-dir=/tmp/prof bin/fdl.mjs reprocess --raw <archive> --lake <out>
//   node bench/cpuprofile-top.mjs /tmp/prof/<file>.cpuprofile [rows (default 25)]
//
// `--cpu-prof` profiles the main thread only. Samples are wall-clock: time the thread spent waiting
// for a core counts against the function it was in.
import { readFileSync } from 'node:fs';

const [file, rows = '25'] = process.argv.slice(2);
if (!file) {
  process.stderr.write('usage: node bench/cpuprofile-top.mjs <file.cpuprofile> [rows]\n');
  process.exit(2);
}
const profile = JSON.parse(readFileSync(file, 'utf8'));
const nodes = new Map(profile.nodes.map((n) => [n.id, n]));
const self = new Map();
let total = 0;
profile.samples.forEach((id, i) => {
  const { functionName, url, lineNumber } = nodes.get(id).callFrame;
  const key = `${functionName || '(anonymous)'} ${url.split('/').pop()}:${lineNumber + 1}`;
  const us = profile.timeDeltas[i];
  self.set(key, (self.get(key) ?? 0) + us);
  total += us;
});
process.stdout.write(`${(total / 1000).toFixed(0)} ms of samples\n`);
for (const [key, us] of [...self].sort((a, b) => b[1] - a[1]).slice(0, Number(rows))) {
  const share = `${((100 * us) / total).toFixed(1)} %`;
  process.stdout.write(`${(us / 1000).toFixed(0).padStart(8)} ms ${share.padStart(7)}  ${key}\n`);
}
