import { copyFileSync, rmSync } from 'node:fs';
import { cp, mkdir, mkdtemp, readdir, readFile, rm, symlink, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Worker } from 'node:worker_threads';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { workerScript } from '../../cli/kit/worker-bundle';
import { partitionTimeOfRawFile, reprocess, threadsFor } from '../../cli/reprocess';
import { createReprocessCommand } from '../../cli/reprocess-command';
import { processGroups } from '../../cli/reprocess-core';
import { claimFrom, type GroupsResult, readEnvelope } from '../../cli/reprocess-job';
import { listRunGroups } from '../../cli/reprocess-listing';
import { FsLakeStore } from '../../lambdas/adapters/fs-lake-store';
import type { DatasetName } from '../../lambdas/core/datasets';
import { datasetKey, rawKey, rejectsKey } from '../../lambdas/core/lake';
import type { HandlerDeps } from '../../lambdas/deps';
import { createTransform } from '../../lambdas/handlers/transform';
import { inMemoryDuckDb } from '../support/duckdb';
import { comment, envelope, GLOBAL_BODY, listing, post, ticker, tickersBody } from './envelope-builder';

const RUN_A = new Date('2026-11-24T10:20:00.000Z');
const RUN_B = new Date('2026-11-24T10:30:00.000Z');
let root: string;
let raw: FsLakeStore;
const { q } = inMemoryDuckDb();
const rawKeys: Record<string, string[]> = {};

async function putRaw(key: string, body: unknown, dataset?: DatasetName): Promise<void> {
  await raw.put(key, typeof body === 'string' ? body : JSON.stringify(body));
  if (dataset) rawKeys[`${dataset}@${key.match(/_(\d{8}_\d{4})_/)![1]}`] ??= [];
  if (dataset) rawKeys[`${dataset}@${key.match(/_(\d{8}_\d{4})_/)![1]}`]!.push(key);
}

function io() {
  const out: string[] = [];
  const err: string[] = [];
  return { out, err, io: { out: (t: string) => out.push(t), err: (t: string) => err.push(t) } };
}

beforeAll(async () => {
  root = await mkdtemp(join(tmpdir(), 'fdl-reprocess-'));
  raw = new FsLakeStore(join(root, 'src'));
  const at = (t: Date, s: number) => new Date(t.getTime() + s * 1000).toISOString();
  for (let p = 0; p < 3; p++) {
    const tickers = Array.from({ length: 100 }, (_, i) => ticker(p * 100 + i + 1));
    if (p === 1) tickers.push(ticker(1, { price_usd: '1.5' })); // rank moved: coin 1 again on page 1
    if (p === 2) tickers.push(ticker(999, { symbol: '' }));
    await putRaw(
      rawKey('coinlore', 'tickers', RUN_A, `p${p}`),
      envelope('coinlore', 'tickers', tickersBody(tickers), { fetchedAt: at(RUN_A, p + 1) }),
      'coinlore_tickers',
    );
  }
  await putRaw(
    rawKey('coinlore', 'tickers', RUN_A, 'p3'),
    envelope('coinlore', 'tickers', { e: 1 }, { status: 500 }),
    'coinlore_tickers',
  );
  await putRaw(
    rawKey('coinlore', 'tickers', RUN_A, 'p4'),
    envelope('coinlore', 'tickers', '<html>502</html>'),
    'coinlore_tickers',
  );
  await putRaw(
    rawKey('coinlore', 'global', RUN_A, 'p0'),
    envelope('coinlore', 'global', GLOBAL_BODY),
    'coinlore_global',
  );
  await putRaw(
    rawKey('reddit', 'new', RUN_A, 'cryptocurrency_p0'),
    envelope('reddit', 'new', listing([post('a1'), post('a2'), { kind: 'more', data: {} }])),
    'reddit_posts',
  );
  await putRaw(
    rawKey('reddit', 'comments', RUN_A, 'cryptocurrency_p0'),
    envelope('reddit', 'comments', listing([comment('c1'), comment('c2', { body: '[removed]' })])),
    'reddit_comments',
  );
  await putRaw(
    rawKey('reddit', 'access_token', RUN_A, 'p0'),
    envelope('reddit', 'access_token', { scope: '*' }),
  );
  await putRaw(rawKey('reddit', 'new', RUN_A, 'broken_p0'), '{"request": {"meth');
  await putRaw(rawKey('reddit', 'new', RUN_A, 'notenv_p0'), { hello: 'world' });
  await putRaw(
    rawKey('coinlore', 'tickers', RUN_B, 'p0'),
    envelope('coinlore', 'tickers', tickersBody([ticker(1), ticker(2)]), { fetchedAt: at(RUN_B, 1) }),
    'coinlore_tickers',
  );
});

afterAll(async () => {
  await rm(root, { recursive: true, force: true });
});

describe('reprocess', () => {
  const lakeDir = () => join(root, 'lake');

  it('writes every dataset of every run and reports bad files and envelopes when run on an archive', async () => {
    const { out, err, io: sink } = io();
    const code = await createReprocessCommand(sink).run(['--raw', join(root, 'src'), '--lake', lakeDir()]);
    expect(code).toBe(0);
    const p = (d: DatasetName, t: Date) => join(lakeDir(), datasetKey(d, t));
    const count = async (f: string) => (await q(`SELECT count(*)::INT AS n FROM read_parquet('${f}')`))[0]!.n;
    expect(await count(p('coinlore_tickers', RUN_A))).toBe(300);
    expect(await count(p('coinlore_tickers', RUN_B))).toBe(2);
    expect(await count(p('coinlore_global', RUN_A))).toBe(1);
    expect(await count(p('reddit_posts', RUN_A))).toBe(2);
    expect(await count(p('reddit_comments', RUN_A))).toBe(2);
    // The later page's copy of coin 1 wins the dedupe.
    expect(
      await q(`SELECT price_usd FROM read_parquet('${p('coinlore_tickers', RUN_A)}') WHERE coin_id = '1'`),
    ).toEqual([{ price_usd: 1.5 }]);
    const rejects = await readFile(join(lakeDir(), rejectsKey('coinlore_tickers', RUN_A)), 'utf8');
    expect(
      rejects
        .trim()
        .split('\n')
        .map((l) => JSON.parse(l).reason),
    ).toEqual(['missing symbol']);

    const table = out.join('\n');
    expect(table).toMatch(
      /^dataset\s+files\s+skipped\s+records\s+rows\s+rejects\s+duplicates\s+more\s+withheld\s+nulled\s+seconds$/m,
    );
    // Tickers: 6 envelopes (2 skipped: HTTP 500, HTML); records 100 + 101 + 101 in run A, 2 in run B;
    // coin 1 twice (1 duplicate), coin 999 without a symbol (1 reject).
    expect(table).toMatch(/^coinlore_tickers\s+6\s+2\s+304\s+302\s+1\s+1\s+0\s+0\s+0\s+\d+\.\d\d$/m);
    // Posts: 2 posts and 1 `more` stub.
    expect(table).toMatch(/^reddit_posts\s+1\s+0\s+3\s+2\s+0\s+0\s+1\s+0\s+0\s/m);
    expect(table).toMatch(
      /^files: 12 = 9 envelopes read into datasets \+ 2 unreadable \+ 1 of other endpoints/m,
    );
    // 12 files: one thread (threadsFor).
    expect(table).toMatch(/^threads: 1 \(the main thread included; see --threads\)$/m);
    const problems = err.filter((l) => l.startsWith('skipped '));
    expect(problems).toHaveLength(4);
    expect(problems.join('\n')).toMatch(/broken_p0\.json: not JSON/);
    expect(problems.join('\n')).toMatch(/notenv_p0\.json: not an envelope/);
    expect(problems.join('\n')).toMatch(/_p3\.json: HTTP 500/);
    expect(problems.join('\n')).toMatch(/_p4\.json: body is not JSON/);
    expect(err.filter((l) => l.startsWith('read ')).at(-1)).toMatch(
      /^read 12\/12 files \(100%\) in \d+(\.\d)? s$/,
    );
  });

  it('rewrites the same files with the same rows when rerun', async () => {
    const before = await q(
      `SELECT * FROM read_parquet('${lakeDir()}/**/*.parquet', filename = true, union_by_name = true) ORDER BY record_id`,
    );
    const files = (await readdir(lakeDir(), { recursive: true })).sort();
    await reprocess({ rawDir: join(root, 'src'), lakeDir: lakeDir() });
    expect((await readdir(lakeDir(), { recursive: true })).sort()).toEqual(files);
    expect(
      await q(
        `SELECT * FROM read_parquet('${lakeDir()}/**/*.parquet', filename = true, union_by_name = true) ORDER BY record_id`,
      ),
    ).toEqual(before);
  });

  it('produces the same rows as the transform Lambda when both read the same envelopes', async () => {
    const lambdaLake = new FsLakeStore(join(root, 'src'));
    const deps = {
      lake: lambdaLake,
      logger: { debug() {}, info() {}, warn() {}, error() {} },
    } as unknown as HandlerDeps;
    for (const dataset of ['coinlore_tickers', 'reddit_comments'] as const) {
      const out = await createTransform(deps)({
        runId: 'x',
        partitionTime: RUN_A.toISOString(),
        dataset,
        rawKeys: rawKeys[`${dataset}@20261124_1020`]!,
      });
      const cols = `* EXCLUDE (run_id)`;
      const a = `SELECT ${cols} FROM read_parquet('${lambdaLake.pathOf(out.key!)}')`;
      const b = `SELECT ${cols} FROM read_parquet('${join(lakeDir(), datasetKey(dataset, RUN_A))}')`;
      const diff = await q(
        `SELECT count(*)::INT AS n FROM ((${a} EXCEPT ALL ${b}) UNION ALL (${b} EXCEPT ALL ${a}))`,
      );
      expect(diff[0]!.n, dataset).toBe(0);
    }
  });

  it('writes the same files and report when runs are spread over worker threads', async () => {
    const t0 = performance.now();
    const single = await reprocess({ rawDir: join(root, 'src'), lakeDir: join(root, 'single'), threads: 1 });
    expect(single.seconds).toBeGreaterThan(0);
    expect(single.seconds).toBeLessThanOrEqual((performance.now() - t0) / 1000);
    const progress: [number, number][] = [];
    const parallel = await reprocess({
      rawDir: join(root, 'src'),
      lakeDir: join(root, 'parallel'),
      threads: 2,
      onProgress: (done, total) => progress.push([done, total]),
    });
    // Every file read, by either thread, counted once: the last line is files/files.
    expect(progress.at(-1)).toEqual([parallel.files, parallel.files]);
    const strip = (r: typeof single) => ({
      ...r,
      seconds: 0,
      threads: 0,
      datasets: r.datasets.map((d) => ({ ...d, seconds: 0 })),
    });
    // One run per window, listed again folder by folder, and a main thread that claims nothing: the
    // worker takes every run, window after window.
    const idle = async () => ({
      processGroups: async () => ({ datasets: [], problems: [], unreadable: 0, ignored: 0, failedWrites: 0 }),
    });
    const windowed = await reprocess(
      { rawDir: join(root, 'src'), lakeDir: join(root, 'windowed'), threads: 2, windowFiles: 1 },
      idle,
    );
    expect([single.threads, parallel.threads, windowed.threads]).toEqual([1, 2, 2]);
    expect(strip(parallel)).toEqual(strip(single));
    expect(strip(windowed)).toEqual(strip(single));
    const all = (d: string) =>
      `SELECT * FROM read_parquet('${join(root, d)}/**/*.parquet', union_by_name = true) ORDER BY record_id`;
    for (const d of ['parallel', 'windowed']) {
      expect(await q(all(d))).toEqual(await q(all('single')));
      expect((await readdir(join(root, d), { recursive: true })).sort()).toEqual(
        (await readdir(join(root, 'single'), { recursive: true })).sort(),
      );
    }
  });

  it('keeps its counts balanced when files go or come between the two listings of a windowed job', async () => {
    const dir = join(root, 'changing');
    await cp(join(root, 'src'), dir, { recursive: true });
    const folders = (await readdir(join(dir, 'raw'), { recursive: true, withFileTypes: true })).filter((e) =>
      e.isDirectory(),
    ).length;
    const gone = join(dir, ...rawKey('coinlore', 'tickers', RUN_A, 'p1').split('/'));
    const added = join(dir, ...rawKey('coinlore', 'tickers', RUN_B, 'p9').split('/'));
    const progress: [number, number][] = [];
    const report = await reprocess({
      rawDir: dir,
      lakeDir: join(root, 'changing-lake'),
      threads: 1,
      windowFiles: 1,
      onProgress: (done, total) => progress.push([done, total]),
      // Once the first listing has read every folder (raw/ itself and those under it).
      onListing: (_, read) => {
        if (read !== folders + 1) return;
        rmSync(gone);
        copyFileSync(join(dir, ...rawKey('coinlore', 'tickers', RUN_B, 'p0').split('/')), added);
      },
    });
    const files = report.datasets.reduce((n, d) => n + d.files, 0);
    expect(report.files).toBe(files + report.unreadable + report.ignored + report.filtered);
    // The file added counts in the progress total too; the one gone is never read.
    expect(progress.at(-1)).toEqual([report.files - 1, report.files]);
    const tickers = report.datasets.find((d) => d.dataset === 'coinlore_tickers')!;
    // Run A's five ticker envelopes lost one, run B's one gained one: six read, as before the change.
    expect(tickers.files).toBe(5 - 1 + 2);
    expect(report.problems).toContainEqual({
      path: `${join(dir, 'raw')}/`,
      // Run A: five ticker envelopes, global, posts, comments, a token, and two bad files.
      reason: `1 of the 11 files of run ${RUN_A.toISOString()} were gone when its window was listed again`,
    });
  });

  it('lists the problems of the listing and of the threads in one order, by path', async () => {
    const dir = join(root, 'sorted');
    await cp(join(root, 'src'), dir, { recursive: true });
    // A link is a problem of the listing, found before any file is read; it sorts after every other path.
    await symlink(join(dir, 'nowhere.json'), join(dir, 'raw', 'zz-link.json'));
    const report = await reprocess({ rawDir: dir, lakeDir: join(root, 'sorted-lake'), threads: 2 });
    const paths = report.problems.map((p) => p.path);
    expect(paths.at(-1)).toBe(join(dir, 'raw', 'zz-link.json'));
    expect(paths).toEqual([...paths].sort((a, b) => a.localeCompare(b)));
  });

  it('starts workers from a plain-JavaScript bundle of the worker when esbuild can build it', async () => {
    const { url, execArgv } = await workerScript('reprocess-worker');
    expect(url.pathname).toMatch(/node_modules\/\.cache\/fdl-reprocess\/reprocess-worker\.mjs$/);
    // No tsx loader in the worker: the bundle is JavaScript (and --import tsx would cost ~100 ms).
    expect(execArgv).toEqual([]);
    const bundle = await readFile(url, 'utf8');
    expect(bundle).toContain('processGroups');
    expect(bundle).not.toMatch(/from ["']tsx/);
  });

  it('writes the same files and result from the bundled worker as from the main thread', async () => {
    // The shared queue lets the main thread take every run of a small archive before a worker is up,
    // so the worker's own path is checked here directly: it alone takes the whole queue, one window
    // (here: one run) after the other, as the job posts them.
    const { groups } = await listRunGroups(join(root, 'src'));
    expect(groups.length).toBe(2);
    const job = (dir: string) => ({ rawDir: join(root, 'src'), lakeDir: join(root, dir) });
    const onMain = await processGroups(claimFrom(groups, new Int32Array(1)), job('main'), () => {});
    const { url, execArgv } = await workerScript('reprocess-worker');
    const worker = new Worker(url, { workerData: { job: job('worker') }, execArgv });
    const exited = new Promise((resolve) => worker.on('exit', resolve));
    const windows: GroupsResult[] = [];
    let read = 0;
    await new Promise<void>((resolve, reject) => {
      worker.on('message', (m: { read?: number; result?: GroupsResult; error?: string }) => {
        read += m.read ?? 0;
        if (m.error) reject(new Error(m.error));
        if (!m.result) return;
        windows.push(m.result);
        if (windows.length === groups.length) resolve();
        else worker.postMessage({ groups: [groups[windows.length]], counter: new SharedArrayBuffer(4) });
      });
      worker.on('error', reject);
      worker.postMessage({ groups: [groups[0]], counter: new SharedArrayBuffer(4) });
    });
    worker.postMessage({ end: true });
    expect(await exited).toBe(0);
    expect(read).toBe(groups.reduce((n, g) => n + g.files.length, 0));
    // The two windows' results add up to the main thread's for both runs at once.
    const counts = (results: GroupsResult[]) => {
      const sums: Record<string, number> = {};
      for (const d of results.flatMap((r) => r.datasets))
        for (const [k, v] of Object.entries(d))
          if (typeof v === 'number' && k !== 'seconds')
            sums[`${d.dataset}.${k}`] = (sums[`${d.dataset}.${k}`] ?? 0) + v;
      return sums;
    };
    expect(counts(windows)).toEqual(counts([onMain]));
    expect(windows.flatMap((w) => w.problems).sort((a, b) => a.path.localeCompare(b.path))).toEqual(
      [...onMain.problems].sort((a, b) => a.path.localeCompare(b.path)),
    );
    expect(windows.reduce((n, w) => n + w.unreadable + w.ignored, 0)).toBe(
      onMain.unreadable + onMain.ignored,
    );
    expect(windows.flatMap((w) => w.datasets).reduce((n, d) => n + d.rows, 0)).toBe(307);
    const all = (d: string) =>
      `SELECT * FROM read_parquet('${join(root, d)}/**/*.parquet', union_by_name = true) ORDER BY record_id`;
    expect(await q(all('worker'))).toEqual(await q(all('main')));
  });

  it('uses the threads --threads names, never more than the archive has runs, and writes the same files', async () => {
    const threadsOf = async (n: string) => {
      const { out, io: sink } = io();
      const lake = join(root, `threads-${n}`);
      expect(
        await createReprocessCommand(sink).run([
          '--raw',
          join(root, 'src'),
          '--lake',
          lake,
          '--threads',
          n,
          '--json',
        ]),
      ).toBe(0);
      const all = `SELECT * FROM read_parquet('${lake}/**/*.parquet', union_by_name = true) ORDER BY record_id`;
      return { threads: JSON.parse(out.join('\n')).threads, rows: await q(all) };
    };
    const one = await threadsOf('1');
    const two = await threadsOf('2');
    // The archive holds two runs (RUN_A, RUN_B): more threads would have nothing to claim.
    const most = await threadsOf('64');
    expect([one.threads, two.threads, most.threads]).toEqual([1, 2, 2]);
    expect(two.rows).toEqual(one.rows);
    expect(most.rows).toEqual(one.rows);
  });

  it('takes a whole number of threads from the API, and the default for one that is not a number', async () => {
    const src = join(root, 'src');
    const run = async (threads: number) =>
      (await reprocess({ rawDir: src, lakeDir: join(root, `api-threads-${threads}`), threads })).threads;
    // 12 files in 2 runs: the default is one thread (threadsFor).
    expect([await run(Number.NaN), await run(1.9), await run(2.5), await run(0)]).toEqual([1, 1, 2, 1]);
  });

  it('stops its workers and writes nothing more when the main thread fails', async () => {
    const lake = join(root, 'failed-core');
    const failing = async () => {
      throw new Error('the core did not load');
    };
    await expect(
      reprocess({ rawDir: join(root, 'src'), lakeDir: lake, threads: 2 }, failing),
    ).rejects.toThrow('the core did not load');
    const files = async () => (await readdir(lake, { recursive: true }).catch(() => [])).sort();
    const atFailure = await files();
    // The workers get the first window before the main thread loads its modules: one left running
    // would claim both runs and write them within the next few hundred ms.
    await new Promise((resolve) => setTimeout(resolve, 1500));
    expect(await files()).toEqual(atFailure);
  });

  it('uses one thread for small archives and more for large ones with several runs', () => {
    expect(threadsFor(12, 2, 2)).toBe(1);
    expect(threadsFor(2000, 1, 2)).toBe(1);
    expect(threadsFor(2000, 10, 2)).toBe(2);
    expect(threadsFor(20000, 100, 16)).toBe(4);
  });

  it('writes only the chosen dataset when --dataset is given', async () => {
    const only = join(root, 'only');
    const report = await reprocess({ rawDir: join(root, 'src'), lakeDir: only, dataset: 'coinlore_global' });
    expect(report.datasets.map((d) => d.dataset)).toEqual(['coinlore_global']);
    expect((await readdir(only)).sort()).toEqual(['coinlore_global']);
  });

  it('reads files back exactly as written when they hold non-ASCII text or outgrow the read buffer', async () => {
    const dir = join(root, 'read-text');
    await mkdir(dir, { recursive: true });
    const bodies = {
      unicode: 'Ünïcode 🚀 to the moon, ETH 上涨 — naïve café',
      // Larger than the reused read buffer (256 KiB), so it grows mid-file, with a multi-byte tail.
      large: `${'x'.repeat(600_000)}é🚀`,
      ascii: 'plain old ascii',
    };
    for (const [name, body] of Object.entries(bodies)) {
      const env = envelope('reddit', 'comments', listing([comment(name, { body })]));
      await writeFile(join(dir, `${name}.json`), JSON.stringify(env));
      const read = readEnvelope(join(dir, `${name}.json`));
      expect(read.ok, name).toBe(true);
      expect(read.ok && read.envelope, name).toEqual(env);
    }
  });

  it('reads the run stamp from a raw file name', () => {
    expect(partitionTimeOfRawFile(`/x/${rawKey('coinlore', 'tickers', RUN_B, 'p0')}`)).toEqual(RUN_B);
    expect(partitionTimeOfRawFile('/x/raw/whatever.json')).toBeUndefined();
  });
});

describe('reprocessCommand', () => {
  it.each([
    [[], /--raw <dir> is required/],
    [['--raw', '/nonexistent/fdl'], /--lake <dir> is required/],
    [['--raw', '/nonexistent/fdl', '--lake', '/tmp/x'], /--raw \/nonexistent\/fdl is not a directory/],
    [['--raw', '.', '--lake', '/tmp/x', '--dataset', 'prices'], /unknown dataset "prices"/],
    [['--bogus'], /Unknown option '--bogus'/],
    ...['0', '65', '1.5', 'two', '+1', ''].map((n): [string[], string] => [
      ['--raw', '.', '--lake', '/tmp/x', '--threads', n],
      `--threads "${n}" is not a whole number from 1 to 64`,
    ]),
  ])('exits 2 with a one-line error when given %j', async (argv, message) => {
    const { err, io: sink } = io();
    expect(await createReprocessCommand(sink).run(argv)).toBe(2);
    expect(err).toHaveLength(1);
    expect(err[0]).toMatch(message);
  });

  it('exits 2 when the directory holds no raw/ folder', async () => {
    const empty = await mkdtemp(join(tmpdir(), 'fdl-noraw-'));
    await writeFile(join(empty, 'x.txt'), 'x');
    const { err, io: sink } = io();
    expect(await createReprocessCommand(sink).run(['--raw', empty, '--lake', empty])).toBe(2);
    expect(err[0]).toMatch(/raw\/? does not exist/);
    await rm(empty, { recursive: true, force: true });
  });

  it('exits 1 and says so when the chosen runs hold no raw file, or raw/ holds none', async () => {
    const { err, io: sink } = io();
    const range = ['--from', '2099-01-01T00:00Z', '--to', '2099-02-01T00:00Z'];
    expect(
      await createReprocessCommand(sink).run([
        '--raw',
        join(root, 'src'),
        '--lake',
        join(root, 'none'),
        ...range,
      ]),
    ).toBe(1);
    expect(err.join('\n')).toMatch(/no raw files in the chosen runs under .*raw/);
    // No run to read: no line announcing the job.
    expect(err.filter((l) => l.startsWith('reprocess: '))).toEqual([]);
    const empty = await mkdtemp(join(tmpdir(), 'fdl-emptyraw-'));
    await mkdir(join(empty, 'raw'));
    const second = io();
    expect(await createReprocessCommand(second.io).run(['--raw', empty, '--lake', empty])).toBe(1);
    expect(second.err.join('\n')).toMatch(/no raw files under /);
    await rm(empty, { recursive: true, force: true });
  });

  it('prints the usage and exits 0 when given --help', async () => {
    const { out, io: sink } = io();
    const cmd = createReprocessCommand(sink);
    expect(await cmd.run(['--help'])).toBe(0);
    expect(out.join('\n')).toBe(cmd.usage);
    expect(cmd.usage).toMatch(/--raw <dir>[\s\S]*--lake <dir>[\s\S]*--dataset <name>[\s\S]*Example/);
  });
});
