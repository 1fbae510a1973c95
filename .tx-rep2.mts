import { readdir, readFile, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { transformEnvelopes } from './lambdas/core/transform';
import { DuckDbParquetWriter } from './lambdas/adapters/duckdb-parquet';
import { DuckDBInstance } from '@duckdb/node-api';
const root = '/tmp/tx/rep/raw';
const files = (await readdir(root, { recursive: true })).filter(f => f.endsWith('.json')).map(f => join(root, f));
const w = await DuckDbParquetWriter.create();
const inst = await DuckDBInstance.create(); const c = await inst.connect();
for (let k = 0; k < 5; k++) {
  let t = performance.now(); const T0 = t;
  const texts = await Promise.all(files.map(f => readFile(f, 'utf8')));
  const tRead = performance.now() - t; t = performance.now();
  const envs = texts.map((x, i) => ({ key: files[i], envelope: JSON.parse(x) }));
  const tParse = performance.now() - t; t = performance.now();
  const res = transformEnvelopes('coinlore_tickers', envs, { runId: 'r' });
  const tTx = performance.now() - t; t = performance.now();
  await w.write('coinlore_tickers', res.rows, '/tmp/tx/rep-out.parquet');
  const tW = performance.now() - t; t = performance.now();
  const js = res.rows.map(r => JSON.stringify(r)).join('\n');
  const tS = performance.now() - t; t = performance.now();
  await writeFile('/tmp/tx/stage.jsonl', js);
  await c.run(`COPY (SELECT * FROM read_json('/tmp/tx/stage.jsonl', format='newline_delimited', columns={record_id:'VARCHAR', run_id:'VARCHAR', extracted_at:'TIMESTAMP_MS', coin_id:'VARCHAR', symbol:'VARCHAR', name:'VARCHAR', nameid:'VARCHAR', rank:'BIGINT', price_usd:'DOUBLE', price_btc:'DOUBLE', percent_change_1h:'DOUBLE', percent_change_24h:'DOUBLE', percent_change_7d:'DOUBLE', market_cap_usd:'DOUBLE', volume24:'DOUBLE', volume24a:'DOUBLE', csupply:'DOUBLE', tsupply:'DOUBLE', msupply:'DOUBLE'})) TO '/tmp/tx/rep-json.parquet' (FORMAT parquet, COMPRESSION snappy)`);
  const tJ = performance.now() - t;
  console.log(`read ${tRead.toFixed(0)} parse ${tParse.toFixed(0)} transform ${tTx.toFixed(0)} duckwrite ${tW.toFixed(0)} | stringify ${tS.toFixed(0)} jsoncopy ${tJ.toFixed(0)} | total(read..duckwrite) ${(T0 && (tRead+tParse+tTx+tW)).toFixed(0)}`);
}
const q = async (s: string) => (await c.runAndReadAll(s)).getRowObjectsJson();
console.log(await q(`select count(*) from (select * from '/tmp/tx/rep-out.parquet' except select * from '/tmp/tx/rep-json.parquet')`));
