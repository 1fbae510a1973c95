/**
 * A loopback HTTP server that answers requests from recorded envelopes (lambdas/core/envelope.ts), so
 * tests and the local twin (`fdl run --source replay:<dir>`) exercise the real axios client. One port
 * serves every upstream: requests match on method + path + query, the host is ignored (Coinlore paths
 * start with `/api/`, Reddit listings with `/r/`, the Reddit token with `/api/v1/access_token`).
 *
 * Several envelopes for one URL are snapshots, in `fetched_at` order. The twin pins the snapshot of each
 * tick (`selectSnapshot(i)`): every request of tick i, retries included, gets snapshot i, so a failed
 * attempt or a retried Task never shifts a later tick onto the next recording. Unpinned, snapshots are
 * served round-robin, one per delivered answer: an answer spoiled by an injected fault (truncated, slow,
 * drifted) does not consume its snapshot. Faults can be injected per URL pattern and count.
 */
import { once } from 'node:events';
import { readdir, readFile } from 'node:fs/promises';
import { createServer, type IncomingMessage, type ServerResponse } from 'node:http';
import type { AddressInfo, Socket } from 'node:net';
import { join } from 'node:path';
import { type Envelope, envelopeProblem } from '../lambdas/core/envelope';

export type FaultKind =
  | 'rate-limit'
  | 'server-error'
  | 'slow'
  | 'truncated-json'
  | 'html-error'
  | 'schema-drift'
  | 'unauthorized';

export interface Fault {
  readonly kind: FaultKind;
  /** Which requests it applies to: a substring of, or a RegExp tested on, `METHOD path?query`. @default every request */
  readonly match?: string | RegExp;
  /** How many matching requests get the fault. @default 1 (use Infinity for "always") */
  readonly times?: number;
  /** rate-limit: the Retry-After header, seconds. @default 1 */
  readonly retryAfterSeconds?: number;
  /** slow: how long to hold the response, ms. @default 3000 */
  readonly delayMs?: number;
  /** html-error / server-error: the status to answer with. @default 503 / 500 */
  readonly status?: number;
  /** schema-drift: how to change the recorded body. @default rename the first field (see defaultDrift) */
  readonly drift?: (body: unknown) => unknown;
}

export interface RecordedRequest {
  readonly method: string;
  /** Path and query as received, e.g. `/api/tickers/?start=0&limit=100`. */
  readonly path: string;
  /** Lower-cased request headers, without `authorization` (the replay server never keeps credentials). */
  readonly headers: Readonly<Record<string, string>>;
  /** The Authorization scheme alone ("Basic", "bearer"), so tests can check auth was sent; never the credential. */
  readonly authScheme?: string;
  readonly body: string;
  /** The fault injected into this request's answer, if any. */
  readonly fault?: FaultKind;
  /** Status the server answered with (for slow faults, the status it would have sent). */
  readonly status: number;
}

export interface ReplayServerOptions {
  /** Envelopes to serve. */
  readonly envelopes?: readonly Envelope[];
  /** Or a folder of envelope files (`*.json`, searched recursively; a file may hold one envelope or an array). */
  readonly dir?: string;
  readonly faults?: readonly Fault[];
}

export interface ReplayServer {
  /** `http://127.0.0.1:<port>`: use `${url}/api` as the Coinlore base, `url` as the Reddit API base. */
  readonly url: string;
  /** Every request received, in order. */
  readonly requests: RecordedRequest[];
  /** How many envelopes the server holds. */
  readonly envelopeCount: number;
  addFault(fault: Fault): void;
  /**
   * Serve snapshot `index` (modulo the URL's snapshot count) to every request until the next call;
   * `undefined` goes back to round-robin.
   */
  selectSnapshot(index: number | undefined): void;
  /** Replace all pending faults. */
  setFaults(faults: readonly Fault[]): void;
  close(): Promise<void>;
}

/** Token answered when no recorded token envelope exists: replay runs need a token shape, never a real one. */
const REPLAY_TOKEN_BODY = {
  access_token: 'replay-token-not-a-secret',
  token_type: 'bearer',
  expires_in: 86400,
  scope: '*',
};

/** Headers that describe the original transfer, not the body we re-serialise. */
const HOP_HEADERS = new Set([
  'content-length',
  'transfer-encoding',
  'content-encoding',
  'connection',
  'keep-alive',
]);

/** `METHOD /path?sorted=query`: the host is ignored, query order and a trailing slash do not matter. */
export function matchKey(method: string, pathAndQuery: string): string {
  const u = new URL(pathAndQuery, 'http://replay.invalid');
  let path = u.pathname;
  if (path.length > 1 && path.endsWith('/')) path = path.slice(0, -1);
  const params = [...u.searchParams.entries()].sort(([a, av], [b, bv]) =>
    a === b ? (av < bv ? -1 : av > bv ? 1 : 0) : a < b ? -1 : 1,
  );
  const query = new URLSearchParams(params).toString();
  return `${method.toUpperCase()} ${path}${query ? `?${query}` : ''}`;
}

/** Read every envelope under `dir` (recursively); files that are not envelopes are an error naming the file. */
export async function loadEnvelopes(dir: string): Promise<Envelope[]> {
  const out: Envelope[] = [];
  const walk = async (d: string): Promise<void> => {
    const entries = await readdir(d, { withFileTypes: true });
    entries.sort((a, b) => (a.name < b.name ? -1 : 1));
    for (const e of entries) {
      const p = join(d, e.name);
      if (e.isDirectory()) await walk(p);
      else if (e.isFile() && e.name.endsWith('.json')) {
        let value: unknown;
        try {
          value = JSON.parse(await readFile(p, 'utf8'));
        } catch (err) {
          throw new Error(`replay: ${p} is not valid JSON`, { cause: err });
        }
        for (const [i, v] of (Array.isArray(value) ? value : [value]).entries()) {
          const problem = envelopeProblem(v);
          if (problem)
            throw new Error(
              `replay: ${p}${Array.isArray(value) ? `[${i}]` : ''} is not an envelope: ${problem}`,
            );
          out.push(v as Envelope);
        }
      }
    }
  };
  await walk(dir);
  return out;
}

/** Default schema drift: rename the first field of the body (or of its first element when it is an array). */
export function defaultDrift(body: unknown): unknown {
  const rename = (o: Record<string, unknown>) => {
    const [first] = Object.keys(o);
    if (first === undefined) return o;
    const { [first]: value, ...rest } = o;
    return { [`${first}_renamed`]: value, ...rest };
  };
  if (Array.isArray(body) && typeof body[0] === 'object' && body[0] !== null)
    return [rename(body[0] as Record<string, unknown>), ...body.slice(1)];
  if (typeof body === 'object' && body !== null && !Array.isArray(body))
    return rename(body as Record<string, unknown>);
  return body;
}

interface PendingFault extends Fault {
  remaining: number;
}

function faultMatches(f: PendingFault, line: string): boolean {
  if (f.remaining <= 0) return false;
  if (f.match === undefined) return true;
  return typeof f.match === 'string' ? line.includes(f.match) : f.match.test(line);
}

export async function startReplayServer(opts: ReplayServerOptions): Promise<ReplayServer> {
  const envelopes = [...(opts.envelopes ?? []), ...(opts.dir ? await loadEnvelopes(opts.dir) : [])];
  const byKey = new Map<string, Envelope[]>();
  for (const env of envelopes) {
    const u = new URL(env.request.url);
    const key = matchKey(env.request.method, `${u.pathname}${u.search}`);
    const list = byKey.get(key) ?? [];
    list.push(env);
    byKey.set(key, list);
  }
  for (const list of byKey.values()) list.sort((a, b) => Date.parse(a.fetched_at) - Date.parse(b.fetched_at));
  const served = new Map<string, number>();
  let pinned: number | undefined;

  let faults: PendingFault[] = [];
  const setFaults = (fs: readonly Fault[]) => {
    faults = fs.map((f) => ({ ...f, remaining: f.times ?? 1 }));
  };
  setFaults(opts.faults ?? []);

  const requests: RecordedRequest[] = [];
  const timers = new Set<NodeJS.Timeout>();
  const sockets = new Set<Socket>();

  const send = (res: ServerResponse, status: number, headers: Record<string, string>, body: string) => {
    if (res.destroyed || res.writableEnded) return;
    res.writeHead(status, { ...headers, 'content-length': String(Buffer.byteLength(body)) });
    res.end(body);
  };

  /** The snapshot a request gets; `consume` advances round-robin (only for an answer actually delivered). */
  const nextEnvelope = (key: string, consume: boolean): Envelope | undefined => {
    const list = byKey.get(key);
    if (!list) return undefined;
    if (pinned !== undefined) return list[pinned % list.length];
    const n = served.get(key) ?? 0;
    if (consume) served.set(key, n + 1);
    return list[n % list.length];
  };

  const handle = async (req: IncomingMessage, res: ServerResponse) => {
    const chunks: Buffer[] = [];
    for await (const c of req) chunks.push(c as Buffer);
    const method = req.method ?? 'GET';
    const path = req.url ?? '/';
    const key = matchKey(method, path);
    const line = `${method} ${path}`;
    const headers: Record<string, string> = {};
    for (const [k, v] of Object.entries(req.headers)) {
      if (k !== 'authorization' && v !== undefined) headers[k] = Array.isArray(v) ? v.join(', ') : v;
    }
    const authScheme = req.headers.authorization?.split(' ')[0];
    const fault = faults.find((f) => faultMatches(f, line));
    if (fault) fault.remaining -= 1;
    const record = (status: number) =>
      requests.push({
        method,
        path,
        headers,
        authScheme,
        body: Buffer.concat(chunks).toString('utf8'),
        fault: fault?.kind,
        status,
      });

    // Faults that replace the answer entirely.
    if (fault?.kind === 'rate-limit') {
      record(429);
      return send(
        res,
        429,
        { 'content-type': 'application/json', 'retry-after': String(fault.retryAfterSeconds ?? 1) },
        JSON.stringify({ message: 'Too Many Requests', error: 429 }),
      );
    }
    if (fault?.kind === 'server-error') {
      const status = fault.status ?? 500;
      record(status);
      return send(
        res,
        status,
        { 'content-type': 'application/json' },
        JSON.stringify({ error: 'internal error' }),
      );
    }
    if (fault?.kind === 'html-error') {
      const status = fault.status ?? 503;
      record(status);
      return send(
        res,
        status,
        { 'content-type': 'text/html; charset=utf-8' },
        `<!DOCTYPE html><html><head><title>${status} Service Unavailable</title></head><body><h1>${status}</h1><p>The server is temporarily unable to service your request.</p></body></html>`,
      );
    }
    if (fault?.kind === 'unauthorized') {
      record(401);
      return send(
        res,
        401,
        { 'content-type': 'application/json' },
        JSON.stringify({ message: 'Unauthorized', error: 401 }),
      );
    }

    const spoiled =
      fault?.kind === 'truncated-json' || fault?.kind === 'slow' || fault?.kind === 'schema-drift';
    const env = nextEnvelope(key, !spoiled);
    let status: number;
    let outHeaders: Record<string, string>;
    let body: string;
    if (env) {
      status = env.response.status;
      outHeaders = {};
      for (const [k, v] of Object.entries(env.response.headers)) {
        if (!HOP_HEADERS.has(k.toLowerCase())) outHeaders[k.toLowerCase()] = v;
      }
      let value = env.response.body;
      if (fault?.kind === 'schema-drift') value = (fault.drift ?? defaultDrift)(value);
      body = typeof value === 'string' ? value : JSON.stringify(value);
      if (typeof value !== 'string' && !outHeaders['content-type'])
        outHeaders['content-type'] = 'application/json';
    } else if (method === 'POST' && key === 'POST /api/v1/access_token') {
      status = 200;
      outHeaders = { 'content-type': 'application/json' };
      body = JSON.stringify(REPLAY_TOKEN_BODY);
    } else {
      record(404);
      return send(
        res,
        404,
        { 'content-type': 'application/json' },
        JSON.stringify({ error: 'replay: no envelope for this request', request: line, matchKey: key }),
      );
    }
    if (fault?.kind === 'truncated-json') body = body.slice(0, Math.max(1, Math.floor(body.length / 2)));
    record(status);
    if (fault?.kind === 'slow') {
      const timer = setTimeout(() => {
        timers.delete(timer);
        send(res, status, outHeaders, body);
      }, fault.delayMs ?? 3000);
      timers.add(timer);
      return;
    }
    send(res, status, outHeaders, body);
  };

  const server = createServer((req, res) => {
    handle(req, res).catch((err: unknown) => {
      send(
        res,
        500,
        { 'content-type': 'application/json' },
        JSON.stringify({ error: `replay server: ${String(err)}` }),
      );
    });
  });
  server.on('connection', (s) => {
    sockets.add(s);
    s.on('close', () => sockets.delete(s));
  });
  server.listen(0, '127.0.0.1');
  await once(server, 'listening');
  const { port } = server.address() as AddressInfo;

  return {
    url: `http://127.0.0.1:${port}`,
    requests,
    envelopeCount: envelopes.length,
    addFault: (f) => {
      faults.push({ ...f, remaining: f.times ?? 1 });
    },
    setFaults,
    selectSnapshot: (index) => {
      pinned = index;
    },
    close: async () => {
      for (const t of timers) clearTimeout(t);
      timers.clear();
      for (const s of sockets) s.destroy();
      await new Promise<void>((resolve) => server.close(() => resolve()));
    },
  };
}

/** The HandlerDeps base URLs that point every upstream at a replay server. */
export function replayBaseUrls(server: Pick<ReplayServer, 'url'>): {
  coinloreBaseUrl: string;
  redditApiBaseUrl: string;
  redditAuthUrl: string;
} {
  const urls = replaySourceUrls(server);
  return { coinloreBaseUrl: urls.coinlore, redditApiBaseUrl: urls.redditApi, redditAuthUrl: urls.redditAuth };
}

/** The same endpoints in a twin source's shape (`ResolvedSource.baseUrls`). */
export function replaySourceUrls(server: Pick<ReplayServer, 'url'>): {
  coinlore: string;
  redditApi: string;
  redditAuth: string;
} {
  return {
    coinlore: `${server.url}/api`,
    redditApi: server.url,
    redditAuth: `${server.url}/api/v1/access_token`,
  };
}
