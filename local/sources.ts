/**
 * Where the local twin's handlers get their data: the live APIs, a replay folder of envelopes served on
 * loopback (local/replay-server.ts), or `auto` (live when reachable and configured, else the bundled
 * sample). Replay runs use a simulated clock so their data, partitions and lake keys are deterministic.
 */
import { existsSync, statSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import axios from 'axios';
import type { Envelope } from '../lambdas/core/envelope';
import { ConfigError } from '../lambdas/core/errors';
import { DEFAULT_BASE_URLS, type RedditCredentials } from '../lambdas/deps';
import { loadEnvelopes, matchKey, replaySourceUrls, startReplayServer } from './replay-server';

/** The replay sample shipped in the repo (realistic envelopes). */
export const BUNDLED_SAMPLE_DIR = fileURLToPath(new URL('../replay/sample/', import.meta.url));

/** Minutes between ticks, like the cloud schedule. */
export const TICK_MINUTES = 10;

export type SourceSpec = { kind: 'live' } | { kind: 'replay'; dir: string } | { kind: 'auto' };

/** Parse `--source`: `live`, `replay:<dir>` or `auto`. */
export function parseSource(value: string): SourceSpec {
  if (value === 'live' || value === 'auto') return { kind: value };
  if (value.startsWith('replay:') && value.length > 'replay:'.length)
    return { kind: 'replay', dir: value.slice('replay:'.length) };
  throw new ConfigError(`--source must be live, replay:<dir> or auto, got "${value}"`);
}

export interface ResolvedSource {
  readonly kind: 'live' | 'replay';
  /** One line for the run header, e.g. `replay of replay/sample (6 snapshots)`. */
  readonly description: string;
  readonly baseUrls: { readonly coinlore: string; readonly redditApi: string; readonly redditAuth: string };
  getRedditCredentials(): Promise<RedditCredentials>;
  /** Replay: the simulated time of tick i (first fetched_at + i × 10 min); live: undefined (real clock). */
  tickTime(i: number): Date | undefined;
  /** Replay: serve snapshot i to every request of tick i (retries included). Live: absent. */
  startTick?(i: number): void;
  /** Replay: how many snapshots the folder holds (the default tick count). */
  readonly snapshots?: number;
  /** Replay: the subreddits and Coinlore pages the recording has (the pipeline input must match it). */
  readonly recorded?: { readonly subreddits: string[]; readonly coinlorePages: number };
  close(): Promise<void>;
}

/** Reddit credentials for live runs; a clear message when they are missing. */
export function liveRedditCredentials(env: NodeJS.ProcessEnv = process.env): RedditCredentials {
  const clientId = env.REDDIT_CLIENT_ID;
  const clientSecret = env.REDDIT_CLIENT_SECRET;
  if (!clientId || !clientSecret)
    throw new ConfigError(
      'live Reddit needs REDDIT_CLIENT_ID and REDDIT_CLIENT_SECRET (a Reddit "script" or "web" app, app-only OAuth); set them, or use --source replay:<dir>',
    );
  return { clientId, clientSecret };
}

/** What a replay folder holds: snapshot count, start time, recorded subreddits and pages. */
export function describeRecording(envelopes: readonly Envelope[]): {
  snapshots: number;
  start: Date;
  subreddits: string[];
  coinlorePages: number;
} {
  if (envelopes.length === 0) throw new ConfigError('replay: the folder holds no envelopes');
  const perKey = new Map<string, number>();
  for (const e of envelopes) {
    const u = new URL(e.request.url);
    const key = matchKey(e.request.method, `${u.pathname}${u.search}`);
    perKey.set(key, (perKey.get(key) ?? 0) + 1);
  }
  const start = new Date(Math.min(...envelopes.map((e) => Date.parse(e.fetched_at))));
  start.setUTCSeconds(0, 0);
  const subreddits = [
    ...new Set(
      envelopes
        .filter((e) => e.source === 'reddit' && e.endpoint === 'new')
        .map((e) => /\/r\/([^/]+)\/new/.exec(new URL(e.request.url).pathname)?.[1])
        .filter((s): s is string => !!s),
    ),
  ].sort();
  const tickerStarts = new Set(
    envelopes
      .filter((e) => e.source === 'coinlore' && e.endpoint === 'tickers')
      .map((e) => new URL(e.request.url).searchParams.get('start') ?? '0'),
  );
  return {
    snapshots: Math.max(...perKey.values()),
    start,
    subreddits,
    coinlorePages: Math.max(1, tickerStarts.size),
  };
}

/** Start serving a replay folder on loopback. */
export async function replaySource(dir: string): Promise<ResolvedSource> {
  // Checked before reading so the newcomer's typo gets a line that says what to pass, not an errno.
  if (!existsSync(dir) || !statSync(dir).isDirectory())
    throw new ConfigError(
      `replay: ${dir} is not a folder of envelopes; pass one, e.g. --source replay:replay/sample`,
    );
  let envelopes: Envelope[];
  try {
    envelopes = await loadEnvelopes(dir);
  } catch (err) {
    throw new ConfigError(`replay: cannot read envelopes from ${dir}: ${(err as Error).message}`, {
      cause: err,
    });
  }
  const rec = describeRecording(envelopes);
  const server = await startReplayServer({ envelopes });
  return {
    kind: 'replay',
    description: `replay of ${dir} (${rec.snapshots} snapshot${rec.snapshots > 1 ? 's' : ''} from ${rec.start.toISOString()}, served on ${server.url})`,
    baseUrls: replaySourceUrls(server),
    // The replay server answers the token call itself; nothing secret is involved.
    getRedditCredentials: async () => ({ clientId: 'replay', clientSecret: 'replay' }),
    tickTime: (i) => new Date(rec.start.getTime() + i * TICK_MINUTES * 60_000),
    startTick: (i) => server.selectSnapshot(i),
    snapshots: rec.snapshots,
    recorded: { subreddits: rec.subreddits, coinlorePages: rec.coinlorePages },
    close: () => server.close(),
  };
}

export function liveSource(): ResolvedSource {
  const creds = liveRedditCredentials();
  return {
    kind: 'live',
    description: `live APIs (${DEFAULT_BASE_URLS.coinlore}, ${DEFAULT_BASE_URLS.redditApi})`,
    baseUrls: {
      coinlore: DEFAULT_BASE_URLS.coinlore,
      redditApi: DEFAULT_BASE_URLS.redditApi,
      redditAuth: DEFAULT_BASE_URLS.redditAuth,
    },
    getRedditCredentials: async () => creds,
    tickTime: () => undefined,
    close: async () => {},
  };
}

/** True when Coinlore answers within `timeoutMs`. */
export async function coinloreReachable(
  baseUrl = DEFAULT_BASE_URLS.coinlore,
  timeoutMs = 2500,
): Promise<boolean> {
  try {
    const res = await axios.get(`${baseUrl}/global/`, { timeout: timeoutMs, validateStatus: () => true });
    return res.status === 200;
  } catch {
    return false;
  }
}

/**
 * Resolve a source. `auto` is live only when Coinlore answers AND Reddit credentials are set (a live
 * run without Reddit would fail every tick); otherwise it prints ONE line and replays the bundled sample.
 */
export async function resolveSource(
  spec: SourceSpec,
  opts: { notice: (line: string) => void; sampleDir?: string; probe?: () => Promise<boolean> } = {
    notice: () => {},
  },
): Promise<ResolvedSource> {
  if (spec.kind === 'replay') return replaySource(spec.dir);
  if (spec.kind === 'live') return liveSource();
  const sample = opts.sampleDir ?? BUNDLED_SAMPLE_DIR;
  const reachable = await (opts.probe ?? (() => coinloreReachable()))();
  if (!reachable) {
    opts.notice(`Coinlore is not reachable (offline?): replaying the bundled sample ${sample} instead.`);
    return replaySource(sample);
  }
  if (!process.env.REDDIT_CLIENT_ID || !process.env.REDDIT_CLIENT_SECRET) {
    opts.notice(
      `REDDIT_CLIENT_ID/REDDIT_CLIENT_SECRET are not set: replaying the bundled sample ${sample} instead (use --source live once they are).`,
    );
    return replaySource(sample);
  }
  return liveSource();
}

/**
 * Why `ticks` cannot run on `source`, or undefined. A replay has as many ticks as snapshots: more would
 * serve old snapshots again under new timestamps, landing duplicated data as if it were new.
 */
export function ticksProblem(
  source: Pick<ResolvedSource, 'kind' | 'snapshots'>,
  ticks: number,
): string | undefined {
  if (source.kind !== 'replay' || source.snapshots === undefined || ticks <= source.snapshots)
    return undefined;
  return `--ticks ${ticks} is more than the ${source.snapshots} snapshot${source.snapshots > 1 ? 's' : ''} the recording holds; pass --ticks ${source.snapshots} or fewer (replaying a snapshot twice would land old data under new timestamps)`;
}
