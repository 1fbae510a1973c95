/**
 * "The warehouse follows": a rule changes (the lexicon now reads "rally" like "liquidated"), a backfill
 * rebuilds, the local Snowpipe loads the rebuilt files as new files; EXPOSED shows the rebuilt values and
 * RAW keeps both loads. The changed rule is a module mock of lambdas/core/sentiment.ts, loaded only for
 * the backfill (vi.resetModules + vi.doMock), so the original files come from the unchanged code.
 */
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it, vi } from 'vitest';
import { FsLakeStore } from '../../lambdas/adapters/fs-lake-store';
import { parseBackfillRequest, planItems } from '../../lambdas/core/backfill';
import { datasetKey } from '../../lambdas/core/lake';
import { scoreSentiment } from '../../lambdas/core/sentiment';
import { createTransform } from '../../lambdas/handlers/transform';
import type * as LocalBackfill from '../../local/backfill';
import { runSnowpipe } from '../../local/snowpipe';
import { openWarehouse } from '../../local/warehouse';
import { QUIET, RALLY_COMMENT, RUNS, writeArchive } from './backfill-archive';

const CHANGED = (text: string) => text.replace(/\brally\b/gi, 'liquidated');
const RANGE = { from: RUNS[0]!.toISOString(), to: new Date(RUNS.at(-1)!.getTime() + 60_000).toISOString() };
let root: string;
let raw: FsLakeStore;

beforeAll(async () => {
  root = await mkdtemp(join(tmpdir(), 'fdl-rebuild-'));
  raw = new FsLakeStore(join(root, 'lake'));
  await writeArchive(raw);
});
afterAll(() => rm(root, { recursive: true, force: true }));

/** What the pipeline wrote: the transform handler per dataset and run, untagged keys. */
async function pipelineFiles(lake: FsLakeStore): Promise<void> {
  const transform = createTransform({ lake, logger: QUIET } as never);
  const req = parseBackfillRequest({ runId: 'pipeline', partitionTime: RANGE.from, ...RANGE });
  for (const { rebuild: _, ...item } of planItems(req, await lake.list('raw/'))) await transform(item);
}

/** local/backfill.ts loaded fresh with the changed lexicon. */
async function backfillWithChangedRule(): Promise<typeof LocalBackfill> {
  vi.resetModules();
  vi.doMock('../../lambdas/core/sentiment', async (importOriginal) => {
    const original = await importOriginal<typeof import('../../lambdas/core/sentiment')>();
    return {
      ...original,
      scoreSentiment: (text: string | null | undefined) => original.scoreSentiment(text && CHANGED(text)),
    };
  });
  try {
    return await import('../../local/backfill');
  } finally {
    vi.doUnmock('../../lambdas/core/sentiment');
  }
}

describe('backfill and the warehouse', () => {
  const before = scoreSentiment(RALLY_COMMENT);
  const after = scoreSentiment(CHANGED(RALLY_COMMENT));

  it('changes the label of the test comment (the premise of the next tests)', () => {
    expect(before.label).toBe('positive');
    expect(after.label).toBe('negative');
  });

  for (const loads of ['loaded before the backfill', 'loaded together with the backfill'] as const) {
    it(`shows the rebuilt sentiment in EXPOSED and keeps both loads in RAW when the originals were ${loads}`, async () => {
      const dir = join(root, loads.replace(/ /g, '-'));
      const lake = new FsLakeStore(dir);
      const wh = join(dir, 'warehouse.duckdb');
      for (const k of await raw.list('raw/')) await lake.put(k, await raw.get(k));
      await pipelineFiles(lake);
      if (loads === 'loaded before the backfill')
        await runSnowpipe({ lake, warehousePath: wh, now: () => new Date('2026-11-25T00:00:00Z') });

      const { createLocalBackfill } = await backfillWithChangedRule();
      const bf = createLocalBackfill({
        raw: lake,
        lake,
        config: { itemsPerBatch: 4, maxConcurrency: 2, toleratedFailurePercentage: 0 },
        logger: QUIET,
      });
      expect((await bf.execute(RANGE, { name: 'backfill-lexicon' })).status).toBe('SUCCEEDED');
      // A second load time for the rebuild, or the same one as the originals: the views must not care.
      await runSnowpipe({ lake, warehousePath: wh, now: () => new Date('2026-11-26T00:00:00Z') });

      const w = await openWarehouse(wh);
      try {
        const rawRows = await w.query(
          `SELECT src_file, sentiment_label, sentiment_score FROM raw.reddit_comments WHERE comment_id = 'c1' ORDER BY src_file`,
        );
        const original = RUNS.map((run) => datasetKey('reddit_comments', run));
        const rebuilt = RUNS.map((run) => datasetKey('reddit_comments', run, 'backfill-lexicon'));
        expect(rawRows.map((r) => r.src_file)).toEqual([...original, ...rebuilt].sort());
        for (const r of rawRows) {
          const isRebuild = String(r.src_file).includes('_backfill-lexicon');
          expect(r.sentiment_label).toBe(isRebuild ? after.label : before.label);
        }
        const exposed = await w.query(
          `SELECT sentiment_label, sentiment_score FROM exposed.reddit_items WHERE item_type = 'comment' AND item_id = 'c1'`,
        );
        expect(exposed).toEqual([{ sentiment_label: after.label, sentiment_score: after.score }]);
        // Nothing else changed: every comment is still there once.
        const [n] = await w.query(
          `SELECT count(*)::INT AS n FROM exposed.reddit_items WHERE item_type = 'comment'`,
        );
        const [m] = await w.query(`SELECT count(DISTINCT comment_id)::INT AS n FROM raw.reddit_comments`);
        expect(n!.n).toBe(m!.n);
      } finally {
        w.close();
      }
    });
  }
});
