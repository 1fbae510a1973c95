import { mkdtemp, readdir, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join, relative } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { reprocess } from '../../cli/reprocess';
import { FsLakeStore } from '../../lambdas/adapters/fs-lake-store';
import type { BackfillSummary } from '../../lambdas/core/backfill';
import { DATASET_NAMES, DATASETS, type DatasetName } from '../../lambdas/core/datasets';
import { datasetKey, rejectsKey, stamp } from '../../lambdas/core/lake';
import { createLocalBackfill, type LocalBackfillOptions } from '../../local/backfill';
import type { TaskHandler } from '../../local/executor/executor';
import { runSnowpipe } from '../../local/snowpipe';
import { openWarehouse } from '../../local/warehouse';
import { rawTableName } from '../../sql/ddl';
import { type Archive, QUIET, RUNS, writeArchive } from './backfill-archive';

let root: string;
let raw: FsLakeStore;
let archive: Archive;
const RANGE = { from: RUNS[0]!.toISOString(), to: new Date(RUNS.at(-1)!.getTime() + 60_000).toISOString() };
const CONFIG = { itemsPerBatch: 3, maxConcurrency: 2, toleratedFailurePercentage: 0 };
const ITEMS = RUNS.length * DATASET_NAMES.length;

beforeAll(async () => {
  root = await mkdtemp(join(tmpdir(), 'fdl-backfill-'));
  raw = new FsLakeStore(join(root, 'archive'));
  archive = await writeArchive(raw);
});
afterAll(() => rm(root, { recursive: true, force: true }));

function backfill(lakeDir: string, overrides: Partial<LocalBackfillOptions> = {}) {
  return createLocalBackfill({
    raw,
    lake: new FsLakeStore(join(root, lakeDir)),
    config: CONFIG,
    logger: QUIET,
    ...overrides,
  });
}

async function files(dir: string): Promise<string[]> {
  const base = join(root, dir);
  return (await readdir(base, { recursive: true }))
    .map((f) => relative(base, join(base, f)).split('\\').join('/'))
    .filter((f) => f.endsWith('.parquet'))
    .sort();
}

/** A transform that fails (without retry: the error is not retryable) for the items `fails` picks. */
const failing =
  (fails: (item: { dataset: string; partitionTime: string }) => boolean) =>
  (transform: TaskHandler): TaskHandler =>
  async (payload, call) => {
    const item = payload as { dataset: string; partitionTime: string };
    if (fails(item))
      throw Object.assign(new Error(`injected failure for ${item.dataset}`), { name: 'InjectedError' });
    return transform(payload, call);
  };

describe('backfill (local twin)', () => {
  it('rebuilds every dataset of every run into rebuild-tagged files and summarizes when the archive is clean', async () => {
    const bf = backfill('clean');
    const r = await bf.execute(RANGE, { name: 'backfill-clean' });
    expect(r.status).toBe('SUCCEEDED');
    const s = r.output as BackfillSummary;
    expect(s.items).toBe(ITEMS);
    expect(s.itemsFailed).toBe(0);
    expect(s.batches).toBe(Math.ceil(ITEMS / CONFIG.itemsPerBatch));
    for (const d of DATASET_NAMES) {
      const t = s.perDataset.find((p) => p.dataset === d)!;
      expect(t.rows, d).toBe(archive.expectedRows[d].reduce((a, b) => a + b, 0));
    }
    expect(s.perDataset.find((p) => p.dataset === 'coinlore_tickers')!.rejects).toBe(
      archive.expectedRejects.reduce((a, b) => a + b, 0),
    );
    const expected = RUNS.flatMap((run) =>
      DATASET_NAMES.map((d) => datasetKey(d, run, 'backfill-clean')),
    ).sort();
    expect(await files('clean')).toEqual(expected);
    const lake = new FsLakeStore(join(root, 'clean'));
    expect((await lake.list('rejects/')).sort()).toEqual(
      RUNS.map((run) => rejectsKey('coinlore_tickers', run, 'backfill-clean')),
    );
    expect(bf.alerts).toEqual([]);
  });

  it('produces the same rows per dataset as fdl reprocess when both read the same archive', async () => {
    const bf = backfill('parity-backfill');
    expect((await bf.execute(RANGE, { name: 'backfill-parity' })).status).toBe('SUCCEEDED');
    await reprocess({ rawDir: join(root, 'archive'), lakeDir: join(root, 'parity-reprocess'), threads: 1 });
    // Both lakes go through the local Snowpipe, which casts every column to its RAW type.
    const whB = join(root, 'parity-b.duckdb');
    const whR = join(root, 'parity-r.duckdb');
    await runSnowpipe({ lake: new FsLakeStore(join(root, 'parity-backfill')), warehousePath: whB });
    await runSnowpipe({ lake: new FsLakeStore(join(root, 'parity-reprocess')), warehousePath: whR });
    const wh = await openWarehouse(whB);
    try {
      await wh.run(`ATTACH '${whR}' AS r (READ_ONLY)`);
      for (const d of DATASET_NAMES) {
        // run_id names the job that wrote the row (backfill-parity-… vs reprocess-…); every other column must match.
        const cols = DATASETS[d].columns.map((c) => c.name).filter((c) => c !== 'run_id');
        const t = `raw.${rawTableName(d)}`;
        const [n] = await wh.query(`SELECT count(*)::INT AS n FROM ${t}`);
        const [m] = await wh.query(`SELECT count(*)::INT AS n FROM r.${t}`);
        expect(n!.n, d).toBe(archive.expectedRows[d].reduce((a, b) => a + b, 0));
        expect(m!.n, d).toBe(n!.n);
        for (const [a, b] of [
          [t, `r.${t}`],
          [`r.${t}`, t],
        ])
          expect(
            (
              await wh.query(
                `SELECT count(*)::INT AS n FROM (SELECT ${cols} FROM ${a} EXCEPT ALL SELECT ${cols} FROM ${b})`,
              )
            )[0]!.n,
            `${d}: rows of ${a} missing from ${b}`,
          ).toBe(0);
        const runIds = (await wh.query(`SELECT DISTINCT run_id FROM ${t} ORDER BY 1`)).map((x) => x.run_id);
        expect(runIds).toEqual(RUNS.map((run) => `backfill-parity-${stamp(run)}`));
      }
    } finally {
      wh.close();
    }
  });

  it('succeeds, reports the failed batch and alerts when failures stay under the tolerated percentage', async () => {
    const bad = RUNS[1]!.toISOString();
    const bf = backfill('partial', {
      config: { itemsPerBatch: 1, maxConcurrency: 4, toleratedFailurePercentage: 10 },
      wrapTransform: failing((i) => i.dataset === 'coinlore_global' && i.partitionTime === bad),
    });
    const r = await bf.execute(RANGE, { name: 'backfill-partial' });
    expect(r.status).toBe('SUCCEEDED');
    const s = r.output as BackfillSummary;
    expect(s.itemsFailed).toBe(1);
    expect(s.batchesFailed).toBe(1);
    expect(s.failures).toEqual([
      expect.objectContaining({ error: 'InjectedError', items: [`coinlore_global@${bad}`] }),
    ]);
    // Everything else was rebuilt.
    expect((await files('partial')).length).toBe(ITEMS - 1);
    expect(bf.alerts).toHaveLength(1);
    expect(bf.alerts[0]!.subject).toContain('completed with failures');
    expect(bf.alerts[0]!.message).toContain(`coinlore_global@${bad}`);
  });

  it('fails the execution and alerts when more items fail than tolerated', async () => {
    const bf = backfill('over', {
      config: { itemsPerBatch: 2, maxConcurrency: 1, toleratedFailurePercentage: 10 },
      wrapTransform: failing((i) => i.dataset === 'reddit_posts'),
    });
    const r = await bf.execute(RANGE, { name: 'backfill-over' });
    expect(r.status).toBe('FAILED');
    expect(r.error).toBe('BackfillFailed');
    expect(r.cause).toContain('rebuild: States.ExceedToleratedFailureThreshold');
    expect(bf.alerts).toHaveLength(1);
    expect(bf.alerts[0]!.subject).toBe('finance-de-lab: backfill backfill-over failed');
    // The map's results are written even when it fails: the failed batches are on record.
    const lake = new FsLakeStore(join(root, 'over'));
    const failed = (await lake.list('backfill/backfill-over/results/')).filter((k) =>
      k.endsWith('FAILED_0.json'),
    );
    expect(failed).toHaveLength(1);
    const records = JSON.parse(Buffer.from(await lake.get(failed[0]!)).toString('utf8')) as {
      Error: string;
    }[];
    expect(records.every((x) => x.Error === 'InjectedError')).toBe(true);
  });

  it('rewrites the same keys with the same rows and loads nothing new when the same backfill runs again', async () => {
    const wh = join(root, 'rerun.duckdb');
    const lake = new FsLakeStore(join(root, 'rerun'));
    const counts = async () => {
      const w = await openWarehouse(wh);
      try {
        return Object.fromEntries(
          await Promise.all(
            DATASET_NAMES.map(async (d: DatasetName) => [
              d,
              (await w.query(`SELECT count(*)::INT AS n FROM raw.${rawTableName(d)}`))[0]!.n,
            ]),
          ),
        );
      } finally {
        w.close();
      }
    };
    expect((await backfill('rerun').execute(RANGE, { name: 'backfill-rerun' })).status).toBe('SUCCEEDED');
    const first = await files('rerun');
    const load1 = await runSnowpipe({ lake, warehousePath: wh });
    const after1 = await counts();
    const second = await backfill('rerun').execute(RANGE, { name: 'backfill-rerun' });
    expect(second.status).toBe('SUCCEEDED');
    expect((second.output as BackfillSummary).rows).toBe(load1.rowsLoaded);
    expect(await files('rerun')).toEqual(first);
    const load2 = await runSnowpipe({ lake, warehousePath: wh });
    expect(load2.loaded).toEqual([]);
    expect(load2.alreadyLoaded).toBe(first.length);
    expect(await counts()).toEqual(after1);
  });

  it('plans only the requested datasets and runs when given a narrower range', async () => {
    const bf = backfill('narrow');
    const r = await bf.execute(
      { from: RUNS[1]!.toISOString(), to: RUNS[2]!.toISOString(), datasets: ['reddit_comments'] },
      { name: 'backfill-narrow' },
    );
    expect(r.status).toBe('SUCCEEDED');
    expect(await files('narrow')).toEqual([datasetKey('reddit_comments', RUNS[1]!, 'backfill-narrow')]);
  });

  it('fails at plan and alerts when the input is invalid', async () => {
    const bf = backfill('invalid');
    const r = await bf.execute({ from: RANGE.to, to: RANGE.from }, { name: 'backfill-invalid' });
    expect(r.status).toBe('FAILED');
    expect(r.cause).toMatch(/^plan: ConfigError: backfill input: "from" .* must be before "to"/);
    expect(bf.alerts).toHaveLength(1);
  });
});
