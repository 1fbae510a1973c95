/**
 * Stopping `fdl reprocess` early (Ctrl-C) and finishing it later: the runs under way are written, no
 * other is started, the report balances and names the first run not processed, and a second job from
 * that run leaves the lake exactly as one uninterrupted job does.
 */
import { spawn } from 'node:child_process';
import { getEventListeners } from 'node:events';
import { existsSync, readdirSync, readFileSync, rmSync } from 'node:fs';
import { cp, mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { main, processInterrupts } from '../../cli/fdl';
import { type ReprocessReport, reprocess } from '../../cli/reprocess';
import { createReprocessCommand, resumeCommand } from '../../cli/reprocess-command';
import { FsLakeStore } from '../../lambdas/adapters/fs-lake-store';
import { datasetKey, rawKey } from '../../lambdas/core/lake';
import { envelope, ticker, tickersBody } from './envelope-builder';

const ROOT = join(import.meta.dirname, '..', '..');
const BIN = join(ROOT, 'bin', 'fdl.mjs');
const START = Date.parse('2026-03-01T00:00:00.000Z');
/** Run `i`'s partition time: one run every 10 minutes. */
const runTime = (i: number) => new Date(START + i * 600_000);
let root: string;

/** An archive of `runs` runs of `pages` ticker envelopes each, `coins` coins a page. */
async function archive(dir: string, runs: number, pages: number, coins: number): Promise<string> {
  const store = new FsLakeStore(dir);
  for (let r = 0; r < runs; r++)
    for (let p = 0; p < pages; p++) {
      const tickers = Array.from({ length: coins }, (_, i) =>
        ticker(p * coins + i + 1, { price_usd: `${r + i}` }),
      );
      await store.put(
        rawKey('coinlore', 'tickers', runTime(r), `p${p}`),
        JSON.stringify(
          envelope('coinlore', 'tickers', tickersBody(tickers), { fetchedAt: runTime(r).toISOString() }),
        ),
      );
    }
  return dir;
}

/** Every file under `dir` (relative path → bytes), for comparing two lakes. */
function lakeFiles(dir: string): Map<string, Buffer> {
  const files = new Map<string, Buffer>();
  // A job stopped before its first run never made the lake's folder.
  if (!existsSync(dir)) return files;
  for (const e of readdirSync(dir, { recursive: true, withFileTypes: true }))
    if (e.isFile()) {
      const path = join(e.parentPath, e.name);
      files.set(path.slice(dir.length + 1), readFileSync(path));
    }
  return files;
}

const parquetOf = (i: number) => datasetKey('coinlore_tickers', runTime(i));

/** files = Σ datasets.files + unreadable + ignored + filtered + files not read. */
const balances = (r: ReprocessReport) =>
  r.files ===
  r.datasets.reduce((n, d) => n + d.files, 0) +
    r.unreadable +
    r.ignored +
    r.filtered +
    (r.interrupted?.files ?? 0);

const RUNS = 24;
const PAGES = 2;
let raw: string;
let full: Map<string, Buffer>;

beforeAll(async () => {
  root = await mkdtemp(join(tmpdir(), 'fdl-interrupt-'));
  raw = await archive(join(root, 'raw'), RUNS, PAGES, 5);
  const report = await reprocess({ rawDir: raw, lakeDir: join(root, 'full'), threads: 1 });
  expect(report.interrupted).toBeUndefined();
  full = lakeFiles(join(root, 'full'));
  expect(full.size).toBe(RUNS);
});

afterAll(async () => {
  await rm(root, { recursive: true, force: true });
});

describe('reprocess stopped by its signal', () => {
  // One thread: the signal is aborted while file `at` is read, so the run holding it is the last one
  // started. windowFiles 5 (windows of two runs) and unset (one window) stop in different places.
  for (const [at, windowFiles] of [
    [1, undefined],
    [7, undefined],
    [7, 5],
    [8, 5],
    [2 * RUNS - 3, 5],
  ] as const)
    it(`writes the runs up to file ${at}'s and says where to go on (windowFiles ${windowFiles ?? 'unset'})`, async () => {
      const lake = join(root, `stop-${at}-${windowFiles}`);
      const controller = new AbortController();
      const report = await reprocess({
        rawDir: raw,
        lakeDir: lake,
        threads: 1,
        windowFiles,
        signal: controller.signal,
        onProgress: (done) => done === at && controller.abort(),
      });
      const started = Math.floor((at - 1) / PAGES) + 1;
      expect(report.interrupted).toEqual({
        resumeFrom: runTime(started).toISOString(),
        runs: RUNS - started,
        files: (RUNS - started) * PAGES,
      });
      expect(balances(report)).toBe(true);
      // The job lets go of the signal: one kept for a later job holds none of this one's listeners.
      expect(getEventListeners(controller.signal, 'abort')).toEqual([]);
      expect(report.datasets[0]!.files).toBe(started * PAGES);
      const written = lakeFiles(lake);
      expect([...written.keys()].sort()).toEqual(
        Array.from({ length: started }, (_, i) => parquetOf(i)).sort(),
      );
      const resumed = await reprocess({
        rawDir: raw,
        lakeDir: lake,
        threads: 1,
        windowFiles,
        from: report.interrupted!.resumeFrom,
      });
      expect(resumed.interrupted).toBeUndefined();
      expect(resumed.filtered).toBe(started * PAGES);
      expect(lakeFiles(lake)).toEqual(full);
    });

  it('reports the job complete when the signal comes once every run is under way', async () => {
    const controller = new AbortController();
    const report = await reprocess({
      rawDir: raw,
      lakeDir: join(root, 'late'),
      threads: 1,
      signal: controller.signal,
      onProgress: (done) => done === RUNS * PAGES - 1 && controller.abort(),
    });
    expect(report.interrupted).toBeUndefined();
    expect(lakeFiles(join(root, 'late'))).toEqual(full);
  });

  it('reads nothing when its signal was aborted before it started', async () => {
    const report = await reprocess({
      rawDir: raw,
      lakeDir: join(root, 'never'),
      threads: 2,
      signal: AbortSignal.abort(),
    });
    expect(report.interrupted).toEqual({
      resumeFrom: runTime(0).toISOString(),
      runs: RUNS,
      files: RUNS * PAGES,
    });
    expect(report.datasets).toEqual([]);
    expect(balances(report)).toBe(true);
  });

  it('does not start a window listed while the job was stopping', async () => {
    // A main thread that claims nothing: the worker does every run, and reports its files (fewer than
    // its batch of 10) with its window's result. The signal comes then, while this thread awaits the
    // worker, after it has listed the next window: that window is counted, not started.
    const idle = async () => ({
      processGroups: async () => ({ datasets: [], problems: [], unreadable: 0, ignored: 0, failedWrites: 0 }),
    });
    const lake = join(root, 'listed');
    const src = join(root, 'listed-raw');
    await cp(raw, src, { recursive: true });
    const controller = new AbortController();
    const report = await reprocess(
      {
        rawDir: src,
        lakeDir: lake,
        threads: 2,
        windowFiles: 6,
        signal: controller.signal,
        // A file of run 4 (the second window) goes after the first listing: the second finds it gone.
        onStart: () => rmSync(join(src, ...rawKey('coinlore', 'tickers', runTime(4), 'p0').split('/'))),
        onProgress: () => controller.abort(),
      },
      idle,
    );
    // Windows of three runs (six files): the first is written, the rest are not started.
    expect(report.interrupted).toEqual({
      resumeFrom: runTime(3).toISOString(),
      runs: RUNS - 3,
      files: (RUNS - 3) * PAGES - 1,
    });
    expect(report.unreadable).toBe(1);
    expect(balances(report)).toBe(true);
    expect([...lakeFiles(lake).keys()].sort()).toEqual([0, 1, 2].map(parquetOf).sort());
  });

  it('stops every thread of a two-thread job, and the rest written by a second job is the same lake', async () => {
    for (const windowFiles of [undefined, 6]) {
      const lake = join(root, `two-${windowFiles}`);
      const controller = new AbortController();
      const report = await reprocess({
        rawDir: raw,
        lakeDir: lake,
        threads: 2,
        windowFiles,
        signal: controller.signal,
        // The first file read by either thread (a worker reports its files in batches).
        onProgress: () => controller.abort(),
      });
      expect(report.threads).toBe(2);
      expect(report.interrupted).toBeDefined();
      expect(balances(report)).toBe(true);
      const resumeAt = Date.parse(report.interrupted!.resumeFrom);
      const before = Array.from({ length: RUNS }, (_, i) => i).filter((i) => runTime(i).getTime() < resumeAt);
      expect(report.interrupted!.runs).toBe(RUNS - before.length);
      expect([...lakeFiles(lake).keys()].sort()).toEqual(before.map((i) => parquetOf(i)).sort());
      await reprocess({
        rawDir: raw,
        lakeDir: lake,
        threads: 2,
        windowFiles,
        from: report.interrupted!.resumeFrom,
      });
      expect(lakeFiles(lake)).toEqual(full);
    }
  });
});

describe('resumeCommand', () => {
  it('keeps the job flags, quotes words a shell would split, and replaces --from', () => {
    expect(
      resumeCommand(
        {
          raw: "/data/it's here",
          lake: 'lake',
          datasets: ['coinlore_tickers', 'coinlore_global'],
          to: '2026-04-01',
          threads: '2',
          json: true,
        },
        '2026-03-01T00:10:00.000Z',
      ),
    ).toBe(
      `fdl reprocess --raw '/data/it'\\''s here' --lake lake --datasets coinlore_tickers,coinlore_global --from 2026-03-01T00:10:00.000Z --to 2026-04-01 --threads 2 --json`,
    );
    // One run: the same command again (--run and --from do not go together).
    expect(resumeCommand({ raw: 'a', lake: 'b', run: '20260301_0010' }, '2026-03-01T00:10:00.000Z')).toBe(
      'fdl reprocess --raw a --lake b --run 20260301_0010',
    );
  });
});

describe('fdl reprocess stopped', () => {
  it('prints the command that finishes the job, and exits 130', async () => {
    const lake = join(root, 'cli');
    const controller = new AbortController();
    const out: string[] = [];
    const err: string[] = [];
    const io = {
      out: (t: string) => out.push(t),
      err: (t: string) => {
        err.push(t);
        // Ctrl-C as soon as the job has said what it will do, before any file is read.
        if (t.startsWith('reprocess: ')) controller.abort();
      },
    };
    const command = createReprocessCommand();
    const argv = ['--raw', raw, '--lake', lake, '--datasets', 'coinlore_tickers', '--threads', '1'];
    expect(await command.run(argv, io, controller.signal)).toBe(130);
    expect(err[0]).toBe(
      `reprocess: ${RUNS * PAGES} raw files in ${RUNS} runs, 1 thread (Ctrl-C stops after the runs under way)`,
    );
    expect(out.join('\n')).toContain(`+ ${RUNS * PAGES} not read (interrupted)`);
    const finish = err.at(-1)!.trim();
    expect(finish).toBe(
      `fdl reprocess --raw ${raw} --lake ${lake} --datasets coinlore_tickers --from ${runTime(0).toISOString()} --threads 1`,
    );
    expect(await command.run(finish.split(' ').slice(2), { out() {}, err() {} })).toBe(0);
    expect(lakeFiles(lake)).toEqual(full);
  });

  it('finishes the runs under way at SIGINT, as a whole process', async () => {
    // Enough runs that the job cannot end before the signal reaches it: each run is a Parquet write.
    const runs = 300;
    const big = await archive(join(root, 'big'), runs, 1, 2);
    const lake = join(root, 'proc');
    // Two threads: the process exits only once its worker has ended too.
    const child = spawn(
      process.execPath,
      [BIN, 'reprocess', '--raw', big, '--lake', lake, '--threads', '2'],
      {
        stdio: ['ignore', 'pipe', 'pipe'],
      },
    );
    let stderr = '';
    // 'close', not 'exit': the child's last lines may still be in the pipe when it exits.
    const code = new Promise<number | null>((resolve) => child.on('close', resolve));
    await new Promise<void>((resolve) =>
      child.stderr.on('data', (d) => {
        stderr += d;
        if (stderr.includes('Ctrl-C stops')) resolve();
      }),
    );
    child.kill('SIGINT');
    expect(await code).toBe(130);
    expect(stderr).toContain(
      'fdl reprocess: interrupted; finishing the work under way (Ctrl-C again to quit now)',
    );
    const from = /--from (\S+)/.exec(stderr)![1]!;
    const before = Array.from({ length: runs }, (_, i) => i).filter((i) => runTime(i).toISOString() < from);
    expect(before.length).toBeLessThan(runs);
    expect([...lakeFiles(lake).keys()].sort()).toEqual(before.map((i) => parquetOf(i)).sort());
  });
});

describe("processInterrupts (the CLI process's Ctrl-C)", () => {
  const process = (argv: string[]) => {
    const written: string[] = [];
    const exits: number[] = [];
    const p = processInterrupts(
      argv,
      (t) => written.push(t.trim()),
      (c) => exits.push(c),
    );
    return { ...p, written, exits };
  };

  it('asks a graceful command to stop at the first signal and ends the process at the second', () => {
    const p = process(['reprocess']);
    p.interrupt.graceful('reprocess');
    p.onSignal('SIGINT');
    expect(p.interrupt.signal.aborted).toBe(true);
    expect(p.exits).toEqual([]);
    expect(p.code()).toBe(130);
    p.onSignal('SIGTERM');
    expect(p.exits).toEqual([130]);
    expect(p.written).toEqual([
      'fdl reprocess: interrupted; finishing the work under way (Ctrl-C again to quit now)',
      'fdl reprocess: quit before the work under way was finished; rerun the command to redo it',
    ]);
  });

  it("ends any other command at the first signal, with the signal's code", () => {
    const p = process(['run', '--source', 'auto']);
    expect(p.code()).toBeUndefined();
    p.onSignal('SIGTERM');
    expect(p.interrupt.signal.aborted).toBe(false);
    expect(p.exits).toEqual([143]);
    expect(p.written).toEqual(['fdl run: terminated']);
  });

  it('passes its signal to graceful commands only, through main', async () => {
    const seen: { name: string; signal: AbortSignal | undefined }[] = [];
    const p = process([]);
    const interrupt = {
      signal: p.interrupt.signal,
      graceful: (name: string) => seen.push({ name, signal: undefined }),
    };
    const quiet = { out() {}, err() {} };
    // Both fail on their missing flags (exit 2) after main has looked at them.
    expect(await main(['reprocess'], quiet, { interrupt })).toBe(2);
    expect(await main(['status', '--nope'], quiet, { interrupt })).toBe(2);
    expect(seen.map((s) => s.name)).toEqual(['reprocess']);
  });
});
