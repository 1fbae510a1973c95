import { mkdirSync, mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { DuckDBInstance } from '@duckdb/node-api';
import { beforeAll, describe, expect, it } from 'vitest';
import { runCommand } from '../../cli/run';
import { type StatusData, statusCommand } from '../../cli/status';
import { FsLakeStore } from '../../lambdas/adapters/fs-lake-store';
import { chartData } from '../../local/dashboard';
import { globLiteral, loadErrorAlert, runSnowpipe } from '../../local/snowpipe';
import { LOAD_ERRORS_TABLE, openWarehouse } from '../../local/warehouse';

const PARTITION = 'coinlore_global/year=2026/month=11/day=24';

/** Write a Parquet file of `rows` rows with coins_count = 0 … rows-1 (the other columns load as NULL). */
async function writeRows(lake: string, key: string, rows: number): Promise<void> {
  const path = join(lake, key);
  mkdirSync(dirname(path), { recursive: true });
  const db = await DuckDBInstance.create(':memory:');
  const c = await db.connect();
  // The COPY target is a plain path (COPY TO does not glob), so odd names are written as they are.
  await c.run(
    `COPY (SELECT range::INTEGER AS coins_count FROM range(${rows})) TO '${path.replace(/'/g, "''")}' (FORMAT parquet)`,
  );
  c.closeSync();
  db.closeSync();
}

/** src_file → rows in RAW.COINLORE_GLOBAL. */
async function rowsBySrcFile(warehousePath: string): Promise<Record<string, number>> {
  const wh = await openWarehouse(warehousePath, { readOnly: true });
  try {
    const rows = await wh.query(
      'SELECT src_file, count(*) AS n FROM raw.coinlore_global GROUP BY src_file ORDER BY src_file',
    );
    return Object.fromEntries(rows.map((r) => [String(r.src_file), Number(r.n)]));
  } finally {
    wh.close();
  }
}

describe('local Snowpipe', () => {
  const dir = mkdtempSync(join(tmpdir(), 'fdl-snowpipe-test-'));

  describe('when one lake file is unreadable', () => {
    const lake = join(dir, 'bad-file-lake');
    const warehousePath = join(dir, 'bad-file.duckdb');
    const good = { [`${PARTITION}/a.parquet`]: 3, [`${PARTITION}/c.parquet`]: 5 };
    const bad = `${PARTITION}/b.parquet`;
    beforeAll(async () => {
      for (const [key, n] of Object.entries(good)) await writeRows(lake, key, n);
      // Sorts between the good files: the old loader stopped at the first error.
      writeFileSync(join(lake, bad), 'not parquet at all');
    });

    it('loads every other file and records the bad one with its first error', async () => {
      const at = new Date('2026-11-24T10:30:00Z');
      const seen: string[] = [];
      const report = await runSnowpipe({
        lake: new FsLakeStore(lake),
        warehousePath,
        now: () => at,
        onError: (e) => seen.push(e.srcFile),
      });
      expect(report.loaded.map((f) => f.srcFile).sort()).toEqual(Object.keys(good).sort());
      expect(report.rowsLoaded).toBe(Object.values(good).reduce((a, b) => a + b, 0));
      expect(await rowsBySrcFile(warehousePath)).toEqual(good);
      expect(report.failed).toHaveLength(1);
      expect(report.failed[0]).toMatchObject({ dataset: 'coinlore_global', srcFile: bad });
      expect(report.failed[0]!.firstError).toMatch(/magic bytes/i);
      // One line, and nothing of the file's content echoed.
      expect(report.failed[0]!.firstError).not.toContain('\n');
      expect(report.failed[0]!.firstError).not.toContain('not parquet at all');
      expect(seen).toEqual([bad]);

      const wh = await openWarehouse(warehousePath, { readOnly: true });
      try {
        const rows = await wh.query(`SELECT src_file, dataset, first_error FROM ${LOAD_ERRORS_TABLE}`);
        expect(rows).toEqual([
          { src_file: bad, dataset: 'coinlore_global', first_error: report.failed[0]!.firstError },
        ]);
      } finally {
        wh.close();
      }
    });

    it('does not retry the same failed file version on the next load, and retries it once rewritten', async () => {
      const again = await runSnowpipe({ lake: new FsLakeStore(lake), warehousePath });
      expect(again).toMatchObject({ loaded: [], failed: [], previouslyFailed: 1, alreadyLoaded: 2 });

      await writeRows(lake, bad, 4);
      const fixed = await runSnowpipe({ lake: new FsLakeStore(lake), warehousePath });
      expect(fixed.loaded).toEqual([{ dataset: 'coinlore_global', srcFile: bad, rows: 4 }]);
      expect(fixed.previouslyFailed).toBe(0);
    });

    it('alerts the failure in the shape of a Snowpipe error notification', () => {
      const at = new Date('2026-11-24T10:30:00Z');
      const alert = loadErrorAlert(
        { dataset: 'coinlore_global', srcFile: bad, firstError: 'No magic bytes found' },
        at,
      );
      expect(alert.subject).toBe('Snowpipe load failed: LOCAL.RAW.COINLORE_GLOBAL_PIPE');
      expect(JSON.parse(alert.message)).toEqual({
        messageType: 'INGEST_FAILED_FILE',
        timestamp: at.toISOString(),
        pipeName: 'LOCAL.RAW.COINLORE_GLOBAL_PIPE',
        tableName: 'LOCAL.RAW.COINLORE_GLOBAL',
        messages: [{ fileName: bad, firstError: 'No magic bytes found' }],
      });
    });
  });

  it('lets `fdl run` succeed, twice, with an unreadable file in the lake, and alerts it once', async () => {
    const run = join(dir, 'run');
    const bad = `${PARTITION}/coinlore_global_19990101_0000.parquet`;
    mkdirSync(dirname(join(run, 'lake', bad)), { recursive: true });
    writeFileSync(join(run, 'lake', bad), 'PAR1 truncated');
    const alerts = join(run, 'alerts.jsonl');
    const argv = [
      '--source',
      `replay:${join(import.meta.dirname, '..', 'fixtures', 'replay')}`,
      '--ticks',
      '1',
      '--lake',
      join(run, 'lake'),
      '--warehouse',
      join(run, 'warehouse.duckdb'),
      '--dashboard',
      join(run, 'index.html'),
      '--alerts',
      alerts,
    ];
    const write = process.stdout.write;
    process.stdout.write = () => true;
    try {
      expect(await runCommand.run(argv)).toBe(0);
      expect(await runCommand.run(argv)).toBe(0);
    } finally {
      process.stdout.write = write;
    }
    const pipeErrors = readFileSync(alerts, 'utf8')
      .split('\n')
      .filter(Boolean)
      .map((l) => JSON.parse(l) as { message: string })
      .filter((a) => a.message.includes('INGEST_FAILED_FILE'));
    expect(pipeErrors).toHaveLength(1);
    expect(JSON.parse(pipeErrors[0]!.message).messages[0].fileName).toBe(bad);
    const rows = await rowsBySrcFile(join(run, 'warehouse.duckdb'));
    expect(Object.keys(rows).length).toBeGreaterThan(0);
    expect(rows[bad]).toBeUndefined();
    // The dashboard's freshness chart counts the load error against its dataset, and only that one.
    const wh = await openWarehouse(join(run, 'warehouse.duckdb'), { readOnly: true });
    try {
      const freshness = (await chartData(wh)).find((c) => c.id === 'dataset-freshness')!.rows;
      expect(Object.fromEntries(freshness.map((r) => [r.dataset, Number(r.load_errors)]))).toEqual({
        coinlore_global: 1,
        coinlore_tickers: 0,
        reddit_comments: 0,
        reddit_posts: 0,
      });
    } finally {
      wh.close();
    }
  });

  it('shows per dataset files in lake vs loaded, the oldest unloaded file and load errors in `fdl status --json`', async () => {
    const lake = join(dir, 'status-lake');
    const warehousePath = join(dir, 'status.duckdb');
    await writeRows(lake, `${PARTITION}/a.parquet`, 2);
    writeFileSync(
      join(lake, PARTITION, 'b.parquet'),
      'garbage, but long enough to be read as a Parquet file',
    );
    await runSnowpipe({ lake: new FsLakeStore(lake), warehousePath });
    // Written after the load: waiting for the next one.
    await writeRows(lake, `${PARTITION}/d.parquet`, 1);
    await writeRows(lake, `${PARTITION}/c.parquet`, 1);
    const out: string[] = [];
    const write = process.stdout.write;
    process.stdout.write = ((chunk: string) => out.push(chunk) > 0) as typeof process.stdout.write;
    try {
      expect(await statusCommand.run(['--lake', lake, '--warehouse', warehousePath, '--json'])).toBe(0);
    } finally {
      process.stdout.write = write;
    }
    const doc = JSON.parse(out.join('')) as StatusData;
    // The same facts as the text tables: lake prefixes and RAW tables.
    expect(doc.lake.prefixes.find((p) => p.prefix === 'coinlore_global/')?.files).toBe(4);
    expect(doc.warehouse.rawTables.find((t) => t.table === 'RAW.COINLORE_GLOBAL')).toMatchObject({
      rows: 2,
      filesLoaded: 1,
    });
    const global = doc.pipes.find((p) => p.dataset === 'coinlore_global')!;
    expect(global).toMatchObject({
      pipeState: 'RUNNING',
      filesInLake: 4,
      filesLoaded: 1,
      filesUnloaded: 2,
      oldestUnloaded: { file: `${PARTITION}/d.parquet` },
      loadErrors: [{ file: `${PARTITION}/b.parquet`, error: expect.stringMatching(/magic bytes/i) }],
    });
    expect(global.problems).toEqual([
      `coinlore_global: not loaded: ${PARTITION.slice('coinlore_global/'.length)}/c.parquet`,
      `coinlore_global: not loaded: ${PARTITION.slice('coinlore_global/'.length)}/d.parquet`,
      expect.stringMatching(/^coinlore_global: load failed: .*b\.parquet \(.*magic bytes/i),
    ]);
    const tickers = doc.pipes.find((p) => p.dataset === 'coinlore_tickers')!;
    expect(tickers).toMatchObject({ filesInLake: 0, filesUnloaded: 0, loadErrors: [], problems: [] });
  });

  describe('when lake file names contain glob characters', () => {
    const lake = join(dir, 'glob-lake');
    const warehousePath = join(dir, 'glob.duckdb');
    // Each odd name matches, as a pattern, some of the plain files beside it.
    const files = {
      [`${PARTITION}/x1.parquet`]: 1,
      [`${PARTITION}/x2.parquet`]: 2,
      [`${PARTITION}/x[12].parquet`]: 7,
      [`${PARTITION}/x*.parquet`]: 11,
      [`${PARTITION}/x?.parquet`]: 13,
    };
    beforeAll(async () => {
      for (const [key, n] of Object.entries(files)) await writeRows(lake, key, n);
    });

    it('loads exactly each file’s own rows under its own src_file', async () => {
      const report = await runSnowpipe({ lake: new FsLakeStore(lake), warehousePath });
      expect(report.failed).toEqual([]);
      expect(await rowsBySrcFile(warehousePath)).toEqual(files);
    });

    it('escapes each glob character as a one-character class', () => {
      expect(globLiteral('/l/a[1]/x*?.parquet')).toBe('/l/a[[]1]/x[*][?].parquet');
      expect(globLiteral('/plain/x.parquet')).toBe('/plain/x.parquet');
    });
  });
});
