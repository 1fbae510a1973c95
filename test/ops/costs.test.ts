import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { env as dev } from '../../envs/dev.env';
import type { EnvConfig } from '../../envs/types';
import { DATASET_NAMES } from '../../lambdas/core/datasets';
import {
  type AslMachine,
  type CostModelInput,
  countHappyPathTransitions,
  DEFAULT_ASSUMPTIONS,
  type MeasuredDurations,
  monthlyCost,
  PRICES,
  rowsPerRun,
} from '../../ops/costs';
import { mapItemsFor, readDurations, reportFor } from '../../scripts/costs';

const durations: MeasuredDurations = {
  'extract-coinlore': { baseMs: 1000, perUnitMs: 500, unit: 'exchanges', source: 'test' },
  'extract-reddit': { baseMs: 1000, perUnitMs: 0, unit: 'pages', source: 'test' },
  transform: { baseMs: 1000, perUnitMs: 0, unit: 'k rows', source: 'test' },
};

const small: EnvConfig = {
  ...dev,
  schedule: { enabled: true, rateMinutes: 60 },
  subreddits: ['Bitcoin'],
  coinlore: { pages: 1 },
  functions: {
    'extract-coinlore': { memoryMb: 1024, timeoutSeconds: 60 },
    'extract-reddit': { memoryMb: 1024, timeoutSeconds: 60 },
    transform: { memoryMb: 1024, timeoutSeconds: 60 },
  },
};

const input = (env: EnvConfig): CostModelInput => ({
  env,
  durations,
  transitionsPerRun: 10,
  datasets: 2,
  alarms: 5,
  assumptions: { hoursPerMonth: 730, redditPagesPerListing: 1 },
});

const line = (r: ReturnType<typeof monthlyCost>, item: string) => {
  const l = r.lines.find((x) => x.item === item);
  if (!l) throw new Error(`no line "${item}"`);
  return l;
};

describe('monthlyCost', () => {
  it('follows the formulas when computed by hand for a small hourly env', () => {
    const r = monthlyCost(input(small));
    // 730 h × 60 min / 60 min = 730 runs.
    expect(r.runsPerMonth).toBe(730);
    // 730 runs × (1 coinlore + 1 reddit + 2 transform) = 2,920 requests.
    expect(line(r, 'requests').quantity).toBe(2920);
    expect(line(r, 'requests').monthlyUsd).toBeCloseTo(2920 * 0.2e-6, 12);
    // coinlore: 1000 ms + 500 ms × (1 page + 1 global) = 2 s × 1 GB × 730 = 1,460 GB-s.
    expect(line(r, 'extract-coinlore compute').quantity).toBe(1460);
    expect(line(r, 'extract-coinlore compute').monthlyUsd).toBeCloseTo(1460 * 0.0000166667, 9);
    // transform: 2 invocations × 1 s × 1 GB × 730 = 1,460 GB-s.
    expect(line(r, 'transform compute').quantity).toBe(1460);
    // 730 runs × 10 transitions × $0.025/1000 = $0.1825.
    expect(line(r, 'state transitions (Standard)').monthlyUsd).toBeCloseTo(0.1825, 10);
    // PUT: (1 tickers page + 1 global + 1 sub × 2 listings) raw + 2 Parquet = 6 per run × 730 = 4,380.
    expect(line(r, 'PUT requests').quantity).toBe(4380);
    expect(line(r, 'PUT requests').monthlyUsd).toBeCloseTo(4380 * 0.005e-3, 10);
    // SNS: one publish per Parquet file: 2 × 730.
    expect(line(r, 'publishes (S3 → dataset topics)').quantity).toBe(1460);
    expect(line(r, 'alarms').monthlyUsd).toBeCloseTo(0.5, 10);
    expect(r.totalUsd).toBeCloseTo(
      r.lines.reduce((s, l) => s + l.quantity * l.unitPriceUsd, 0),
      10,
    );
  });

  it('changes only the page-driven lines when Coinlore pages increase', () => {
    // Transform time grows with rows here, so its compute follows the pages too.
    const rowDriven = { ...durations, transform: { ...durations.transform, perUnitMs: 60 } };
    const base = monthlyCost({ ...input(small), durations: rowDriven });
    const more = monthlyCost({ ...input({ ...small, coinlore: { pages: 3 } }), durations: rowDriven });
    const changed = more.lines
      .filter((l, i) => l.monthlyUsd !== base.lines[i]!.monthlyUsd)
      .map((l) => l.item);
    expect(changed.sort()).toEqual(
      [
        'extract-coinlore compute',
        'transform compute',
        'PUT requests',
        'GET requests',
        'storage Standard (month 12)',
        'Snowpipe ingestion',
      ].sort(),
    );
    for (const item of changed)
      expect(line(more, item).monthlyUsd).toBeGreaterThan(line(base, item).monthlyUsd);
  });

  it('costs nothing per run and keeps the fixed lines when the schedule is disabled', () => {
    const on = monthlyCost(input(small));
    const off = monthlyCost(input({ ...small, schedule: { enabled: false, rateMinutes: 60 } }));
    expect(off.runsPerMonth).toBe(0);
    const perRun = off.lines.filter((l) => l.kind === 'per-run');
    expect(perRun.length).toBeGreaterThan(5);
    expect(perRun.every((l) => l.monthlyUsd === 0)).toBe(true);
    const fixed = (r: typeof on) => r.lines.filter((l) => l.kind === 'fixed').map((l) => l.monthlyUsd);
    expect(fixed(off)).toEqual(fixed(on));
    expect(off.totalUsd).toBeCloseTo(
      fixed(off).reduce((s, v) => s + v, 0),
      10,
    );
  });

  it('keeps small raw objects out of Standard-IA when they are under 128 KiB', () => {
    const r = monthlyCost({ ...input(small), assumptions: { redditPageBytes: 10_000 } });
    expect(line(r, 'storage Standard-IA (month 12)').quantity).toBe(0);
    expect(line(r, 'lifecycle transitions to IA').quantity).toBe(0);
    const big = monthlyCost({ ...input(small), assumptions: { redditPageBytes: 200_000 } });
    expect(line(big, 'storage Standard-IA (month 12)').quantity).toBeGreaterThan(0);
    // 730 runs × 2 Reddit pages (/new and /comments) transition each.
    expect(line(big, 'lifecycle transitions to IA').quantity).toBe(1460);
  });

  it.each(DATASET_NAMES)(
    'costs more storage and ingestion when %s writes bigger rows (every dataset is priced)',
    (dataset) => {
      const base = monthlyCost(input(small));
      const bigger = monthlyCost({
        ...input(small),
        assumptions: {
          ...input(small).assumptions,
          parquetBytesPerRow: { ...DEFAULT_ASSUMPTIONS.parquetBytesPerRow, [dataset]: 1_000_000 },
        },
      });
      expect(rowsPerRun(small, DEFAULT_ASSUMPTIONS)[dataset]).toBeGreaterThan(0);
      for (const item of ['Snowpipe ingestion', 'storage Standard (month 12)'])
        expect(line(bigger, item).monthlyUsd, item).toBeGreaterThan(line(base, item).monthlyUsd);
    },
  );

  it('prices Snowpipe per GB of Parquet at the credit price when data is ingested', () => {
    const r = monthlyCost(input(small));
    const l = line(r, 'Snowpipe ingestion');
    expect(l.unitPriceUsd).toBe(PRICES.snowflakeCredit);
    expect(l.quantity).toBeGreaterThan(0);
  });
});

const machine: AslMachine = {
  StartAt: 'A',
  States: {
    A: { Type: 'Pass', Next: 'P' },
    P: {
      Type: 'Parallel',
      Next: 'M',
      Branches: [
        { StartAt: 'B1', States: { B1: { Type: 'Task', End: true } } },
        { StartAt: 'B2', States: { B2: { Type: 'Task', Next: 'B3' }, B3: { Type: 'Pass', End: true } } },
      ],
    },
    M: {
      Type: 'Map',
      Next: 'C',
      ItemProcessor: {
        StartAt: 'I',
        States: { I: { Type: 'Task', Next: 'J' }, J: { Type: 'Pass', End: true } },
      },
    },
    C: { Type: 'Choice', Choices: [{ Next: 'F' }], Default: 'S' },
    F: { Type: 'Fail' },
    S: { Type: 'Succeed' },
  },
};

describe('countHappyPathTransitions', () => {
  it('counts every state entered on the success path when branches and maps are nested', () => {
    // A, P (+B1 +B2 +B3), M (+3 × (I, J)), C, S = 1 + 4 + 7 + 1 + 1 = 14.
    expect(countHappyPathTransitions(machine, { M: 3 })).toBe(14);
    expect(countHappyPathTransitions(machine, { M: 4 }) - countHappyPathTransitions(machine, { M: 3 })).toBe(
      2,
    );
  });

  it('throws when a Map state has no item count', () => {
    expect(() => countHappyPathTransitions(machine, {})).toThrow(/Map state "M"/);
  });

  it('counts the pipeline definition per subreddit and per dataset when given the env', () => {
    const asl = JSON.parse(
      readFileSync(new URL('../../statemachines/pipeline.asl.json', import.meta.url), 'utf8'),
    ) as AslMachine;
    const three = countHappyPathTransitions(asl, mapItemsFor(dev));
    const four = countHappyPathTransitions(
      asl,
      mapItemsFor({ ...dev, subreddits: [...dev.subreddits, 'solana'] }),
    );
    expect(four - three).toBeGreaterThanOrEqual(1);
    const r = reportFor(
      dev,
      readDurations(readFileSync(new URL('../../docs/measured-durations.json', import.meta.url), 'utf8')),
      asl,
    );
    expect(line(r, 'state transitions (Standard)').quantity).toBe(r.runsPerMonth * three);
  });
});

describe('readDurations', () => {
  it('rejects a file without a function when read', () => {
    expect(() => readDurations(JSON.stringify({ transform: durations.transform }))).toThrow(
      /extract-coinlore/,
    );
  });
});
