import { existsSync } from 'node:fs';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { defaultBackfillName } from '../../cli/backfill';
import { main } from '../../cli/fdl';
import { FsLakeStore } from '../../lambdas/adapters/fs-lake-store';
import { DATASET_NAMES } from '../../lambdas/core/datasets';
import { datasetKey } from '../../lambdas/core/lake';
import { openWarehouse } from '../../local/warehouse';
import { type Archive, RUNS, writeArchive } from './backfill-archive';

let root: string;
let archive: Archive;
beforeAll(async () => {
  root = await mkdtemp(join(tmpdir(), 'fdl-cli-backfill-'));
  archive = await writeArchive(new FsLakeStore(join(root, 'archive')));
});
afterAll(() => rm(root, { recursive: true, force: true }));

const capture = () => {
  const out: string[] = [];
  const err: string[] = [];
  return { io: { out: (t: string) => out.push(t), err: (t: string) => err.push(t) }, out, err };
};

describe('fdl backfill', () => {
  it('answers --help with its usage', async () => {
    const c = capture();
    expect(await main(['backfill', '--help'], c.io)).toBe(0);
    expect(c.out.join('\n')).toMatch(/^Usage: fdl backfill --raw DIR --lake DIR/);
    const all = capture();
    await main(['--help'], all.io);
    expect(all.out.join('\n')).toMatch(/\n {2}backfill\s/);
  });

  it.each([
    [['backfill', '--raw', 'x'], /^fdl backfill: --lake is required \(see `fdl backfill --help`\)$/],
    [
      ['backfill', '--raw', 'x', '--lake', 'y', '--datasets', 'tickers'],
      /^fdl backfill: --datasets: unknown tickers; expected some of /,
    ],
    [['backfill', '--raw', 'x', '--lake', 'y', '--name', 'a b'], /^fdl backfill: --name "a b" must match/],
    [
      ['backfill', '--raw', 'x', '--lake', 'y', '--to', 'soon'],
      /^fdl backfill: --to "soon" is not an ISO-8601 time/,
    ],
  ])('exits 2 with one line when the command line is %j', async (argv, line) => {
    const c = capture();
    expect(await main(argv, c.io)).toBe(2);
    expect(c.err).toHaveLength(1);
    expect(c.err[0]).toMatch(line);
  });

  it('exits 1 naming the folder when --raw holds no raw envelopes', async () => {
    const c = capture();
    const empty = join(root, 'empty');
    await new FsLakeStore(empty).put('x.txt', 'x');
    expect(await main(['backfill', '--raw', empty, '--lake', join(root, 'o')], c.io)).toBe(1);
    expect(c.err[0]).toMatch(/^fdl backfill: no raw envelopes under .*empty\/raw\/;/);
  });

  it('exits 2 before writing when --lake is not the default and no --warehouse or --no-load is given', async () => {
    const c = capture();
    const lake = join(root, 'other-lake');
    expect(await main(['backfill', '--raw', join(root, 'archive'), '--lake', lake], c.io)).toBe(2);
    expect(c.err.at(-1)).toMatch(
      /is not the default lake.*pass --warehouse FILE for this lake, or --no-load/,
    );
    expect(existsSync(lake)).toBe(false);
  });

  it('rebuilds the whole archive by default and loads the rebuilt rows into the warehouse', async () => {
    const c = capture();
    {
      const lake = join(root, 'lake');
      const wh = join(root, 'warehouse.duckdb');
      const argv = ['backfill', '--raw', join(root, 'archive'), '--lake', lake, '--warehouse', wh];
      const code = await main(
        [...argv, '--alerts', join(root, 'alerts.jsonl'), '--name', 'backfill-cli'],
        c.io,
      );
      expect(code).toBe(0);
      const stdout = c.out.join('\n');
      const total = DATASET_NAMES.reduce((n, d) => n + archive.expectedRows[d].reduce((a, b) => a + b, 0), 0);
      expect(stdout).toMatch(
        new RegExp(
          `^total\\s+${RUNS.length * DATASET_NAMES.length}\\s+${RUNS.length * DATASET_NAMES.length}\\s+${total}\\s`,
          'm',
        ),
      );
      expect(c.err.join('\n')).toContain(`planned ${RUNS.length * DATASET_NAMES.length} item(s)`);
      expect(await new FsLakeStore(lake).list('coinlore_global/')).toEqual(
        RUNS.map((r) => datasetKey('coinlore_global', r, 'backfill-cli')),
      );
      const w = await openWarehouse(wh);
      try {
        const [n] = await w.query('SELECT count(*)::INT AS n FROM raw.coinlore_tickers');
        expect(n!.n).toBe(archive.expectedRows.coinlore_tickers.reduce((a, b) => a + b, 0));
      } finally {
        w.close();
      }
    }
  });

  it('names a backfill by its UTC start so later backfills sort after earlier ones', () => {
    expect(defaultBackfillName(new Date('2026-12-01T04:30:05.123Z'))).toBe('backfill-20261201T043005Z');
    expect(
      defaultBackfillName(new Date('2026-12-01T04:30:06Z')) >
        defaultBackfillName(new Date('2026-12-01T04:30:05Z')),
    ).toBe(true);
  });
});
