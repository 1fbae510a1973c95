import { mkdtemp, readFile, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { DuckDBInstance } from '@duckdb/node-api';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { FsLakeStore } from '../../lambdas/adapters/fs-lake-store';
import type { TransformInput } from '../../lambdas/contracts';
import { datasetKey, rawKey, rejectsKey } from '../../lambdas/core/lake';
import type { HandlerDeps } from '../../lambdas/deps';
import { createTransform } from '../../lambdas/handlers/transform';
import { envelope, ticker, tickersBody } from './envelope-builder';

const PARTITION = new Date('2026-11-24T10:20:00.000Z');
let root: string;
let lake: FsLakeStore;
const logLines: string[] = [];

function deps(): HandlerDeps {
  const log = (level: string) => (message: string, extra?: Record<string, unknown>) => {
    logLines.push(JSON.stringify({ level, message, ...extra }));
  };
  return {
    lake,
    logger: { debug: log('DEBUG'), info: log('INFO'), warn: log('WARN'), error: log('ERROR') },
    coinloreBaseUrl: 'http://127.0.0.1:9',
    redditApiBaseUrl: 'http://127.0.0.1:9',
    redditAuthUrl: 'http://127.0.0.1:9',
    redditUserAgent: 'test',
    getRedditCredentials: () => Promise.reject(new Error('not used')),
    now: () => PARTITION,
    sleep: async () => {},
  };
}

const keys: string[] = [];

beforeAll(async () => {
  root = await mkdtemp(join(tmpdir(), 'fdl-transform-'));
  lake = new FsLakeStore(root);
  // ~150 pages of 100 tickers, like a full-universe run, plus a 503 page, an HTML page and a non-JSON file.
  for (let page = 0; page < 150; page++) {
    const tickers = Array.from({ length: 100 }, (_, i) => ticker(page * 100 + i + 1));
    if (page === 3) tickers[0] = ticker(301, { price_usd: 'NaN' });
    const key = rawKey('coinlore', 'tickers', PARTITION, `p${String(page).padStart(3, '0')}`);
    await lake.put(key, JSON.stringify(envelope('coinlore', 'tickers', tickersBody(tickers))));
    keys.push(key);
  }
  const bad = rawKey('coinlore', 'tickers', PARTITION, 'p150');
  await lake.put(bad, JSON.stringify(envelope('coinlore', 'tickers', 'upstream down', { status: 503 })));
  const truncated = rawKey('coinlore', 'tickers', PARTITION, 'p151');
  await lake.put(truncated, '{"request": {"method": "GET"');
  keys.push(bad, truncated);
});

afterAll(async () => {
  await rm(root, { recursive: true, force: true });
});

describe('createTransform', () => {
  const input: TransformInput = {
    runId: 'exec-1',
    partitionTime: PARTITION.toISOString(),
    dataset: 'coinlore_tickers',
    rawKeys: keys,
  };

  it('writes one Parquet file and the rejects, and returns a small summary, when given a tickers batch', async () => {
    const out = await createTransform(deps())(input);
    expect(out).toEqual({
      dataset: 'coinlore_tickers',
      key: datasetKey('coinlore_tickers', PARTITION),
      rows: 14_999,
      rejects: 1,
      rejectsKey: rejectsKey('coinlore_tickers', PARTITION),
      skipped: [
        { rawKey: keys[151], reason: expect.stringMatching(/^not valid JSON \(at character \d+\)$/) },
        { rawKey: keys[150], reason: 'HTTP 503' },
      ],
    });
    const rejects = (await readFile(lake.pathOf(out.rejectsKey!), 'utf8'))
      .trim()
      .split('\n')
      .map((l) => JSON.parse(l));
    expect(rejects).toEqual([
      { rawKey: keys[3], reason: 'invalid price_usd: "NaN"', record: expect.objectContaining({ id: '301' }) },
    ]);
    const db = await DuckDBInstance.create(':memory:');
    const con = await db.connect();
    const read = await con.runAndReadAll(
      `SELECT count(*)::INT AS n, count(DISTINCT record_id)::INT AS ids, min(run_id) AS run FROM read_parquet('${lake.pathOf(out.key!)}')`,
    );
    expect(read.getRowObjectsJson()).toEqual([{ n: 14_999, ids: 14_999, run: 'exec-1' }]);
    con.closeSync();
    db.closeSync();
    expect(
      logLines.some((l) => l.includes('"run_id":"exec-1"') && l.includes('"message":"transformed"')),
    ).toBe(true);
  });

  it('overwrites the same key with the same bytes when rerun', async () => {
    const first = await createTransform(deps())(input);
    const bytes = await lake.get(first.key!);
    const second = await createTransform(deps())(input);
    expect(second.key).toBe(first.key);
    expect(Buffer.from(await lake.get(second.key!)).equals(Buffer.from(bytes))).toBe(true);
    expect(await lake.list('coinlore_tickers/')).toEqual([first.key]);
  });

  it('throws a ConfigError when the dataset or partition time is invalid', async () => {
    await expect(createTransform(deps())({ ...input, dataset: 'nope' as never })).rejects.toThrow(
      /unknown dataset/,
    );
    await expect(createTransform(deps())({ ...input, partitionTime: 'yesterday' })).rejects.toMatchObject({
      name: 'ConfigError',
    });
  });
});
