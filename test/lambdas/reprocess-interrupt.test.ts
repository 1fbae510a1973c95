/**
 * Stopping `fdl reprocess` early (Ctrl-C) and finishing it later: the runs under way are written, no
 * other is started, the report balances and names the first run not processed, and a second job from
 * that run leaves the lake exactly as one uninterrupted job does.
 */
import { spawn } from 'node:child_process';
import { getEventListeners } from 'node:events';
import { existsSync, mkdirSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { cp, mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { main } from '../../cli/fdl';
import { exitCodeOf, processInterrupts } from '../../cli/kit/interrupts';
import { type ReprocessReport, reprocess } from '../../cli/reprocess';
import { createReprocessCommand, resumeCommand } from '../../cli/reprocess-command';
import { StoppedWhileListing } from '../../cli/reprocess-job';
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
  // A temp file is a write under way (it is renamed, or removed, any moment now), not part of the lake.
  for (const e of readdirSync(dir, { recursive: true, withFileTypes: true }))
    if (e.isFile() && !e.name.endsWith('.tmp')) {
      const path = join(e.parentPath, e.name);
      files.set(path.slice(dir.length + 1), readFileSync(path));
    }
  return files;
}

/** The Parquet files in `dir` so far (paths under it), by name: safe while a job writes there. */
const parquetNames = (dir: string): string[] =>
  existsSync(dir)
    ? readdirSync(dir, { recursive: true })
        .map(String)
        .filter((name) => name.endsWith('.parquet'))
    : [];
const parquetCount = (dir: string): number => parquetNames(dir).length;

const parquetOf = (i: number) => datasetKey('coinlore_tickers', runTime(i));

/** files = Σ datasets.files + unreadable + ignored + filtered + files not read. */
const balances = (r: ReprocessReport) =>
  r.files ===
  r.datasets.reduce((n, d) => n + d.files, 0) +
    r.unreadable +
    r.ignored +
    r.filtered +
    (r.interrupted?.files ?? 0);

const RUNS = 12;
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
        processedRuns: started,
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

  it('names, as it stops, a time before which every run is already written', async () => {
    for (const [threads, windowFiles] of [
      [1, undefined],
      [2, undefined],
      [2, 5],
    ] as const)
      for (const at of [1, 5, 13]) {
        const lake = join(root, `safe-${threads}-${windowFiles}-${at}`);
        const controller = new AbortController();
        let safe: { from: string | undefined; written: string[] } | undefined;
        const report = await reprocess({
          rawDir: raw,
          lakeDir: lake,
          threads,
          windowFiles,
          signal: controller.signal,
          onProgress: (done) => done === at && controller.abort(),
          // What a kill at this moment would leave.
          onStopping: (from) => {
            safe = { from, written: parquetNames(lake) };
          },
        });
        const label = `${threads} threads, windowFiles ${windowFiles}, file ${at}`;
        expect(safe, label).toBeDefined();
        const from = safe!.from ?? runTime(0).toISOString();
        const before = Array.from({ length: RUNS }, (_, i) => i).filter(
          (i) => runTime(i).toISOString() < from,
        );
        for (const i of before) expect(safe!.written, `${label}: run ${i}`).toContain(parquetOf(i));
        expect(from <= (report.interrupted?.resumeFrom ?? runTime(RUNS).toISOString()), label).toBe(true);
        if (threads === 1) {
          // One thread holds at most two runs: the one it reads and the one before, being written.
          const started = Math.floor((at - 1) / PAGES) + 1;
          expect(safe!.from, label).toBe(runTime(Math.max(0, started - 2)).toISOString());
        }
      }
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

  it('stops while listing, having read nothing, when its signal comes then', async () => {
    const before = reprocess({ rawDir: raw, lakeDir: join(root, 'never'), signal: AbortSignal.abort() });
    await expect(before).rejects.toThrow(StoppedWhileListing);
    const controller = new AbortController();
    const during = reprocess({
      rawDir: raw,
      lakeDir: join(root, 'never'),
      signal: controller.signal,
      // After the third folder of the listing.
      onListing: (_, folders) => folders === 3 && controller.abort(),
      onProgress: () => expect.unreachable('no file is read'),
    });
    await expect(during).rejects.toThrow('stopped while listing the archive, before any file was read');
    expect(existsSync(join(root, 'never'))).toBe(false);
  });

  it('processes no run when its signal comes once the archive is listed', async () => {
    const controller = new AbortController();
    const report = await reprocess({
      rawDir: raw,
      lakeDir: join(root, 'none'),
      threads: 2,
      signal: controller.signal,
      onStart: () => controller.abort(),
    });
    expect(report.interrupted).toEqual({
      resumeFrom: runTime(0).toISOString(),
      processedRuns: 0,
      runs: RUNS,
      files: RUNS * PAGES,
    });
    expect(report.datasets).toEqual([]);
    expect(balances(report)).toBe(true);
    expect(existsSync(join(root, 'none'))).toBe(false);
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
      processedRuns: 3,
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
  /**
   * The command, with an io that records its lines, and a signal aborted (with `reason`) once `stopAt`
   * holds: checked on each line the command prints, and every millisecond meanwhile (the job gives the
   * event loop a turn between files once its first run is being written).
   */
  const run = async (argv: string[], stopAt: (line?: string) => boolean, reason = 'SIGINT') => {
    const controller = new AbortController();
    const out: string[] = [];
    const err: string[] = [];
    const io = {
      out: (t: string) => out.push(t),
      err: (t: string) => {
        err.push(t);
        if (stopAt(t)) controller.abort(reason);
      },
    };
    const poll = setInterval(() => stopAt() && controller.abort(reason), 1);
    try {
      const code = await createReprocessCommand().run(argv, io, controller.signal);
      return { code, out: out.join('\n'), err };
    } finally {
      clearInterval(poll);
    }
  };
  const TO = runTime(RUNS - 4).toISOString();

  it('prints the command that finishes the job, which then writes what one job writes', async () => {
    const lake = join(root, 'cli');
    const argv = [
      '--raw',
      raw,
      '--lake',
      lake,
      '--datasets',
      'coinlore_tickers',
      '--to',
      TO,
      '--threads',
      '1',
    ];
    // SIGTERM as soon as the job has said what it will do.
    const r = await run(argv, (t) => t?.startsWith('reprocess: ') === true, 'SIGTERM');
    expect(r.code).toBe(143);
    expect(r.err[0]).toBe(
      `reprocess: ${(RUNS - 4) * PAGES} raw files to read in ${RUNS - 4} runs (${4 * PAGES} outside --run/--from/--to), 1 thread (Ctrl-C stops after the runs under way)`,
    );
    // The signal came before the first run: nothing processed, and the command runs the whole job.
    expect(r.err.at(-2)).toBe(
      `fdl reprocess: stopped before its first run; ${RUNS - 4} runs (${(RUNS - 4) * PAGES} files) to process. To run the job:`,
    );
    expect(r.out).toContain(
      `+ ${(RUNS - 4) * PAGES} not read (stopped: the runs from ${runTime(0).toISOString()} on)`,
    );
    const first = r.err.at(-1)!.trim();
    expect(first).toBe(
      `fdl reprocess --raw ${raw} --lake ${lake} --datasets coinlore_tickers --from ${runTime(0).toISOString()} --to ${TO} --threads 1`,
    );
    // The printed command, stopped in its turn once three runs are written (of eight: a slow machine
    // may start a few more before the signal is seen).
    const again = await run(first.split(' ').slice(2), () => parquetCount(lake) >= 3);
    expect(again.code).toBe(130);
    // While it finished the runs under way, it said where to go on from if killed meanwhile.
    const ifQuit = again.err.find((l) => l.startsWith('fdl reprocess: if you quit now, go on later with: '));
    expect(ifQuit).toMatch(/ --from \S+ --to /);
    const stop = again.err.at(-2)!;
    const from = /every run before (\S+) is processed/.exec(stop)?.[1];
    expect(from, stop).toBeDefined();
    const done = lakeFiles(lake).size;
    expect(from).toBe(runTime(done).toISOString());
    expect(stop).toBe(
      `fdl reprocess: stopped; every run before ${from} is processed, ${RUNS - 4 - done} run${RUNS - 4 - done === 1 ? '' : 's'} (${(RUNS - 4 - done) * PAGES} files) from it on are not. To finish the job, run:`,
    );
    const finish = again.err.at(-1)!.trim();
    expect(await createReprocessCommand().run(finish.split(' ').slice(2), { out() {}, err() {} })).toBe(0);
    const expected = new Map([...full].filter(([key]) => key < parquetOf(RUNS - 4)));
    expect(lakeFiles(lake)).toEqual(expected);
  });

  it('prints only its start line and progress when nothing stops it and every file is written', async () => {
    const r = await run(['--raw', raw, '--lake', join(root, 'cli-plain')], () => false);
    expect(r.code).toBe(0);
    expect(r.err[0]).toBe(
      `reprocess: ${RUNS * PAGES} raw files to read in ${RUNS} runs, 1 thread (Ctrl-C stops after the runs under way)`,
    );
    expect(r.err.slice(1).filter((l) => !l.startsWith('read '))).toEqual([]);
  });

  it('says so, and exits as usual, when the signal comes after the last run has started', async () => {
    const lake = join(root, 'cli-late');
    const r = await run(
      ['--raw', raw, '--lake', lake, '--threads', '1'],
      () => parquetCount(lake) >= RUNS - 1,
    );
    expect(r.code).toBe(0);
    expect(r.err.at(-1)).toBe(
      'fdl reprocess: every run had started when the signal came, so the job is complete',
    );
    expect(lakeFiles(lake)).toEqual(full);
  });

  it('names the outputs not written apart from the runs it did not process', async () => {
    const lake = join(root, 'cli-failed');
    // A folder where run 1's Parquet goes: that write fails (the job goes on).
    mkdirSync(join(lake, parquetOf(1), 'x'), { recursive: true });
    const r = await run(['--raw', raw, '--lake', lake, '--threads', '1'], () => parquetCount(lake) >= 3);
    expect(r.code).toBe(130);
    expect(r.err.at(-2)).toMatch(
      /^fdl reprocess: stopped; every run before \S+ is processed \(but for the 1 output file not written, listed above: rerun those runs with --run once the cause is fixed\), /,
    );
  });

  it('removes the temp files that a job quit mid-write left in the folders of its runs', async () => {
    const lake = join(root, 'cli-temps');
    const target = join(lake, parquetOf(2));
    mkdirSync(dirname(target), { recursive: true });
    // A pid no process has (pids stay below 2^22 on Linux), and this process's own: only the first goes.
    const dead = `${target}.${2 ** 22 + 7}.0123abcd.tmp`;
    const live = `${target}.${process.pid}.0123abcd.tmp`;
    writeFileSync(dead, 'half a file');
    writeFileSync(live, 'being written');
    // --dataset: the folders of that dataset's runs are the ones swept.
    const r = await run(
      ['--raw', raw, '--lake', lake, '--dataset', 'coinlore_tickers', '--threads', '1'],
      () => false,
    );
    expect(r.code).toBe(0);
    expect(r.err).toContain(
      'fdl reprocess: removed 1 temp file that a job quit mid-write had left in the lake',
    );
    expect(existsSync(dead)).toBe(false);
    expect(readFileSync(live, 'utf8')).toBe('being written');
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
      'fdl reprocess: interrupted; finishing the work under way (Ctrl-C again quits now)',
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
    expect(exitCodeOf(p.interrupt.signal)).toBe(130);
    expect(p.exits).toEqual([]);
    // The second signal quits with the first one's code.
    p.onSignal('SIGTERM');
    expect(p.exits).toEqual([130]);
    expect(p.written).toEqual([
      'fdl reprocess: interrupted; finishing the work under way (Ctrl-C again quits now)',
      'fdl reprocess: quit before the work under way was finished; go on as said above, or rerun the command',
    ]);
  });

  it('says SIGTERM in its own words, and its code is 143', () => {
    const p = process(['reprocess']);
    p.interrupt.graceful('reprocess');
    p.onSignal('SIGTERM');
    expect(p.interrupt.signal.reason).toBe('SIGTERM');
    expect(exitCodeOf(p.interrupt.signal)).toBe(143);
    p.onSignal('SIGINT');
    expect(p.exits).toEqual([143]);
    expect(p.written[0]).toBe(
      'fdl reprocess: terminated; finishing the work under way (a second signal quits now)',
    );
  });

  it("ends any other command at the first signal, with the signal's code", () => {
    const p = process(['run', '--source', 'auto']);
    p.onSignal('SIGTERM');
    expect(p.interrupt.signal.aborted).toBe(false);
    expect(p.exits).toEqual([143]);
    expect(p.written).toEqual(['fdl run: terminated']);
    const q = process(['status']);
    q.onSignal('SIGINT');
    expect(q.exits).toEqual([130]);
  });

  it('passes its signal to graceful commands, through main, and names only them', async () => {
    const named: string[] = [];
    const err: string[] = [];
    const io = { out() {}, err: (t: string) => err.push(t) };
    const interrupt = { signal: AbortSignal.abort('SIGTERM'), graceful: (name: string) => named.push(name) };
    // Already aborted: reprocess stops before it reads a file, with SIGTERM's code, so it got the signal.
    expect(await main(['reprocess', '--raw', raw, '--lake', join(root, 'main')], io, { interrupt })).toBe(
      143,
    );
    expect(err.at(-1)).toBe(
      'fdl reprocess: stopped while listing the archive, before any file was read: nothing was written',
    );
    expect(existsSync(join(root, 'main'))).toBe(false);
    // A command that does not stop gracefully is not named (it fails on its flag, exit 2).
    expect(await main(['status', '--nope'], { out() {}, err() {} }, { interrupt })).toBe(2);
    expect(named).toEqual(['reprocess']);
  });
});
