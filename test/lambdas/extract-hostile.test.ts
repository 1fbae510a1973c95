import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { SchemaDriftError } from '../../lambdas/core/errors';
import { MAX_JSON_DEPTH } from '../../lambdas/core/json-guard';
import { rawKey } from '../../lambdas/core/lake';
import { createExtractCoinlore } from '../../lambdas/handlers/extract-coinlore';
import { type ReplayServer, startReplayServer } from '../../local/replay-server';
import { FIXTURE_DIR, FIXTURE_PARTITION_TIME, type Harness, makeHarness } from './extract-harness';

const deep = (levels: number) => `${'['.repeat(levels)}${']'.repeat(levels)}`;

describe('createExtractCoinlore with a hostile tickers page', () => {
  let server: ReplayServer;
  let h: Harness;
  beforeAll(async () => {
    server = await startReplayServer({ dir: FIXTURE_DIR });
  });
  afterAll(() => server.close());
  afterEach(async () => {
    server.setFaults([]);
    await h.dispose();
  });

  it('archives the page before refusing it when the body is nested 5,000 levels deep', async () => {
    h = await makeHarness();
    server.setFaults([{ kind: 'schema-drift', match: '/api/tickers/', drift: () => deep(5000) }]);
    const err = await createExtractCoinlore(h.deps(server))({
      runId: 'run-deep',
      partitionTime: FIXTURE_PARTITION_TIME,
      pages: 1,
    }).catch((e: unknown) => e);
    expect(err).toBeInstanceOf(SchemaDriftError);
    expect((err as Error).message).toContain(`deeper than ${MAX_JSON_DEPTH} levels`);
    const archived = await h.envelopes();
    expect(archived.map((a) => a.key)).toEqual([
      rawKey('coinlore', 'tickers', new Date(FIXTURE_PARTITION_TIME), 'p000'),
    ]);
    expect(archived[0]!.envelope.response.body).toBe(deep(5000));
  });
});
