/**
 * Listing a raw archive for `fdl reprocess` (cli/reprocess.ts) in memory that does not grow with the
 * archive's file count.
 *
 * A year of 10-minute runs is about 52,560 runs and, at 150 ticker pages a run, about 8 million files.
 * Holding every path (as the listing did until this module: on the main thread, a copy in every
 * worker, and the listing's own garbage, by which V8 sized the heaps) made the job's peak memory grow
 * by about 1.3 KB per file, past 1 GB before a million files (docs/reprocess-performance.md, "A year of files").
 * So a large archive is listed twice:
 *
 * 1. `indexArchive` walks the tree once and keeps, per run, only its time, file count and whether a
 *    file names it, and per folder the span of the runs of its files. Paths are kept only while the
 *    archive has at most `holdUpTo` (HOLD_FILES) of them, and then the job takes all its runs as one
 *    window with no second listing: the archives of everyday use. Paths of files whose name carries
 *    no run stamp are always kept (rare: they are read here to place them by their envelope's minute).
 * 2. A larger archive's runs are taken in windows of about WINDOW_FILES files (`runWindows`), and
 *    `windowGroups` lists again the folders whose runs meet the window's, each once: a folder's
 *    listing is kept until the windows pass its last run. The layout the pipeline writes has a folder
 *    per endpoint and day, so what is held is a day's paths or two, whatever the archive's size.
 *
 * The grouping rules are those of a single listing: a run is the stamp in a file's name
 * (`…_YYYYMMDD_HHMM_<part>.json`, rawKey in lambdas/core/lake.ts); a file without one joins the run of
 * its envelope's `fetched_at` minute, in the stamped run of that minute when the archive has one (so a
 * stray envelope joins its run instead of replacing that run's file with its own few rows), else a
 * group marked unstamped. An archive that changes between the two listings is reported, and the
 * counts still balance: a file gone is counted unreadable (with a problem naming its run), a file added
 * to a run of the index is read and counted, and a run left with no stamped file is unstamped. A new
 * run, one the first listing did not see, is not read.
 */
import { type Dirent, readdirSync } from 'node:fs';
import { basename, dirname, join } from 'node:path';
import { RAW_PREFIX } from '../lambdas/core/lake';
import {
  errnoCode,
  type JobFilter,
  type Problem,
  type RunGroup,
  readEnvelope,
  StoppedWhileListing,
} from './reprocess-job';

/**
 * Paths held by the first listing: an archive with no more files than this (the bench's archives of
 * up to 3M rows, and every everyday rebuild) is listed once and taken as one window, as before windows
 * existed, at the memory it took then.
 */
export const HOLD_FILES = 50_000;

/**
 * Files per window of runs, in a larger archive. A window's paths are held on every thread, and V8
 * sizes each thread's heap by what it holds: the larger the window, the higher the job's peak memory
 * (measured from 5,000 to 50,000 files in docs/reprocess-performance.md, "A year of files"). A window ends with
 * the threads waiting for the slowest one's last run: at 150 files a run, 10,000 files are 66 runs.
 */
export const WINDOW_FILES = 10_000;

const STAMP = /_(\d{4})(\d{2})(\d{2})_(\d{2})(\d{2})_[^/\\]*\.json$/;

/** The run partition time (epoch ms) encoded in a raw file name, or undefined. */
function stampTime(name: string): number | undefined {
  const m = STAMP.exec(name);
  if (!m) return undefined;
  const t = Date.UTC(+m[1]!, +m[2]! - 1, +m[3]!, +m[4]!, +m[5]!);
  return Number.isNaN(t) ? undefined : t;
}

/** The run partition time encoded in a raw file name, or undefined. */
export function partitionTimeOfRawFile(path: string): Date | undefined {
  const t = stampTime(path);
  return t === undefined ? undefined : new Date(t);
}

const minuteOf = (iso: string): number => {
  const t = new Date(iso);
  t.setUTCSeconds(0, 0);
  return t.getTime();
};

/** Whether a partition time (epoch ms) passes the job's --run / --from / --to (parsed once, here). */
export function rangeOf(filter: JobFilter): (time: number) => boolean {
  const run = filter.run === undefined ? undefined : Date.parse(filter.run);
  // A comparison with NaN is false: a --from or --to that is absent (or does not parse: the command
  // refuses such a value before it lists) excludes nothing.
  const from = Date.parse(filter.from ?? '');
  const to = Date.parse(filter.to ?? '');
  return (t) => (run === undefined || t === run) && !(t < from) && !(t >= to);
}

/** One run of the index: its partition time (epoch ms), file count, and whether a file names it. */
export interface RunEntry {
  readonly time: number;
  readonly stamped: boolean;
  files: number;
}

/**
 * A folder holding stamped files of runs in range: the first and last of those runs (epoch ms). A window
 * lists again every folder whose span meets its own; one whose runs all fall around it is listed for
 * nothing, which costs a listing and changes no group.
 */
interface Folder {
  min: number;
  max: number;
}

/** What the first listing keeps (see the module comment). */
export interface ArchiveIndex {
  /** The folder listed: `<rawDir>/raw/`. */
  readonly root: string;
  /** Every `.json` file and every link or special file met (see ReprocessReport.files). */
  readonly files: number;
  /** The runs in range, by time. */
  readonly runs: readonly RunEntry[];
  /** Links, special files, unreadable folders, unreadable or non-envelope unstamped files. */
  readonly problems: Problem[];
  /** Files outside --run / --from / --to. */
  readonly filtered: number;
  /** Folder → the span of the runs its stamped files belong to. */
  readonly folders: ReadonlyMap<string, Folder>;
  /** Run time → its files, when the archive had at most `holdUpTo` of them; else only unstamped ones. */
  readonly paths: ReadonlyMap<number, string[]>;
  /** Whether `paths` holds every file of every run (no second listing needed). */
  readonly complete: boolean;
}

/**
 * The first listing: every regular `.json` file under `<rawDir>/raw/`, depth first, without following
 * links (a symbolic link, to a file or a folder, is reported and never read, so nothing outside --raw
 * is read). Unstamped files are read here and placed after every stamped one, so "is there a stamped
 * run at this minute" is final.
 */
export function indexArchive(
  rawDir: string,
  filter: JobFilter = {},
  holdUpTo = HOLD_FILES,
  /** Called after each folder is read: (`.json` files met so far, folders read so far). */
  onFolder?: (files: number, folders: number) => void,
): ArchiveIndex {
  const steps = indexSteps(rawDir, filter, holdUpTo, onFolder);
  for (;;) {
    const step = steps.next();
    if (step.done) return step.value;
  }
}

/** Let other work run at most this often while listing (ms). */
const LISTING_SLICE_MS = 50;

/**
 * indexArchive, giving the event loop a turn every LISTING_SLICE_MS: a year's archive takes seconds to
 * list, and a Ctrl-C must not wait for it. Aborted meanwhile, it throws StoppedWhileListing (nothing has
 * been read or written yet).
 */
export async function indexArchiveYielding(
  rawDir: string,
  filter: JobFilter = {},
  holdUpTo = HOLD_FILES,
  onFolder?: (files: number, folders: number) => void,
  signal?: AbortSignal,
): Promise<ArchiveIndex> {
  const steps = indexSteps(rawDir, filter, holdUpTo, onFolder);
  let slice = performance.now();
  for (;;) {
    if (signal?.aborted) throw new StoppedWhileListing();
    const step = steps.next();
    if (step.done) return step.value;
    if (performance.now() - slice >= LISTING_SLICE_MS) {
      await new Promise<void>((resolve) => setImmediate(resolve));
      slice = performance.now();
    }
  }
}

/** The listing of indexArchive, one folder per step. */
function* indexSteps(
  rawDir: string,
  filter: JobFilter,
  holdUpTo: number,
  onFolder?: (files: number, folders: number) => void,
): Generator<void, ArchiveIndex> {
  const problems: Problem[] = [];
  const runs = new Map<number, RunEntry>();
  const folders = new Map<string, Folder>();
  const inRange = rangeOf(filter);
  let paths: Map<number, string[]> | undefined = new Map();
  let held = 0;
  let jsonFiles = 0;
  /** Links, special files and unreadable folders: met, but not among the .json files. */
  let notFiles = 0;
  let filtered = 0;
  const unstamped: { path: string; time: number }[] = [];
  const place = (time: number, stamped: boolean, dir: string, name: string) => {
    const run = runs.get(time);
    // Every stamped file is placed before any unstamped one, so a run's first file says whether it is.
    if (run) run.files++;
    else runs.set(time, { time, stamped, files: 1 });
    if (paths === undefined) return;
    if (++held > holdUpTo) {
      // Too many to hold: from here on, only the unstamped files' paths are kept (in `placed` below).
      paths = undefined;
      return;
    }
    const path = join(dir, name);
    const list = paths.get(time);
    if (list) list.push(path);
    else paths.set(time, [path]);
  };

  const root = join(rawDir, RAW_PREFIX);
  const dirs = [root];
  let read = 0;
  while (dirs.length > 0) {
    const dir = dirs.pop()!;
    let entries: Dirent[];
    try {
      entries = readdirSync(dir, { withFileTypes: true });
    } catch (err) {
      notFiles++;
      problems.push({ path: dir, reason: `unreadable folder (${errnoCode(err)})` });
      continue;
    }
    let folder: Folder | undefined;
    for (const e of entries) {
      const name = e.name;
      if (e.isDirectory()) dirs.push(join(dir, name));
      else if (e.isSymbolicLink()) {
        notFiles++;
        problems.push({
          path: join(dir, name),
          reason: 'symbolic link: not followed (only files inside --raw are read)',
        });
      } else if (!name.endsWith('.json')) continue;
      else if (!e.isFile()) {
        notFiles++;
        problems.push({ path: join(dir, name), reason: 'not a regular file' });
      } else {
        jsonFiles++;
        const time = stampTime(name);
        if (time === undefined) {
          const path = join(dir, name);
          const parsed = readEnvelope(path);
          if (!parsed.ok) problems.push({ path, reason: parsed.reason });
          else unstamped.push({ path, time: minuteOf(parsed.envelope.fetched_at) });
        } else if (!inRange(time)) filtered++;
        else {
          place(time, true, dir, name);
          if (!folder) {
            folder = { min: time, max: time };
            folders.set(dir, folder);
          }
          if (time < folder.min) folder.min = time;
          if (time > folder.max) folder.max = time;
        }
      }
    }
    onFolder?.(jsonFiles, ++read);
    yield;
  }
  const placed = new Map<number, string[]>();
  for (const { path, time } of unstamped) {
    if (!inRange(time)) {
      filtered++;
      continue;
    }
    place(time, false, dirname(path), basename(path));
    const list = placed.get(time);
    if (list) list.push(path);
    else placed.set(time, [path]);
  }
  return {
    root,
    // A .json file that is a problem (unstamped, and unreadable or no envelope) is counted once.
    files: jsonFiles + notFiles,
    runs: [...runs.values()].sort((a, b) => a.time - b.time),
    problems,
    filtered,
    folders,
    paths: paths ?? placed,
    complete: paths !== undefined,
  };
}

/** Consecutive runs in windows of at most `maxFiles` files (a larger run is a window of its own). */
export function runWindows(runs: readonly RunEntry[], maxFiles = WINDOW_FILES): RunEntry[][] {
  const windows: RunEntry[][] = [];
  let window: RunEntry[] = [];
  let files = 0;
  for (const run of runs) {
    if (window.length > 0 && files + run.files > maxFiles) {
      windows.push(window);
      window = [];
      files = 0;
    }
    window.push(run);
    files += run.files;
  }
  if (window.length > 0) windows.push(window);
  return windows;
}

/**
 * Folders the second listing read, kept for the windows after: folder → run time → paths. Windows come
 * in time order, so each folder is listed again once, and dropped once a window starts after its last
 * run: what is held is the paths of the folders that meet the current window.
 */
export type ListedFolders = Map<string, ReadonlyMap<number, readonly string[]>>;

/**
 * The run groups of a window of the index's runs, files sorted (so "keep the latest" dedupe ties
 * resolve the same way every run). Lists again the folders holding those runs unless the index holds
 * every path (`listed` keeps them from one window to the next; pass the same map for every window of
 * a job). A folder that can no longer be listed is reported in `problems`, once.
 */
export function windowGroups(
  index: ArchiveIndex,
  window: readonly RunEntry[],
  listed: ListedFolders = new Map(),
): WindowGroups {
  const problems: Problem[] = [];
  const files = new Map<number, string[]>(window.map((r) => [r.time, [...(index.paths.get(r.time) ?? [])]]));
  /** Stamped files found again per run (the unstamped ones are in `index.paths`). */
  const stamped = new Map<number, number>();
  if (!index.complete && window.length > 0) {
    const first = window[0]!.time;
    const last = window[window.length - 1]!.time;
    for (const [dir, folder] of index.folders) {
      if (folder.max < first) {
        listed.delete(dir);
        continue;
      }
      if (folder.min > last) continue;
      let byRun = listed.get(dir);
      if (!byRun) {
        byRun = listFolder(dir, problems);
        listed.set(dir, byRun);
      }
      for (const run of window) {
        const paths = byRun.get(run.time);
        if (!paths) continue;
        // A loop, not push(...paths): a spread of a very large run would pass the engine's argument limit.
        const list = files.get(run.time)!;
        for (const path of paths) list.push(path);
        stamped.set(run.time, (stamped.get(run.time) ?? 0) + paths.length);
      }
    }
  }
  let gone = 0;
  let added = 0;
  const groups = window.map((r) => {
    const found = files.get(r.time)!;
    const time = new Date(r.time).toISOString();
    if (found.length < r.files) {
      gone += r.files - found.length;
      problems.push({
        path: index.root,
        reason: `${r.files - found.length} of the ${r.files} files of run ${time} were gone when its window was listed again`,
      });
    } else added += found.length - r.files;
    // Its stamped files gone, a run is a guess from its strays' minutes like any unstamped group.
    return {
      time,
      stamped: r.stamped && (index.complete || (stamped.get(r.time) ?? 0) > 0),
      files: found.sort(),
    };
  });
  return { groups, problems, gone, added };
}

/** A window's run groups, and how the archive changed since the first listing. */
export interface WindowGroups {
  readonly groups: RunGroup[];
  /** Folders that could no longer be listed, and runs that lost files. */
  readonly problems: Problem[];
  /** Files of the index's count not found again (counted unreadable: each run's number is a problem). */
  readonly gone: number;
  /** Files found beyond the index's count (added since): read, and added to the job's file count. */
  readonly added: number;
}

/** A folder's stamped files by run time; empty, and a problem, when the folder cannot be listed. */
function listFolder(dir: string, problems: Problem[]): Map<number, string[]> {
  const byRun = new Map<number, string[]>();
  let entries: Dirent[];
  try {
    entries = readdirSync(dir, { withFileTypes: true });
  } catch (err) {
    problems.push({ path: dir, reason: `unreadable folder (${errnoCode(err)})` });
    return byRun;
  }
  for (const e of entries) {
    // Links and special files were reported by the first listing; a name without a stamp has no time.
    if (!e.isFile()) continue;
    const time = stampTime(e.name);
    if (time === undefined) continue;
    const path = join(dir, e.name);
    const paths = byRun.get(time);
    if (paths) paths.push(path);
    else byRun.set(time, [path]);
  }
  return byRun;
}

/** What listing a whole archive found: run groups, and the files that never reach a group. */
export interface Listing {
  /** Every `.json` file and every link or special file met (see ReprocessReport.files). */
  readonly files: number;
  readonly groups: RunGroup[];
  /** Links, special files, unreadable or non-envelope unstamped files. */
  readonly problems: Problem[];
  /** Files outside --run / --from / --to. */
  readonly filtered: number;
}

/** Every run group of the archive at once, sorted by time (for small archives, tests and tools). */
export function listRunGroups(rawDir: string, filter: JobFilter = {}): Listing {
  const index = indexArchive(rawDir, filter, Number.POSITIVE_INFINITY);
  const { groups } = windowGroups(index, index.runs);
  return { files: index.files, groups, problems: index.problems, filtered: index.filtered };
}
