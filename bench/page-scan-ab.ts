/**
 * The ticker-page scanner (lambdas/core/page-scan.ts), or the scanned fill (lambdas/core/fill.ts), against
 * other versions of itself, in one process: every file of a bench archive, the versions alternating round
 * by round; prints each version's median time per record over the rounds after two warm-up rounds, and
 * its median ratio to the first version's round (the machine's speed drifts between rounds, the ratio of
 * neighbours less). For A/B measurements of the per-record code alone (docs/reprocess-performance.md), without the
 * rest of reprocess's work around it:
 *
 *   git show <commit>:lambdas/core/page-scan.ts > lambdas/core/page-scan-old.ts   # beside it: its imports resolve
 *   npx tsx bench/page-scan-ab.ts <archive> lambdas/core/page-scan-old.ts lambdas/core/page-scan.ts
 *
 * A version that exports `scannedFill` is a fill: it is timed with the scan (this checkout's scanner),
 * filling each page's records into one batch per 150 pages, which are one run of the generated bench
 * archive (its files sort run by run). Compare fills with fills; a fill takes its casts from its own
 * module, so give an old fill the old cast.ts too:
 *
 *   git show <commit>:lambdas/core/cast.ts > lambdas/core/cast-old.ts
 *   git show <commit>:lambdas/core/fill.ts | sed "s|from './cast';|from './cast-old';|" > lambdas/core/fill-old.ts
 *   npx tsx bench/page-scan-ab.ts <archive> lambdas/core/fill-old.ts lambdas/core/fill.ts
 *
 * Delete the *-old.ts files afterwards (git does not ignore them, and `npm test` type-checks them).
 *
 * `<archive>` is a lake root of raw ticker pages, such as bench/reprocess.ts's 300k-row one
 * (`$TMPDIR/fdl-bench-archives/3000`). Not part of `npm run bench`: a tool for changing the scanner.
 */
import { readdirSync, readFileSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { pathToFileURL } from 'node:url';
import { ColumnBuilder } from '../lambdas/core/columns';
import { CASTS, type ScannedFill } from '../lambdas/core/fill';
import { type ScannedRecords, scanPage } from '../lambdas/core/page-scan';
import { recordFields } from '../lambdas/core/transform';
import { median } from './types';

const ROUNDS = 12;
const WARM_UP = 2;
/** Pages per run of the bench archive: a fill writes each run into a batch of its own. */
const PAGES_PER_RUN = 150;

const [archive, ...versions] = process.argv.slice(2);
if (!archive || versions.length === 0) {
  process.stderr.write(
    'usage: npx tsx bench/page-scan-ab.ts <archive> <page-scan.ts or fill.ts> [<same kind> ...]\n',
  );
  process.exit(2);
}
type Scan = (bytes: Uint8Array) => { records: { count: number } } | undefined;
type FillModule = {
  CASTS: typeof CASTS;
  scannedFill: (fields: ReturnType<typeof recordFields>) => ScannedFill;
};
const modules: ({ scanPage: Scan } | FillModule)[] = await Promise.all(
  versions.map((v) => import(pathToFileURL(resolve(v)).href)),
);
/** The casts of this checkout's fields by identity, so a fill version gets its own module's casts. */
const typeOfCast = new Map(Object.entries(CASTS).map(([type, cast]) => [cast, type as keyof typeof CASTS]));
const runners = modules.map((m, k): ((page: Uint8Array, first: boolean) => number) => {
  if (!('scannedFill' in m)) {
    return (page) => {
      const scanned = m.scanPage(page);
      if (!scanned) throw new Error(`${versions[k]} did not scan a page of ${archive}`);
      return scanned.records.count;
    };
  }
  const fill = m.scannedFill(
    recordFields('coinlore_tickers').map((f) => ({ ...f, cast: m.CASTS[typeOfCast.get(f.cast)!] })),
  );
  if (typeof fill !== 'function')
    throw new Error(`${versions[k]}: scannedFill gave no fill for the tickers' fields (see its conditions)`);
  let batch = new ColumnBuilder('coinlore_tickers');
  return (page, first) => {
    if (first) batch = new ColumnBuilder('coinlore_tickers');
    const scanned = scanPage(page);
    if (!scanned) throw new Error(`this checkout's scanner did not scan a page of ${archive}`);
    const records: ScannedRecords = scanned.records;
    for (let r = 0; r < records.count; r++) {
      const at = batch.length;
      batch.reserve(at);
      // The bench archive's records all take the bytes path: a record that does not is a broken fill.
      if (!fill(records, r, batch.columns, at)) throw new Error(`${versions[k]} did not fill record ${r}`);
      batch.commit();
    }
    return records.count;
  };
});
const files = (readdirSync(archive, { recursive: true }) as string[])
  .filter((f) => f.endsWith('.json'))
  .sort()
  .map((f) => readFileSync(join(archive, f)));

const perRecord: number[][] = versions.map(() => []);
for (let round = 0; round < ROUNDS; round++)
  for (const [k, run] of runners.entries()) {
    const started = process.hrtime.bigint();
    let records = 0;
    for (const [i, file] of files.entries()) records += run(file, i % PAGES_PER_RUN === 0);
    if (round >= WARM_UP) perRecord[k]!.push(Number(process.hrtime.bigint() - started) / records);
  }
process.stdout.write(`${files.length} files, ${ROUNDS - WARM_UP} rounds after ${WARM_UP} warm-up rounds\n`);
for (const [k, v] of versions.entries()) {
  const ratio = median(perRecord[k]!.map((t, round) => t / perRecord[0]![round]!));
  process.stdout.write(
    `${v}: median ${median(perRecord[k]!).toFixed(0)} ns per record, ${ratio.toFixed(3)}× the first version's time (median of rounds)\n`,
  );
}
