import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { env as dev } from '../../envs/dev.env';
import { env as prod } from '../../envs/prod.env';
import { DATASET_NAMES } from '../../lambdas/core/datasets';
import { BACKFILL_PRICES, backfillCost } from '../../ops/backfill-costs';
import type { AslMachine } from '../../ops/costs';
import { backfillReportFor, readDurations } from '../../scripts/costs';

const durations = readDurations(
  readFileSync(new URL('../../docs/measured-durations.json', import.meta.url), 'utf8'),
);
const definition = JSON.parse(
  readFileSync(new URL('../../statemachines/backfill.asl.json', import.meta.url), 'utf8'),
) as AslMachine;

describe('backfillCost', () => {
  it('derives runs, items and child executions from the schedule, the archive window and the batch size', () => {
    const r = backfillReportFor(prod, durations, definition);
    const runsPerDay = (24 * 60) / prod.schedule.rateMinutes;
    expect(r.days).toBe(365);
    expect(r.runs).toBe(Math.round(runsPerDay * 365));
    expect(r.items).toBe(r.runs * DATASET_NAMES.length);
    expect(r.childExecutions).toBe(Math.ceil(r.items / prod.backfill.itemsPerBatch));
    const express = r.lines.find((l) => l.item === 'child executions (Express) requests')!;
    expect(express.quantity).toBe(r.childExecutions);
    expect(express.monthlyUsd).toBeCloseTo(r.childExecutions * BACKFILL_PRICES.sfnExpressRequest, 10);
    // The one-off total leaves out the recurring storage line.
    const oneOff = r.lines.filter((l) => l.kind !== 'fixed').reduce((s, l) => s + l.monthlyUsd, 0);
    expect(r.totalUsd).toBeCloseTo(oneOff, 10);
  });

  it('rebuilds only what the archive keeps when raw/ expires before a year', () => {
    expect(dev.lake.rawExpireDays).toBeLessThan(365);
    expect(backfillReportFor(dev, durations, definition).days).toBe(dev.lake.rawExpireDays);
  });

  it('halves the child executions when the batch size doubles', () => {
    const at = (itemsPerBatch: number) =>
      backfillCost({
        env: { ...prod, backfill: { ...prod.backfill, itemsPerBatch } },
        durations,
        datasets: DATASET_NAMES.length,
        parentTransitions: 5,
      }).childExecutions;
    expect(at(20)).toBe(Math.ceil(at(10) / 2));
  });
});
