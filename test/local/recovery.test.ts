/**
 * The runbook's recovery paths, exercised on the twin (docs/runbook.md, "Recovery without re-fetching"):
 * a failed run is redriven with the same execution name and start time, so every task writes the same
 * deterministic keys and the gap closes without a second copy. (Step Functions' redrive re-runs only the
 * failed states; the twin re-runs the whole execution, which lands the same objects because each task is
 * idempotent.)
 */
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { FsLakeStore } from '../../lambdas/adapters/fs-lake-store';
import type { LakeStore } from '../../lambdas/adapters/lake-store';
import type { PipelineInput } from '../../lambdas/contracts';
import { DATASET_NAMES } from '../../lambdas/core/datasets';
import { datasetKey } from '../../lambdas/core/lake';
import type { PipelineLogger } from '../../lambdas/deps';
import {
  loadEnvelopes,
  type ReplayServer,
  replaySourceUrls,
  startReplayServer,
} from '../../local/replay-server';
import { createTwin } from '../../local/runner';
import { describeRecording } from '../../local/sources';

const FIXTURES = join(import.meta.dirname, '..', 'fixtures', 'replay');
const quiet: PipelineLogger = { debug() {}, info() {}, warn() {}, error() {} };

/** A lake whose writes of one prefix fail while `broken` is true (an S3 outage during the transform). */
function flakyLake(inner: FsLakeStore, prefix: string) {
  const state = { broken: true };
  const lake: LakeStore = {
    location: inner.location,
    put: async (key, body, type) => {
      if (state.broken && key.startsWith(prefix)) throw new Error(`simulated outage writing ${key}`);
      return inner.put(key, body, type);
    },
    get: (key) => inner.get(key),
    list: (prefix) => inner.list(prefix),
    listObjects: (prefix) => inner.listObjects(prefix),
  };
  return { lake, state };
}

describe('recovery on the twin', () => {
  let server: ReplayServer;
  let input: PipelineInput;
  let at: Date;
  beforeAll(async () => {
    const envelopes = await loadEnvelopes(FIXTURES);
    const rec = describeRecording(envelopes);
    input = { subreddits: rec.subreddits, coinlorePages: rec.coinlorePages, lookbackMinutes: 15 };
    at = rec.start;
    server = await startReplayServer({ envelopes });
  });
  afterAll(async () => {
    await server.close();
  });

  it('closes the gap of a failed run when it is redriven with the same name and start time', async () => {
    const folder = new FsLakeStore(mkdtempSync(join(tmpdir(), 'fdl-redrive-')));
    const { lake, state } = flakyLake(folder, 'coinlore_tickers/');
    const twin = createTwin({
      lake,
      source: {
        baseUrls: replaySourceUrls(server),
        getRedditCredentials: async () => ({ clientId: 'test', clientSecret: 'test' }),
      },
      userAgent: 'test:finance-de-lab:0.0.0 (by /u/test)',
      logger: quiet,
      delayScale: 0,
      http: { maxAttempts: 1, timeoutMs: 5000 },
    });
    const partition = new Date(Math.floor(at.getTime() / 60_000) * 60_000);
    const expectedKeys = DATASET_NAMES.map((d) => datasetKey(d, partition)).sort();
    const landed = async () =>
      (await Promise.all(DATASET_NAMES.map((d) => folder.list(`${d}/`)))).flat().sort();

    const failed = await twin.execute(input, { name: 'run-1', at });
    expect(failed.status).toBe('FAILED');
    expect(await landed()).toEqual(expectedKeys.filter((k) => !k.startsWith('coinlore_tickers/')));

    state.broken = false;
    const redriven = await twin.execute(input, { name: failed.name, at });
    expect(redriven.status).toBe('SUCCEEDED');
    // The same keys: the redrive filled the gap and duplicated nothing.
    expect(await landed()).toEqual(expectedKeys);
  });
});
