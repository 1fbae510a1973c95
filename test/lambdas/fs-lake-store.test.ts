import { mkdtemp, readdir, rm, utimes, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { FsLakeStore, isRunning } from '../../lambdas/adapters/fs-lake-store';

describe('FsLakeStore', () => {
  let root: string;
  let lake: FsLakeStore;
  beforeAll(async () => {
    root = await mkdtemp(join(tmpdir(), 'fdl-fslake-'));
    lake = new FsLakeStore(root);
  });
  afterAll(async () => {
    await rm(root, { recursive: true, force: true });
  });

  it('reads back what it wrote when the key has nested folders', async () => {
    await lake.put('raw/coinlore/tickers/year=2026/month=01/day=02/a.json', '{"a":1}');
    const got = new TextDecoder().decode(
      await lake.get('raw/coinlore/tickers/year=2026/month=01/day=02/a.json'),
    );
    expect(got).toBe('{"a":1}');
  });

  it('overwrites and leaves no temp file when the same key is written twice', async () => {
    await lake.put('x/y.bin', new Uint8Array([1, 2, 3]));
    await lake.put('x/y.bin', new Uint8Array([4]));
    expect([...(await lake.get('x/y.bin'))]).toEqual([4]);
    expect(await readdir(join(root, 'x'))).toEqual(['y.bin']);
  });

  it('lists keys sorted by string prefix when the prefix ends mid-name', async () => {
    await lake.put('p/b.json', '1');
    await lake.put('p/a.json', '1');
    await lake.put('p/sub/c.json', '1');
    await lake.put('pq/d.json', '1');
    expect(await lake.list('p/')).toEqual(['p/a.json', 'p/b.json', 'p/sub/c.json']);
    expect(await lake.list('p/a')).toEqual(['p/a.json']);
    expect(await lake.list('nothing/here/')).toEqual([]);
  });

  it('lists size and modification time with each key when listObjects is used', async () => {
    await lake.put('m/one.parquet', new Uint8Array([1, 2, 3]));
    const when = new Date('2026-11-24T10:20:00Z');
    await utimes(join(root, 'm', 'one.parquet'), when, when);
    expect(await lake.listObjects('m/')).toEqual([{ key: 'm/one.parquet', size: 3, lastModified: when }]);
  });

  it('throws a message naming the key when the object does not exist', async () => {
    await expect(lake.get('missing/key.json')).rejects.toThrow(/missing\/key\.json/);
  });

  it('removes the temp files of writers no longer running, and nothing else', async () => {
    await lake.put('t/a.parquet', 'whole');
    const names = [
      'a.parquet.101.0123abcd.tmp', // writer 101: gone
      'a.parquet.202.89abcdef.tmp', // writer 202: running
      'a.parquet.101.tmp', // not a name the store makes
      'a.parquet.101.0123ABCD.tmp',
      'notes.txt',
    ];
    for (const name of names) await writeFile(join(root, 't', name), 'x');
    const asked: number[] = [];
    const removed = await lake.removeStaleTemps('t', (pid) => {
      asked.push(pid);
      return pid === 202;
    });
    expect(removed).toEqual([join(root, 't', 'a.parquet.101.0123abcd.tmp')]);
    expect(asked.sort()).toEqual([101, 202]);
    expect((await readdir(join(root, 't'))).sort()).toEqual(['a.parquet', ...names.slice(1)].sort());
    expect(await lake.removeStaleTemps('t/none')).toEqual([]);
  });

  it('tells a running process from one that is gone', () => {
    expect(isRunning(process.pid)).toBe(true);
    // Linux pids stay below 2^22.
    expect(isRunning(2 ** 22 + 7)).toBe(false);
  });

  it('rejects keys that would escape the root', async () => {
    await expect(lake.put('../evil.txt', 'x')).rejects.toThrow(/invalid lake key/);
  });
});
