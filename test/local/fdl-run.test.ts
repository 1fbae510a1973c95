import { existsSync, mkdtempSync, readdirSync, readFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { beforeAll, describe, expect, it } from 'vitest';
import { main } from '../../cli/fdl';
import { openLake, parseLakeLocation } from '../../cli/kit/lake-flags';
import { type RunSummary, runPipeline } from '../../cli/run';
import { statusReport } from '../../cli/status';
import { DATASET_NAMES, DATASETS, type DatasetName } from '../../lambdas/core/datasets';
import type { Envelope } from '../../lambdas/core/envelope';
import { openDashboardPage } from '../../local/browser';
import { openWarehouse } from '../../local/warehouse';
import { rawTableName } from '../../sql/ddl';
import { EXPOSED_VIEW_NAMES } from '../../sql/views';

const FIXTURES = join(import.meta.dirname, '..', 'fixtures', 'replay');

/** Files under a folder, recursively. */
const walk = (dir: string): string[] =>
  existsSync(dir)
    ? readdirSync(dir, { withFileTypes: true }).flatMap((e) =>
        e.isDirectory() ? walk(join(dir, e.name)) : [join(dir, e.name)],
      )
    : [];

/**
 * Expected RAW rows per dataset, from the envelopes the runs archived (copies of the fixtures): unique
 * natural ids of the items in them, minus the rows the transform rejected (rejects/ lines).
 */
function expectedRows(lake: string): Record<DatasetName, number> {
  const items = (dataset: DatasetName): number => {
    const spec = DATASETS[dataset];
    const envelopes = walk(join(lake, 'raw', spec.source, spec.endpoint)).map(
      (f) => JSON.parse(readFileSync(f, 'utf8')) as Envelope,
    );
    const keys = new Set<string>();
    for (const e of envelopes) {
      const body = e.response.body as Record<string, unknown> | unknown[];
      if (dataset === 'coinlore_global') keys.add(e.fetched_at);
      else if (dataset === 'coinlore_tickers')
        for (const t of (body as { data: { id: string }[] }).data) keys.add(`${e.fetched_at} ${t.id}`);
      else
        for (const c of (body as { data: { children: { kind: string; data: { id: string } }[] } }).data
          .children)
          if (c.kind === (dataset === 'reddit_posts' ? 't3' : 't1'))
            keys.add(`${e.fetched_at.slice(0, 16)} ${c.data.id}`);
    }
    return keys.size;
  };
  const rejected = (dataset: DatasetName) =>
    walk(join(lake, 'rejects', dataset)).reduce(
      (n, f) =>
        n +
        readFileSync(f, 'utf8')
          .split('\n')
          .filter((l) => l.trim()).length,
      0,
    );
  return Object.fromEntries(DATASET_NAMES.map((d) => [d, items(d) - rejected(d)])) as Record<
    DatasetName,
    number
  >;
}

describe('fdl run', () => {
  const dir = mkdtempSync(join(tmpdir(), 'fdl-run-'));
  const argv = [
    '--source',
    `replay:${FIXTURES}`,
    '--lake',
    join(dir, 'lake'),
    '--warehouse',
    join(dir, 'warehouse.duckdb'),
    '--dashboard',
    join(dir, 'dashboard', 'index.html'),
    '--alerts',
    join(dir, 'alerts.jsonl'),
  ];
  let first: RunSummary;
  let second: RunSummary;
  let output: string[];

  // No browser here: only the Chromium test needs one, so a machine without it loses that test alone
  // (it fails with the install hint) and the RAW, rerun, metadata and status tests still run.
  beforeAll(async () => {
    output = [];
    first = await runPipeline(argv, (l) => output.push(l));
    second = await runPipeline(argv, () => {});
  });

  it('loads the rows the fixtures hold into RAW, and re-running adds no duplicates', () => {
    const expected = expectedRows(join(dir, 'lake'));
    expect(first.ticks.every((t) => t.status === 'SUCCEEDED')).toBe(true);
    expect(first.rawRows).toEqual(expected);
    expect(second.rawRows).toEqual(expected);
    expect(Object.values(expected).every((n) => n > 0)).toBe(true);
    expect(second.filesLoaded).toBe(first.filesLoaded);
  });

  it('fills load metadata and keeps hive partition columns out of RAW', async () => {
    const wh = await openWarehouse(first.warehouse, { readOnly: true });
    try {
      const cols = await wh.query(
        `SELECT column_name FROM information_schema.columns WHERE lower(table_schema) = 'raw' AND lower(table_name) = '${rawTableName('reddit_posts').toLowerCase()}'`,
      );
      const names = cols.map((c) => String(c.column_name).toLowerCase());
      expect(names).not.toContain('year');
      expect(names).toContain('src_file');
      const [meta] = await wh.query(
        'SELECT min(file_row_number) AS min_row, count(*) FILTER (WHERE src_file IS NULL OR loaded_at IS NULL OR file_last_modified IS NULL) AS missing, min(src_file) AS src FROM raw.COINLORE_TICKERS',
      );
      expect(meta).toMatchObject({ min_row: 1, missing: 0 });
      expect(String(meta!.src)).toMatch(
        /^coinlore_tickers\/year=\d{4}\/month=\d{2}\/day=\d{2}\/coinlore_tickers_\d{8}_\d{4}\.parquet$/,
      );
      for (const view of EXPOSED_VIEW_NAMES) {
        const [r] = await wh.query(`SELECT count(*) AS n FROM exposed.${view}`);
        expect({ view, rows: Number(r!.n) > 0 }).toEqual({ view, rows: true });
      }
    } finally {
      wh.close();
    }
  });

  it('prints where the lake, warehouse and dashboard are, ending with the dashboard path', () => {
    expect(output.some((l) => l.startsWith('Lake:') && l.includes(join(dir, 'lake')))).toBe(true);
    expect(output.some((l) => l.startsWith('Warehouse:'))).toBe(true);
    expect(output.at(-1)).toBe(`Dashboard:  ${join(dir, 'dashboard', 'index.html')}`);
  });

  it('renders the dashboard in Chromium with no console errors and marks in every chart', async () => {
    const page = await openDashboardPage(second.dashboard);
    try {
      expect(page.consoleErrors).toEqual([]);
      const marks = await page.page.evaluate(() =>
        Array.from(document.querySelectorAll('.chart'), (el) => ({
          id: el.id,
          marks: el.querySelectorAll('g.role-mark:not(.mark-rule) > *').length,
        })),
      );
      expect(marks.length).toBeGreaterThanOrEqual(6);
      for (const m of marks)
        expect({ id: m.id, hasMarks: m.marks > 0 }).toEqual({ id: m.id, hasMarks: true });
    } finally {
      await page.close();
    }
  });

  it('reports lake files and warehouse rows in status', async () => {
    const report = await statusReport(await openLake(parseLakeLocation(join(dir, 'lake'))), first.warehouse);
    for (const d of DATASET_NAMES)
      expect(report).toMatch(new RegExp(`RAW\\.${rawTableName(d)}\\s+${first.rawRows[d]}\\s`));
    expect(report).toMatch(/raw\/coinlore\/tickers\//);
  });
});

describe('fdl', () => {
  const capture = () => {
    const out: string[] = [];
    const err: string[] = [];
    return { io: { out: (t: string) => out.push(t), err: (t: string) => err.push(t) }, out, err };
  };

  it('lists every command on --help and answers --help for each', async () => {
    const c = capture();
    expect(await main(['--help'], c.io)).toBe(0);
    for (const name of ['run', 'reprocess', 'load', 'dashboard', 'status', 'check-ingestion'])
      expect(c.out.join('\n')).toMatch(new RegExp(`\\n  ${name}\\s`));
    for (const name of ['run', 'reprocess', 'load', 'dashboard', 'status', 'check-ingestion']) {
      const h = capture();
      expect(await main([name, '--help'], h.io)).toBe(0);
      expect(h.out.join('\n')).toMatch(new RegExp(`^Usage: fdl ${name}`));
    }
  });

  it.each([
    [['frobnicate'], /^fdl: unknown command "frobnicate" \(`fdl --help` lists the commands\)$/],
    [['status', '--bogus'], /^fdl status: unknown flag --bogus \(see `fdl status --help`\)$/],
    [['run', '--source', 'nope'], /^fdl run: --source must be live, replay:<dir> or auto, got "nope" \(see/],
    [['check-ingestion'], /^fdl check-ingestion: --env is required .*\(see `fdl check-ingestion --help`\)$/],
    [['check-ingestion', '--env', 'dev', '--x'], /^fdl check-ingestion: unknown flag --x \(see/],
  ])(
    'exits 2 with one line naming the problem and pointing at --help when the command line is %j',
    async (argv, line) => {
      const c = capture();
      expect(await main(argv, c.io)).toBe(2);
      expect(c.err).toHaveLength(1);
      expect(c.err[0]).not.toContain('\n');
      expect(c.err[0]).toMatch(line);
    },
  );

  it('exits 1 with one line and the log path on a runtime error', async () => {
    const c = capture();
    const missing = join(tmpdir(), 'fdl-no-such-dir', 'warehouse.duckdb');
    expect(await main(['dashboard', '--warehouse', missing], c.io)).toBe(1);
    expect(c.err).toHaveLength(1);
    expect(c.err[0]).toMatch(
      /^fdl dashboard: no warehouse at .* \(details: .*\.local\/logs\/dashboard-.*\.log\)$/,
    );
  });

  it('refuses to load a lake that does not exist instead of creating an empty warehouse', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'fdl-load-'));
    const c = capture();
    expect(
      await main(['load', '--lake', join(dir, 'lake'), '--warehouse', join(dir, 'w.duckdb')], c.io),
    ).toBe(1);
    expect(c.err).toHaveLength(1);
    expect(c.err[0]).toMatch(/^fdl load: no lake at .*lake: run `fdl run` first.*\(details: .*\.log\)$/);
    expect(existsSync(join(dir, 'w.duckdb'))).toBe(false);
  });

  it('names the replay folder and what to pass when it does not exist', async () => {
    const c = capture();
    const missing = join(tmpdir(), 'fdl-no-such-replay');
    expect(await main(['run', '--source', `replay:${missing}`, '--lake', join(missing, 'lake')], c.io)).toBe(
      1,
    );
    expect(c.err).toHaveLength(1);
    expect(c.err[0]).toMatch(
      /^fdl run: replay: .*fdl-no-such-replay is not a folder of envelopes; pass one, e\.g\./,
    );
  });
});
