/**
 * Shared set-up for extraction tests: a temp FsLakeStore, a simulated clock that advances when the code
 * sleeps (so waits are asserted, not timed), a capturing logger, and HandlerDeps pointed at a replay server.
 */
import { mkdtemp, readdir, readFile, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { FsLakeStore } from '../../lambdas/adapters/fs-lake-store';
import type { Envelope } from '../../lambdas/core/envelope';
import type { HandlerDeps, PipelineLogger } from '../../lambdas/deps';
import { type ReplayServer, replayBaseUrls } from '../../local/replay-server';

/** 2026-11-24T10:20:00Z: the partition time of the fixtures in test/fixtures/replay. */
export const FIXTURE_PARTITION_TIME = '2026-11-24T10:20:00.000Z';
export const FIXTURE_DIR = join(import.meta.dirname, '..', 'fixtures', 'replay');
export const FIXTURE_TOKEN = 'FAKE-fixture-token-0123456789abcdef';
export const TEST_CREDENTIALS = { clientId: 'test-client-id', clientSecret: 'test-client-secret-s3cr3t' };

export interface Harness {
  readonly root: string;
  readonly lake: FsLakeStore;
  /** Every log line, serialised as it would be printed. */
  readonly logLines: string[];
  /** Every sleep the code asked for, ms. */
  readonly sleeps: number[];
  clock: { nowMs: number };
  deps(server: ReplayServer, overrides?: Partial<HandlerDeps>): HandlerDeps;
  /** All archived envelopes with their keys. */
  envelopes(): Promise<{ key: string; envelope: Envelope & { error?: string } }[]>;
  /** The concatenated text of every file in the lake (for secret scans). */
  lakeText(): Promise<string>;
  dispose(): Promise<void>;
}

export async function makeHarness(startIso = FIXTURE_PARTITION_TIME): Promise<Harness> {
  const root = await mkdtemp(join(tmpdir(), 'fdl-extract-'));
  const lake = new FsLakeStore(root);
  const logLines: string[] = [];
  const sleeps: number[] = [];
  const clock = { nowMs: Date.parse(startIso) };
  const log =
    (level: string) =>
    (message: string, extra?: Record<string, unknown>): void => {
      logLines.push(JSON.stringify({ level, message, ...extra }));
    };
  const logger: PipelineLogger = {
    debug: log('DEBUG'),
    info: log('INFO'),
    warn: log('WARN'),
    error: log('ERROR'),
  };
  return {
    root,
    lake,
    logLines,
    sleeps,
    clock,
    deps: (server, overrides = {}) => ({
      lake,
      logger,
      ...replayBaseUrls(server),
      redditUserAgent: 'node:finance-de-lab-test:v0.1.0 (by /u/fdl_test)',
      getRedditCredentials: async () => TEST_CREDENTIALS,
      now: () => new Date(clock.nowMs),
      sleep: async (ms) => {
        sleeps.push(ms);
        clock.nowMs += ms;
      },
      ...overrides,
    }),
    envelopes: async () => {
      const keys = await lake.list('raw/');
      return Promise.all(
        keys.map(async (key) => ({
          key,
          envelope: JSON.parse(new TextDecoder().decode(await lake.get(key))),
        })),
      );
    },
    lakeText: async () => {
      const files = (await readdir(root, { recursive: true, withFileTypes: true })).filter((e) => e.isFile());
      const texts = await Promise.all(files.map((f) => readFile(join(f.parentPath, f.name), 'utf8')));
      return texts.join('\n');
    },
    dispose: () => rm(root, { recursive: true, force: true }),
  };
}
