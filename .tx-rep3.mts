import { readdir, readFile } from 'node:fs/promises';
import { join } from 'node:path';
import { DuckDbParquetWriter } from './lambdas/adapters/duckdb-parquet';
const root = '/tmp/tx/rep/raw/';
for (let k = 0; k < 4; k++) {
let t = performance.now();
const files = (await readdir(root, { recursive: true })).filter(f => f.endsWith('.json'));
console.log('readdir', (performance.now()-t).toFixed(1)); t = performance.now();
const w = await DuckDbParquetWriter.create();
console.log('duck create', (performance.now()-t).toFixed(1)); t = performance.now();
w.close();
console.log('duck close', (performance.now()-t).toFixed(1)); t = performance.now();
let next = 0; const texts: string[] = [];
await Promise.all(Array.from({length: 16}, async () => { while (next < files.length) { const f = files[next++]; texts.push(await readFile(join(root, f), 'utf8')); } }));
console.log('read16', (performance.now()-t).toFixed(1)); t = performance.now();
await Promise.all(files.map(f => readFile(join(root, f), 'utf8')));
console.log('readall', (performance.now()-t).toFixed(1));
}
