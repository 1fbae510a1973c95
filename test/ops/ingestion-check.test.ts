import { describe, expect, it } from 'vitest';
import { checkIngestion, checkIngestionCommand, parseCheckIngestionArgs } from '../../cli/check-ingestion';
import { UsageError } from '../../cli/kit/args';
import { env as dev } from '../../envs/dev.env';
import { validateEnv } from '../../envs/types';
import { DATASET_NAMES } from '../../lambdas/core/datasets';
import { datasetKey } from '../../lambdas/core/lake';
import {
  copyHistoryQuery,
  DEFAULT_HEALTH_LIMITS,
  exitCodeFor,
  FINDING_KINDS,
  findings,
  formatReport,
  IngestionCheckParseError,
  lakePrefixesForWindow,
  parseCopyHistory,
  parsePipeStatus,
  pipeHealthConfig,
  pipeHealthMetrics,
  pipeStatusQuery,
  reconcile,
  relativeToDataset,
} from '../../ops/ingestion-check';
import { Naming } from '../../stacks/naming';

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
      { database: new Naming(dev).snowflakeDatabase() },
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
    // The failed file is reported once, as a failed load (its fix differs from a never-attempted file).
    expect(report).toContain(`coinlore_tickers: load failed: ${rel('10:10')}`);
    expect(report).not.toContain(`not loaded: ${rel('10:10')}`);
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

describe('pipe health findings', () => {
  // One dataset, files written every 10 minutes from 09:00 to 10:20, checked at 10:30 over 09:30-10:30.
  const files = ['09:40', '09:50', '10:00', '10:10', '10:20'];
  const lake = files.map((t) => ({ key: key(t), lastModified: new Date(`2026-11-24T${t}:30Z`) }));
  const loadedRow = (t: string) => ({ ...HISTORY_ROWS[0]!, FILE_NAME: rel(t), ROW_COUNT: 100 });
  const status = (over: Record<string, unknown>) =>
    JSON.stringify({
      ...JSON.parse(RUNNING_STATUS),
      lastIngestedTimestamp: '2026-11-24T10:20:50.000Z',
      ...over,
    });
  const check = (pipeStatus: string, history: Record<string, unknown>[]) =>
    findings(
      reconcile({
        dataset: 'coinlore_tickers',
        pipe: parsePipeStatus(pipeStatus, 'p'),
        history: parseCopyHistory(history),
        lakeFiles: lake,
        window: WINDOW,
      }),
    );
  const kinds = (f: ReturnType<typeof findings>) => f.map((x) => x.kind);
  const allLoaded = files.map(loadedRow);

  it('passes a healthy pipe when it runs, has no backlog, ingested recently and loaded every file', () => {
    expect(check(status({}), allLoaded)).toEqual([]);
  });

  it('flags a stalled pipe when SYSTEM$PIPE_STATUS is not RUNNING', () => {
    const f = check(
      status({ executionState: 'STALLED_STAGE_PERMISSION_ERROR', error: 'Access Denied' }),
      allLoaded,
    );
    expect(kinds(f)).toEqual(['stalled']);
    expect(f[0]!.message).toBe('coinlore_tickers: pipe is STALLED_STAGE_PERMISSION_ERROR (Access Denied)');
  });

  it('flags a backlog when pending files exceed the limit and not at the limit', () => {
    const limit = DEFAULT_HEALTH_LIMITS.maxPendingFiles;
    expect(kinds(check(status({ pendingFileCount: limit + 1 }), allLoaded))).toEqual(['backlog']);
    expect(check(status({ pendingFileCount: limit }), allLoaded)).toEqual([]);
  });

  it('flags stale ingestion when lake files keep arriving but the last ingestion is older than the limit', () => {
    const limit = DEFAULT_HEALTH_LIMITS.maxIngestAgeMinutes;
    const old = new Date(NOW.getTime() - (limit + 1) * 60_000).toISOString();
    const recent = new Date(NOW.getTime() - (limit - 1) * 60_000).toISOString();
    expect(kinds(check(status({ lastIngestedTimestamp: old }), allLoaded))).toEqual(['stale']);
    expect(check(status({ lastIngestedTimestamp: recent }), allLoaded)).toEqual([]);
    expect(kinds(check(status({ lastIngestedTimestamp: null }), allLoaded))).toEqual(['stale']);
  });

  it('does not call a pipe stale when no lake file arrived in the window', () => {
    const old = new Date(NOW.getTime() - 600 * 60_000).toISOString();
    const quiet = reconcile({
      dataset: 'coinlore_tickers',
      pipe: parsePipeStatus(status({ lastIngestedTimestamp: old }), 'p'),
      history: [],
      lakeFiles: [],
      window: WINDOW,
    });
    expect(findings(quiet)).toEqual([]);
  });

  it('flags a missing file when a judged lake file has no COPY_HISTORY entry', () => {
    const f = check(
      status({}),
      allLoaded.filter((r) => r.FILE_NAME !== rel('09:50')),
    );
    expect(f).toEqual([
      {
        dataset: 'coinlore_tickers',
        kind: 'missing',
        message: `coinlore_tickers: not loaded: ${rel('09:50')}`,
      },
    ]);
  });

  it('flags a failed load with its first error when COPY_HISTORY says Load failed', () => {
    const failedRow = { ...HISTORY_ROWS[1]!, FILE_NAME: rel('10:00') };
    const f = check(status({}), [...allLoaded.filter((r) => r.FILE_NAME !== rel('10:00')), failedRow]);
    expect(kinds(f)).toEqual(['load-failed']);
    expect(f[0]!.message).toContain('magic bytes');
  });

  it('counts every kind in the per-pipe metrics when everything is wrong at once', () => {
    const worst = reconcile({
      dataset: 'coinlore_tickers',
      pipe: parsePipeStatus(
        status({
          executionState: 'STOPPED_FEATURE_DISABLED',
          pendingFileCount: 99,
          lastIngestedTimestamp: '2026-11-24T08:00:00Z',
        }),
        'p',
      ),
      history: parseCopyHistory([{ ...HISTORY_ROWS[1]!, FILE_NAME: rel('10:00') }]),
      lakeFiles: lake,
      window: WINDOW,
    });
    expect(new Set(kinds(findings(worst)))).toEqual(new Set(FINDING_KINDS));
    const judged = lake.filter(
      (f) => f.lastModified.getTime() <= NOW.getTime() - WINDOW.graceMinutes * 60_000,
    );
    expect(pipeHealthMetrics(worst)).toEqual({
      dataset: 'coinlore_tickers',
      problems: findings(worst).length,
      pendingFiles: 99,
      filesNotLoaded: judged.length,
      minutesSinceLastIngest: 150,
    });
  });
});

describe('pipe health settings', () => {
  it('fills an env without pipeHealth with hourly defaults and the default limits', () => {
    expect(pipeHealthConfig({})).toEqual({
      enabled: true,
      rateMinutes: 60,
      windowHours: 3,
      graceMinutes: 15,
      ...DEFAULT_HEALTH_LIMITS,
    });
    expect(pipeHealthConfig({ pipeHealth: { rateMinutes: 30, enabled: false } })).toMatchObject({
      rateMinutes: 30,
      enabled: false,
      windowHours: 3,
    });
  });

  it.each([
    ['rateMinutes', 0, /pipeHealth\.rateMinutes: must be an integer 5-1440, got 0/],
    ['windowHours', 400, /pipeHealth\.windowHours: must be an integer 1-336, got 400/],
    ['maxPendingFiles', 1.5, /pipeHealth\.maxPendingFiles: must be an integer/],
    ['enabled', 'yes', /pipeHealth\.enabled: must be true or false/],
  ])('rejects pipeHealth.%s = %s naming the field', (field, value, message) => {
    const env = { ...dev, pipeHealth: { [field]: value } } as unknown as typeof dev;
    expect(() => validateEnv(env, 'test')).toThrow(message);
  });

  it('accepts the env files as they are', () => {
    expect(() => validateEnv(dev, 'dev')).not.toThrow();
  });
});
