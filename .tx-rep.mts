import { reprocess } from './cli/reprocess';
import { FsLakeStore } from './lambdas/adapters/fs-lake-store';
import { rawKey } from './lambdas/core/lake';
import { tickersPage } from './bench/transform';
import { rm } from 'node:fs/promises';
const root = '/tmp/tx/rep'; await rm(root, {recursive: true, force: true});
const lake = new FsLakeStore(root);
const P = new Date('2026-11-24T10:20:00.000Z');
for (let run = 0; run < 2; run++) { const at = new Date(P.getTime() + run*600000); for (let p = 0; p < 100; p++) await lake.put(rawKey('coinlore','tickers',at,`p${p}`), JSON.stringify(tickersPage(p))); }
for (let i = 0; i < 5; i++) { const t = performance.now(); const r = await reprocess({ rawDir: root, lakeDir: root + '/out' }); console.log((performance.now()-t).toFixed(0), 'ms', r.datasets.map(d => [d.rows, d.seconds.toFixed(3)])); }
