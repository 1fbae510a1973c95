import { describe, expect, it } from 'vitest';
import { checkIngestion, checkIngestionCommand, parseCheckIngestionArgs } from '../../cli/check-ingestion';
import { UsageError } from '../../cli/kit/args';
import { env as dev } from '../../envs/dev.env';
import { DATASET_NAMES } from '../../lambdas/core/datasets';
import { datasetKey } from '../../lambdas/core/lake';
import {
  copyHistoryQuery,
  exitCodeFor,
  formatReport,
  IngestionCheckParseError,
  lakePrefixesForWindow,
  parseCopyHistory,
  parsePipeStatus,
  pipeStatusQuery,
  reconcile,
  relativeToDataset,
} from '../../sql/ingestion-check';

// ---- Recorded result shapes (docs/external-facts.md#snowpipe; snowflake-sdk returns upper-case column keys) ------------
/** What `SELECT SYSTEM$PIPE_STATUS('FDL_DEV.RAW.COINLORE_TICKERS_PIPE')` returns: one VARCHAR of JSON. */
const RUNNING_STATUS = JSON.stringify({
  executionState: 'RUNNING',
  pendingFileCount: 0,
  lastIngestedTimestamp: '2026-11-24T10:21:14.102Z',
  lastIngestedFilePath: 'year=2026/month=11/day=24/coinlore_tickers_20261124_1020.parquet',
  notificationChannelName: 'arn:aws:sns:eu-west-1:111111111111:fdl-dev-coinlore-tickers-v1',
  numOutstandingMessagesOnChannel: 0,
  lastReceivedMessageTimestamp: '2026-11-24T10:21:13.870Z',
  lastForwardedMessageTimestamp: '2026-11-24T10:21:14.005Z',
  lastPulledFromChannelTimestamp: '2026-11-24T10:29:55.313Z',
  lastForwardedFilePath:
    'finance-de-lab-dev-eu-west-1/coinlore_tickers/year=2026/month=11/day=24/coinlore_tickers_20261124_1020.parquet',
});
const STOPPED_STATUS = JSON.stringify({
  executionState: 'STOPPED_MISSING_TABLE',
  pendingFileCount: 2,
  error: 'Table FDL_DEV.RAW.REDDIT_POSTS does not exist or not authorized.',
});

const key = (hhmm: string) => datasetKey('coinlore_tickers', new Date(`2026-11-24T${hhmm}:00.000Z`));
const rel = (hhmm: string) => relativeToDataset(key(hhmm), 'coinlore_tickers');

/** COPY_HISTORY rows: FILE_NAME relative to the stage, LAST_LOAD_TIME as snowflake-sdk gives a TIMESTAMP_LTZ. */
const HISTORY_ROWS = [
  {
    FILE_NAME: rel('10:00'),
    STAGE_LOCATION: 's3://finance-de-lab-dev-eu-west-1/coinlore_tickers/',
    STATUS: 'Loaded',
    ROW_COUNT: 500,
    FIRST_ERROR_MESSAGE: null,
    LAST_LOAD_TIME: new Date('2026-11-24T10:01:12.000Z'),
  },
  {
    FILE_NAME: rel('10:10'),
    STAGE_LOCATION: 's3://finance-de-lab-dev-eu-west-1/coinlore_tickers/',
    STATUS: 'Load failed',
    ROW_COUNT: 0,
    FIRST_ERROR_MESSAGE: 'Error parsing the parquet file: Invalid: Parquet magic bytes not found',
    LAST_LOAD_TIME: '2026-11-24 10:11:05.311 +0000',
  },
];

const NOW = new Date('2026-11-24T10:30:00.000Z');
const WINDOW = { start: new Date('2026-11-24T09:30:00.000Z'), end: NOW, graceMinutes: 10 };
const LAKE = [
  { key: key('10:00'), lastModified: new Date('2026-11-24T10:00:40Z') },
  { key: key('10:10'), lastModified: new Date('2026-11-24T10:10:40Z') },
  // Too recent to judge (inside the 10-minute grace).
  { key: key('10:25'), lastModified: new Date('2026-11-24T10:25:40Z') },
  // Before the window.
  { key: key('09:00'), lastModified: new Date('2026-11-24T09:00:40Z') },
];

describe('ingestion check', () => {
  it('builds the pipe status and COPY_HISTORY queries from the naming helpers when given a dataset', () => {
    expect(pipeStatusQuery('FDL_DEV', 'reddit_posts')).toBe(
      "SELECT SYSTEM$PIPE_STATUS('FDL_DEV.RAW.REDDIT_POSTS_PIPE') AS PIPE_STATUS",
    );
    const q = copyHistoryQuery('FDL_DEV', 'coinlore_tickers', WINDOW.start);
    expect(q).toContain('FROM TABLE(FDL_DEV.INFORMATION_SCHEMA.COPY_HISTORY(');
    expect(q).toContain("TABLE_NAME => 'FDL_DEV.RAW.COINLORE_TICKERS'");
    expect(q).toContain(
      "START_TIME => TO_TIMESTAMP_LTZ('2026-11-24 09:30:00 +00:00', 'YYYY-MM-DD HH24:MI:SS TZH:TZM')",
    );
    for (const col of ['FILE_NAME', 'STATUS', 'ROW_COUNT', 'LAST_LOAD_TIME']) expect(q).toContain(col);
  });

  it('parses SYSTEM$PIPE_STATUS JSON when the pipe is running or stopped', () => {
    expect(parsePipeStatus(RUNNING_STATUS, 'p')).toMatchObject({
      executionState: 'RUNNING',
      pendingFileCount: 0,
      lastIngestedTimestamp: '2026-11-24T10:21:14.102Z',
      notificationChannelName: 'arn:aws:sns:eu-west-1:111111111111:fdl-dev-coinlore-tickers-v1',
    });
    expect(parsePipeStatus(STOPPED_STATUS, 'p')).toMatchObject({
      executionState: 'STOPPED_MISSING_TABLE',
      pendingFileCount: 2,
      error: 'Table FDL_DEV.RAW.REDDIT_POSTS does not exist or not authorized.',
    });
  });

  it.each([
    ['not JSON', 'SQL compilation error'],
    ['not a string', 42],
  ])('throws a named parse error when the status is %s', (_, value) => {
    expect(() => parsePipeStatus(value, 'FDL_DEV.RAW.X_PIPE')).toThrow(IngestionCheckParseError);
    expect(() => parsePipeStatus(value, 'FDL_DEV.RAW.X_PIPE')).toThrow(/FDL_DEV\.RAW\.X_PIPE/);
  });

  it('normalizes COPY_HISTORY rows when times come as Date or string', () => {
    const [loaded, failed] = parseCopyHistory(HISTORY_ROWS);
    expect(loaded).toMatchObject({ status: 'Loaded', rowCount: 500, firstErrorMessage: undefined });
    expect(loaded!.lastLoadTime?.toISOString()).toBe('2026-11-24T10:01:12.000Z');
    expect(failed).toMatchObject({ status: 'Load failed', rowCount: 0 });
    expect(failed!.lastLoadTime?.toISOString()).toBe('2026-11-24T10:11:05.311Z');
    expect(() => parseCopyHistory([{ STATUS: 'Loaded' }])).toThrow(IngestionCheckParseError);
  });

  it.each([
    ['a lake key', 'coinlore_tickers/year=2026/month=11/day=24/x.parquet'],
    ['a full S3 URL', 's3://bucket/coinlore_tickers/year=2026/month=11/day=24/x.parquet'],
    ['a stage-relative name', 'year=2026/month=11/day=24/x.parquet'],
  ])('compares file names relative to the dataset prefix when given %s', (_, name) => {
    expect(relativeToDataset(name, 'coinlore_tickers')).toBe('year=2026/month=11/day=24/x.parquet');
  });

  it('lists one day partition per UTC day the window touches', () => {
    expect(
      lakePrefixesForWindow(
        'reddit_posts',
        new Date('2026-11-23T22:00:00Z'),
        new Date('2026-11-24T10:00:00Z'),
      ),
    ).toEqual(['reddit_posts/year=2026/month=11/day=23/', 'reddit_posts/year=2026/month=11/day=24/']);
  });

  it('reports missing and failed files when the lake holds files the pipe did not load', () => {
    const result = reconcile({
      dataset: 'coinlore_tickers',
      pipe: parsePipeStatus(RUNNING_STATUS, 'p'),
      history: parseCopyHistory(HISTORY_ROWS),
      lakeFiles: LAKE,
      window: WINDOW,
    });
    expect(result).toMatchObject({ filesInLake: 2, filesRecent: 1, filesLoaded: 1, rowsLoaded: 500 });
    expect(result.missing).toEqual([rel('10:10')]);
    expect(result.failed).toEqual([{ file: rel('10:10'), error: expect.stringContaining('magic bytes') }]);
    expect(exitCodeFor([result])).toBe(1);
  });

  it('exits 0 when every pipe runs and every judged file was loaded', () => {
    const result = reconcile({
      dataset: 'coinlore_tickers',
      pipe: parsePipeStatus(RUNNING_STATUS, 'p'),
      history: parseCopyHistory([{ ...HISTORY_ROWS[0]! }]),
      lakeFiles: LAKE.slice(0, 1),
      window: WINDOW,
    });
    expect(exitCodeFor([result])).toBe(0);
    expect(formatReport([result])).toContain('OK: every pipe RUNNING');
  });

  it('exits 1 and names the state when a pipe is not RUNNING even with nothing missing', () => {
    const result = reconcile({
      dataset: 'reddit_posts',
      pipe: parsePipeStatus(STOPPED_STATUS, 'p'),
      history: [],
      lakeFiles: [],
      window: WINDOW,
    });
    expect(exitCodeFor([result])).toBe(1);
    expect(formatReport([result])).toContain('reddit_posts: pipe is STOPPED_MISSING_TABLE');
  });

  it('checks every dataset through injected Snowflake and S3 clients when run', async () => {
    const queries: string[] = [];
    const listed: string[] = [];
    const results = await checkIngestion(
      dev,
      { hours: 1, graceMinutes: 10 },
      {
        now: NOW,
        query: async (sql) => {
          queries.push(sql);
          if (sql.includes('SYSTEM$PIPE_STATUS')) return [{ PIPE_STATUS: RUNNING_STATUS }];
          return sql.includes("'FDL_DEV.RAW.COINLORE_TICKERS'") ? HISTORY_ROWS : [];
        },
        listLake: async (prefix) => {
          listed.push(prefix);
          return prefix.startsWith('coinlore_tickers/') ? LAKE : [];
        },
      },
    );
    expect(results.map((r) => r.dataset)).toEqual([...DATASET_NAMES]);
    expect(queries).toHaveLength(DATASET_NAMES.length * 2);
    expect(listed).toEqual(DATASET_NAMES.map((d) => `${d}/year=2026/month=11/day=24/`));
    const report = formatReport(results);
    expect(report.split('\n')[0]).toMatch(
      /^dataset\s+pipe state\s+pending\s+last ingested\s+files in S3\s+files loaded/,
    );
    expect(report).toContain(`coinlore_tickers: not loaded: ${rel('10:10')}`);
    expect(exitCodeFor(results)).toBe(1);
  });

  it('validates flags with their names when given bad values', () => {
    expect(parseCheckIngestionArgs(['--env', 'dev'])).toEqual({
      help: false,
      env: 'dev',
      hours: 24,
      graceMinutes: 10,
      json: false,
    });
    expect(parseCheckIngestionArgs(['--env', 'dev', '--json'])).toMatchObject({ json: true });
    expect(parseCheckIngestionArgs(['--help'])).toEqual({ help: true });
    expect(() => parseCheckIngestionArgs([])).toThrow(/--env/);
    expect(() => parseCheckIngestionArgs(['--env', 'dev', '--hours', '400'])).toThrow(/--hours/);
    expect(() => parseCheckIngestionArgs(['--env', 'dev', '--bogus'])).toThrow(/unknown flag --bogus/);
  });

  it('answers --help with its usage and exit code 0', async () => {
    expect(checkIngestionCommand.name).toBe('check-ingestion');
    expect(checkIngestionCommand.usage).toMatch(/^Usage: fdl check-ingestion --env/);
    expect(await checkIngestionCommand.run(['--help'])).toBe(0);
    // A bad command line is a UsageError: the dispatcher (cli/fdl.ts) prints one line and exits 2.
    await expect(checkIngestionCommand.run(['--env', 'dev', '--hours', 'x'])).rejects.toThrow(UsageError);
  });
});
