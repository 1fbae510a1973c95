/**
 * Listing a raw archive in windows (cli/reprocess-listing.ts): the groups of every window, listed
 * again folder by folder, are the groups a single listing of the whole archive gives, built here from
 * what each file was written as.
 */
import { execFileSync } from 'node:child_process';
import { mkdir, mkdtemp, rename, rm, symlink, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import fc from 'fast-check';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type RunGroup, StoppedWhileListing } from '../../cli/reprocess-job';
import {
  indexArchive,
  indexArchiveYielding,
  type ListedFolders,
  listRunGroups,
  partitionTimeOfRawFile,
  type RunEntry,
  runWindows,
  windowGroups,
} from '../../cli/reprocess-listing';
import { rawKey, stamp } from '../../lambdas/core/lake';
import { envelope, tickersBody } from './envelope-builder';

const MINUTE = 60_000;
/** Runs every 10 minutes across a day boundary, so they fall in two day folders of each endpoint. */
const RUNS = Array.from({ length: 7 }, (_, i) => new Date(Date.UTC(2026, 10, 24, 23, 30) + i * 10 * MINUTE));
/** Stamped files written: run i has i + 1 ticker pages, and every other run a comments page. */
const STAMPED = RUNS.reduce((n, _, i) => n + i + 1 + (i % 2 === 0 ? 1 : 0), 0);
let root: string;
/** Run time (ISO) → the paths written for it, and whether a file of it carries its stamp. */
const expected = new Map<string, { stamped: boolean; files: string[] }>();

async function put(path: string, body: string, run?: Date, stamped = true): Promise<void> {
  await mkdir(dirname(path), { recursive: true });
  await writeFile(path, body);
  if (!run) return;
  const e = expected.get(run.toISOString()) ?? { stamped: false, files: [] };
  e.files.push(path);
  e.stamped ||= stamped;
  expected.set(run.toISOString(), e);
}

const page = (fetchedAt: Date) =>
  JSON.stringify(envelope('coinlore', 'tickers', tickersBody([]), { fetchedAt: fetchedAt.toISOString() }));

beforeAll(async () => {
  root = await mkdtemp(join(tmpdir(), 'fdl-listing-'));
  const at = (key: string) => join(root, ...key.split('/'));
  for (const [i, run] of RUNS.entries()) {
    // Run i has i + 1 ticker pages, and every other run a comments page too: runs of unequal sizes.
    for (let p = 0; p <= i; p++) await put(at(rawKey('coinlore', 'tickers', run, `p${p}`)), page(run), run);
    if (i % 2 === 0) await put(at(rawKey('reddit', 'comments', run, 'p0')), page(run), run);
  }
  // Without a stamp: two join run 3 by their minute, one joins run 4 from inside a stamped folder, and
  // one is alone at a minute no run has.
  await put(
    join(root, 'raw', 'strays', 'late.json'),
    page(new Date(RUNS[3]!.getTime() + 42_000)),
    RUNS[3],
    false,
  );
  await put(
    join(root, 'raw', 'strays', 'later.json'),
    page(new Date(RUNS[3]!.getTime() + 51_000)),
    RUNS[3],
    false,
  );
  const tickersOf = (run: Date) => dirname(at(rawKey('coinlore', 'tickers', run, 'p0')));
  await put(
    join(tickersOf(RUNS[4]!), 'manual.json'),
    page(new Date(RUNS[4]!.getTime() + 5_000)),
    RUNS[4],
    false,
  );
  const alone = new Date(RUNS[5]!.getTime() + 3 * MINUTE);
  await put(join(root, 'raw', 'strays', 'alone.json'), page(alone), alone, false);
  // Never grouped: a file that is not JSON by name, a link, an unstamped file that is no envelope, and
  // a named pipe with a run's stamp in its name.
  await put(join(root, 'raw', 'strays', 'notes.txt'), 'not a raw file');
  await put(join(root, 'raw', 'strays', 'broken.json'), '{"request":');
  await symlink(join(root, 'raw', 'strays', 'late.json'), join(root, 'raw', 'strays', 'link.json'));
  execFileSync('mkfifo', [at(rawKey('coinlore', 'tickers', RUNS[1]!, 'fifo'))]);
});

afterAll(async () => {
  await rm(root, { recursive: true, force: true });
});

/** The groups a whole listing must give, from what was written: by time, files sorted. */
function expectedGroups(filter: (time: number) => boolean = () => true): RunGroup[] {
  return [...expected.entries()]
    .filter(([time]) => filter(Date.parse(time)))
    .sort(([a], [b]) => a.localeCompare(b))
    .map(([time, e]) => ({ time, stamped: e.stamped, files: [...e.files].sort() }));
}

/** Every window's groups, in order, from an index that holds at most `holdUpTo` paths. */
function windowed(maxFiles: number, holdUpTo: number, filter = {}) {
  const index = indexArchive(root, filter, holdUpTo);
  const windows = runWindows(index.runs, maxFiles);
  const listed = windows.map((w) => windowGroups(index, w));
  return {
    index,
    windows,
    groups: listed.flatMap((l) => l.groups),
    problems: listed.flatMap((l) => l.problems),
  };
}

describe('listing an archive in windows', () => {
  it('gives every run its files, stamped or placed by their minute, in one listing of the whole archive', () => {
    const listing = listRunGroups(root);
    expect(listing.groups).toEqual(expectedGroups());
    const fifo = rawKey('coinlore', 'tickers', RUNS[1]!, 'fifo');
    // (Node 20's JSON errors name the position, later ones do not: the reason keeps it when there is one.)
    const reasons = listing.problems.map((p) => [
      p.path.slice(root.length + 1),
      p.reason.replace(/ \(error at .*\)$/, ''),
    ]);
    expect(reasons.sort()).toEqual(
      [
        ['raw/strays/broken.json', 'not JSON'],
        ['raw/strays/link.json', 'symbolic link: not followed (only files inside --raw are read)'],
        [fifo, 'not a regular file'],
      ].sort(),
    );
    // The regular .json files met (stamped pages, four strays, broken.json) plus the link and the pipe:
    // broken.json, both a file and a problem, is counted once (the report's files then balance).
    expect(listing.files).toBe(STAMPED + 5 + 2);
    expect(listing.filtered).toBe(0);
  });

  it('gives the same groups window by window, listing folders again when it holds no paths', () => {
    const whole = expectedGroups();
    for (const maxFiles of [1, 3, 5, 8, 100]) {
      const again = windowed(maxFiles, 0);
      expect(again.index.complete).toBe(false);
      expect(again.groups, `windows of ${maxFiles} files`).toEqual(whole);
      expect(again.problems).toEqual([]);
      const held = windowed(maxFiles, Number.POSITIVE_INFINITY);
      expect(held.index.complete).toBe(true);
      expect(held.groups).toEqual(whole);
    }
    // Files of one window only: windows of 1 file are one run each.
    expect(windowed(1, 0).windows.map((w) => w.length)).toEqual(whole.map(() => 1));
  });

  it('reports its progress after each folder, ending with every .json file and folder it read', () => {
    const calls: [number, number][] = [];
    indexArchive(root, {}, undefined, (files, folders) => calls.push([files, folders]));
    // Folders: raw/, its two sources, their endpoints, years, months and days, and strays/.
    const folders = 1 + 2 + 2 * (1 + 1 + 1 + 2) + 1;
    expect(calls.map(([, f]) => f)).toEqual(Array.from({ length: folders }, (_, i) => i + 1));
    // The regular .json files: stamped pages, four strays and broken.json.
    expect(calls.at(-1)![0]).toBe(STAMPED + 5);
    expect(calls.map(([n]) => n)).toEqual([...calls.map(([n]) => n)].sort((a, b) => a - b));
  });

  it('lists the same archive while giving the event loop turns, and stops where its signal is aborted', async () => {
    const calls: number[] = [];
    const yielding = await indexArchiveYielding(root, { from: RUNS[1]!.toISOString() }, 3, (_, f) =>
      calls.push(f),
    );
    expect(yielding).toEqual(indexArchive(root, { from: RUNS[1]!.toISOString() }, 3));
    const controller = new AbortController();
    const seen: number[] = [];
    const stopped = indexArchiveYielding(
      root,
      {},
      undefined,
      (_, folders) => {
        seen.push(folders);
        if (folders === 4) controller.abort();
      },
      controller.signal,
    );
    await expect(stopped).rejects.toThrow(StoppedWhileListing);
    // No folder is read once the signal is aborted.
    expect(seen).toEqual([1, 2, 3, 4]);
    expect(calls.length).toBeGreaterThan(4);
  });

  it('gives the event loop a turn once a slice of listing time has passed', async () => {
    const order: string[] = [];
    setImmediate(() => order.push('turn'));
    await indexArchiveYielding(root, {}, undefined, (_, folders) => {
      // The first folder takes longer than a slice (50 ms): the listing yields after it.
      const t0 = performance.now();
      while (folders === 1 && performance.now() - t0 < 60);
      order.push(`folder ${folders}`);
    });
    expect(order.slice(0, 3)).toEqual(['folder 1', 'turn', 'folder 2']);
  });

  it('drops the paths once the archive holds more than it may keep, except the unstamped ones', () => {
    const total = expectedGroups().reduce((n, g) => n + g.files.length, 0);
    expect(indexArchive(root, {}, total).complete).toBe(true);
    const index = indexArchive(root, {}, total - 1);
    expect(index.complete).toBe(false);
    const unstamped = [...index.paths.values()].flat().map((p) => p.slice(root.length));
    expect(unstamped.sort()).toEqual([
      `/${dirname(rawKey('coinlore', 'tickers', RUNS[4]!, 'p0'))}/manual.json`,
      '/raw/strays/alone.json',
      '/raw/strays/late.json',
      '/raw/strays/later.json',
    ]);
  });

  it('keeps only the runs in --from / --to and counts the other files as filtered', () => {
    const from = RUNS[2]!.getTime();
    const to = RUNS[5]!.getTime();
    const filter = { from: new Date(from).toISOString(), to: new Date(to).toISOString() };
    const inRange = (t: number) => t >= from && t < to;
    const want = expectedGroups(inRange);
    const { index, groups } = windowed(4, 0, filter);
    expect(groups).toEqual(want);
    const all = expectedGroups().reduce((n, g) => n + g.files.length, 0);
    expect(index.filtered).toBe(all - want.reduce((n, g) => n + g.files.length, 0));
    expect(index.runs.map((r) => r.files)).toEqual(want.map((g) => g.files.length));
  });

  it('keeps the one run of --run, and the runs from --from on or before --to alone', () => {
    const all = expectedGroups();
    const filesOf = (groups: RunGroup[]) => groups.reduce((n, g) => n + g.files.length, 0);
    const cases: [object, (t: number) => boolean][] = [
      [{ run: RUNS[3]!.toISOString() }, (t) => t === RUNS[3]!.getTime()],
      [{ from: RUNS[4]!.toISOString() }, (t) => t >= RUNS[4]!.getTime()],
      [{ to: RUNS[2]!.toISOString() }, (t) => t < RUNS[2]!.getTime()],
    ];
    for (const [filter, keep] of cases) {
      const want = expectedGroups(keep);
      const { index, groups } = windowed(2, 0, filter);
      expect(groups, JSON.stringify(filter)).toEqual(want);
      expect(index.filtered).toBe(filesOf(all) - filesOf(want));
    }
  });

  it('lists again the folders whose runs meet the window, and only those', async () => {
    const copy = await mkdtemp(join(tmpdir(), 'fdl-listing-span-'));
    try {
      const path = (run: Date) => join(copy, ...rawKey('coinlore', 'tickers', run, 'p0').split('/'));
      const written = new Map(RUNS.map((run) => [run.getTime(), [path(run)]]));
      for (const run of RUNS) await put(path(run), page(run));
      // Folders are listed in name order: in the second day's folder, a name listed first that holds
      // its last run and one listed last that holds its first, so its span must come from all files.
      const [first, last] = [RUNS[3]!, RUNS[6]!];
      for (const [name, run] of [
        [`aaa_${stamp(last)}_x.json`, last],
        [`zzz_${stamp(first)}_x.json`, first],
      ] as const) {
        const extra = join(dirname(path(run)), name);
        await put(extra, page(run));
        written.get(run.getTime())!.push(extra);
      }
      const index = indexArchive(copy, {}, 0);
      for (const run of index.runs)
        expect(windowGroups(index, [run]).groups[0]!.files).toEqual(written.get(run.time)!.sort());
      expect(windowGroups(index, []).groups).toEqual([]);
      // Window after window with one map of listed folders: each folder is listed once (moved away
      // after its first window, the second day's folder still gives its later runs), and a folder is
      // dropped once the windows have passed its last run.
      const day = (run: Date) => dirname(path(run));
      const away = join(copy, 'away');
      const listed: ListedFolders = new Map();
      const runs = runWindows(index.runs, 1);
      for (const [i, window] of runs.entries()) {
        const { groups, problems } = windowGroups(index, window, listed);
        expect(problems).toEqual([]);
        expect(groups[0]!.files).toEqual(written.get(window[0]!.time)!.sort());
        if (i === 3) await rename(day(RUNS[3]!), away);
        expect([...listed.keys()]).toEqual(i < 3 ? [day(RUNS[0]!)] : [day(RUNS[3]!)]);
      }
      await rename(away, day(RUNS[3]!));
      // RUNS[0..2] are on 24 November, the rest on the 25th: with one day's folder moved away, a
      // window of the other day's runs does not list it (it would report it gone).
      for (const [gone, kept] of [
        [RUNS[0]!, RUNS.slice(3)],
        [RUNS[3]!, RUNS.slice(0, 3)],
      ] as const) {
        await rename(day(gone), away);
        const window = index.runs.filter((r) => kept.some((run) => run.getTime() === r.time));
        const { groups, problems } = windowGroups(index, window);
        expect(problems).toEqual([]);
        expect(groups.map((g) => g.files)).toEqual(kept.map((run) => written.get(run.getTime())));
        await rename(away, day(gone));
      }
    } finally {
      await rm(copy, { recursive: true, force: true });
    }
  });

  it('counts what changed between the two listings: files gone, files added, a run left unstamped', async () => {
    const copy = await mkdtemp(join(tmpdir(), 'fdl-listing-changed-'));
    try {
      const path = (run: Date, part: string) =>
        join(copy, ...rawKey('coinlore', 'tickers', run, part).split('/'));
      const [a, b, c] = [RUNS[3]!, RUNS[4]!, RUNS[5]!];
      for (const run of [a, b, c]) for (const part of ['p0', 'p1']) await put(path(run, part), page(run));
      // A stray of run c's minute, without a stamp: placed in run c by the first listing.
      const stray = join(copy, 'raw', 'strays', 'late.json');
      await put(stray, page(new Date(c.getTime() + 30_000)));
      const index = indexArchive(copy, {}, 0);
      expect(index.runs.map((r) => [r.files, r.stamped])).toEqual([
        [2, true],
        [2, true],
        [3, true],
      ]);
      await rm(path(a, 'p1'));
      await put(path(b, 'p2'), page(b));
      await rm(path(c, 'p0'));
      await rm(path(c, 'p1'));
      const { groups, problems, gone, added } = windowGroups(index, index.runs);
      expect(groups).toEqual([
        { time: a.toISOString(), stamped: true, files: [path(a, 'p0')] },
        { time: b.toISOString(), stamped: true, files: [path(b, 'p0'), path(b, 'p1'), path(b, 'p2')] },
        // Only the stray is left: a guess, which must not delete or shrink run c's Parquet file.
        { time: c.toISOString(), stamped: false, files: [stray] },
      ]);
      expect([gone, added]).toEqual([3, 1]);
      const root = join(copy, 'raw/');
      expect(problems).toEqual([
        {
          path: root,
          reason: `1 of the 2 files of run ${a.toISOString()} were gone when its window was listed again`,
        },
        {
          path: root,
          reason: `2 of the 3 files of run ${c.toISOString()} were gone when its window was listed again`,
        },
      ]);
    } finally {
      await rm(copy, { recursive: true, force: true });
    }
  });

  it('reports an archive without raw/ as an unreadable folder', async () => {
    const empty = await mkdtemp(join(tmpdir(), 'fdl-listing-none-'));
    try {
      const index = indexArchive(empty);
      expect(index.problems).toEqual([
        { path: `${join(empty, 'raw')}/`, reason: 'unreadable folder (ENOENT)' },
      ]);
      expect([index.files, index.runs.length]).toEqual([1, 0]);
    } finally {
      await rm(empty, { recursive: true, force: true });
    }
  });

  it('reports a folder that can no longer be listed in the second listing', async () => {
    const copy = await mkdtemp(join(tmpdir(), 'fdl-listing-gone-'));
    try {
      const run = RUNS[0]!;
      const key = rawKey('coinlore', 'tickers', run, 'p0');
      await put(join(copy, ...key.split('/')), page(run));
      const index = indexArchive(copy, {}, 0);
      await rm(join(copy, 'raw', 'coinlore'), { recursive: true });
      const { groups, problems, gone } = windowGroups(index, index.runs);
      expect(groups).toEqual([{ time: run.toISOString(), stamped: false, files: [] }]);
      expect(problems).toEqual([
        { path: dirname(join(copy, ...key.split('/'))), reason: 'unreadable folder (ENOENT)' },
        {
          path: join(copy, 'raw/'),
          reason: `1 of the 1 files of run ${run.toISOString()} were gone when its window was listed again`,
        },
      ]);
      expect(gone).toBe(1);
    } finally {
      await rm(copy, { recursive: true, force: true });
    }
  });

  it('reads the run stamp from a file name only', () => {
    expect(partitionTimeOfRawFile(`/x/${rawKey('coinlore', 'tickers', RUNS[1]!, 'p0')}`)).toEqual(RUNS[1]);
    expect(partitionTimeOfRawFile('/x/raw/whatever.json')).toBeUndefined();
    expect(partitionTimeOfRawFile('/x/raw/a_20261124_2340_p0.txt')).toBeUndefined();
  });
});

describe('runWindows', () => {
  const runsOf = (sizes: number[]): RunEntry[] =>
    sizes.map((files, i) => ({ time: i * 10 * MINUTE, stamped: true, files }));

  it('cuts the runs, in order, into the fewest windows a greedy fill gives', () => {
    fc.assert(
      fc.property(
        fc.array(fc.integer({ min: 1, max: 40 }), { maxLength: 30 }),
        fc.integer({ min: 1, max: 60 }),
        (sizes, max) => {
          const runs = runsOf(sizes);
          const windows = runWindows(runs, max);
          expect(windows.flat()).toEqual(runs);
          const sum = (w: RunEntry[]) => w.reduce((n, r) => n + r.files, 0);
          for (const [i, w] of windows.entries()) {
            expect(w.length).toBeGreaterThan(0);
            // Within the limit, unless one run alone is larger.
            if (w.length > 1) expect(sum(w)).toBeLessThanOrEqual(max);
            // Greedy: the next window's first run would not have fitted.
            const next = windows[i + 1];
            if (next) expect(sum(w) + next[0]!.files).toBeGreaterThan(max);
          }
        },
      ),
    );
  });

  it('gives no window for no runs, and a run larger than the limit a window of its own', () => {
    expect(runWindows([], 10)).toEqual([]);
    expect(runWindows(runsOf([3, 50, 3]), 10).map((w) => w.map((r) => r.files))).toEqual([[3], [50], [3]]);
    expect(runWindows(runsOf([5, 5, 1]), 10).map((w) => w.map((r) => r.files))).toEqual([[5, 5], [1]]);
  });
});
