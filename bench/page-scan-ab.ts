/**
 * The ticker-page scanner (lambdas/core/page-scan.ts) against another version of itself, in one process:
 * `scanPage` over every file of a bench archive, the versions alternating round by round; prints each
 * version's median time per record over the rounds after two warm-up rounds. For A/B measurements of
 * the scanner alone (docs/reprocess.md), without the rest of reprocess's per-row work around it:
 *
 *   git show <commit>:lambdas/core/page-scan.ts > lambdas/core/page-scan-old.ts   # beside it: its imports resolve
 *   npx tsx bench/page-scan-ab.ts <archive> lambdas/core/page-scan-old.ts lambdas/core/page-scan.ts
 *
 * `<archive>` is a lake root of raw ticker pages, such as bench/reprocess.ts's 300k-row one
 * (`$TMPDIR/fdl-bench-archives/3000`). Not part of `npm run bench`: a tool for changing the scanner.
 */
import { readdirSync, readFileSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { pathToFileURL } from 'node:url';
import { median } from './types';

const ROUNDS = 12;
const WARM_UP = 2;

const [archive, ...versions] = process.argv.slice(2);
if (!archive || versions.length === 0) {
  process.stderr.write(
    'usage: npx tsx bench/page-scan-ab.ts <archive> <page-scan.ts> [<page-scan.ts> ...]\n',
  );
  process.exit(2);
}
type Scanner = { scanPage(bytes: Uint8Array): { records: { count: number } } | undefined };
const scanners: Scanner[] = await Promise.all(versions.map((v) => import(pathToFileURL(resolve(v)).href)));
const files = (readdirSync(archive, { recursive: true }) as string[])
  .filter((f) => f.endsWith('.json'))
  .map((f) => readFileSync(join(archive, f)));

const perRecord: number[][] = versions.map(() => []);
for (let round = 0; round < ROUNDS; round++)
  for (const [k, scanner] of scanners.entries()) {
    const started = process.hrtime.bigint();
    let records = 0;
    for (const file of files) {
      const page = scanner.scanPage(file);
      if (!page) throw new Error(`${versions[k]} did not scan a page of ${archive}`);
      records += page.records.count;
    }
    if (round >= WARM_UP) perRecord[k]!.push(Number(process.hrtime.bigint() - started) / records);
  }
process.stdout.write(`${files.length} files, ${ROUNDS - WARM_UP} rounds after ${WARM_UP} warm-up rounds\n`);
for (const [k, v] of versions.entries())
  process.stdout.write(`${v}: median ${median(perRecord[k]!).toFixed(0)} ns per record\n`);
