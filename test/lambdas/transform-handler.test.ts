import { mkdtemp, readFile, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { DuckDBInstance } from '@duckdb/node-api';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { FsLakeStore } from '../../lambdas/adapters/fs-lake-store';
import type { TransformInput } from '../../lambdas/contracts';
import { datasetKey, rawKey, rejectsKey } from '../../lambdas/core/lake';
import type { HandlerDeps } from '../../lambdas/deps';
import { createTransform, readAhead } from '../../lambdas/handlers/transform';
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

describe('readAhead', () => {
  /** A read per key that resolves (or fails) only when the test says so; records what is in flight. */
  function controlled(keys: readonly string[]) {
    const waiting = new Map<string, { resolve: (v: string) => void; reject: (e: Error) => void }>();
    let inFlight = 0;
    let most = 0;
    const read = (key: string) =>
      new Promise<string>((resolve, reject) => {
        inFlight++;
        most = Math.max(most, inFlight);
        const done = () => inFlight--;
        waiting.set(key, {
          resolve: (v) => {
            done();
            resolve(v);
          },
          reject: (e) => {
            done();
            reject(e);
          },
        });
      });
    return { read, waiting, most: () => most, keys };
  }
  const tick = () => new Promise((r) => setImmediate(r));

  it('yields every key in order, however the reads finish, with at most `limit` in flight', async () => {
    const keys = Array.from({ length: 10 }, (_, i) => `k${i}`);
    const c = controlled(keys);
    const got: string[] = [];
    const consuming = (async () => {
      for await (const [key, value] of readAhead(keys, 3, c.read)) got.push(`${key}=${value}`);
    })();
    // Finish reads newest first: order out must still be key order.
    for (let round = 0; round < 10; round++) {
      await tick();
      for (const key of [...c.waiting.keys()].reverse()) {
        c.waiting.get(key)!.resolve(key.toUpperCase());
        c.waiting.delete(key);
      }
    }
    await consuming;
    expect(got).toEqual(keys.map((k) => `${k}=${k.toUpperCase()}`));
    expect(c.most()).toBe(3);
  });

  it('refuses a limit that would read nothing, before reading', async () => {
    for (const limit of [0, -1, 1.5, Number.NaN]) {
      let reads = 0;
      const next = readAhead(['a'], limit, async () => {
        reads++;
        return 'x';
      }).next();
      await expect(next, String(limit)).rejects.toThrow(RangeError);
      expect(reads).toBe(0);
    }
  });

  it("throws a read's error at its turn, after the keys before it, and leaves no unhandled rejection", async () => {
    const unhandled: unknown[] = [];
    const onUnhandled = (e: unknown) => unhandled.push(e);
    process.on('unhandledRejection', onUnhandled);
    try {
      const keys = ['a', 'b', 'c'];
      const c = controlled(keys);
      const got: string[] = [];
      const consuming = (async () => {
        for await (const [key] of readAhead(keys, 3, c.read)) got.push(key);
      })();
      await tick();
      // c fails first, while a is still awaited; then a and b arrive.
      c.waiting.get('c')!.reject(new Error('no object c'));
      await tick();
      c.waiting.get('a')!.resolve('1');
      c.waiting.get('b')!.resolve('2');
      await expect(consuming).rejects.toThrow('no object c');
      expect(got).toEqual(['a', 'b']);
      await tick();
      expect(unhandled).toEqual([]);
    } finally {
      process.off('unhandledRejection', onUnhandled);
    }
  });
});
