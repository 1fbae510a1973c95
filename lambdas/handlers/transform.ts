/**
 * transform: one raw batch (the envelopes of one dataset in one run) → one Parquet file at
 * datasetKey(dataset, partitionTime), plus rejects JSONL at rejectsKey(…) when rows failed checks.
 * Returns keys and counts, never data. Deterministic keys: a rerun overwrites the same objects.
 *
 * Reddit batches tag mentions against the bundled DEFAULT_COIN_UNIVERSE (core/coin-universe.ts): the
 * transform of a Reddit batch does not wait for, or read, the run's Coinlore output.
 */
import { textOf } from '../adapters/lake-store';
import { writeParquet } from '../adapters/parquet';
import type { TransformInput, TransformOutput } from '../contracts';
import { DATASETS } from '../core/datasets';
import type { Envelope } from '../core/envelope';
import { ConfigError } from '../core/errors';
import { parseJsonWithinLimits } from '../core/json-guard';
import { datasetKey, rejectsKey } from '../core/lake';
import { scanPage } from '../core/page-scan';
import { createBatchTransformer, type Skipped } from '../core/transform';
import type { HandlerDeps } from '../deps';
import { lambdaHandler } from './aws-deps';
import { withRunContext } from './run-logger';

/** Raw objects read at once: enough to hide S3 latency, few enough to stay polite and small. */
const READ_CONCURRENCY = 16;

/**
 * Each key's object, in key order, with up to `limit` reads in flight: S3 latency stays hidden, and
 * each object can be parsed, turned into rows and dropped before the rest arrive. Holding every parsed
 * envelope of a batch until the last read kept them all alive at once: one run's peak RSS fell from
 * about 135 to 128 MB without that, and fresh memory is what a cold Lambda pays for (docs/parquet.md).
 */
export async function* readAhead<T>(
  keys: readonly string[],
  limit: number,
  read: (key: string) => Promise<T>,
): AsyncGenerator<[string, T]> {
  if (!Number.isInteger(limit) || limit < 1)
    throw new RangeError(`readAhead needs a whole number of reads in flight, at least 1 (got ${limit})`);
  const inFlight: Promise<T>[] = [];
  let next = 0;
  const refill = () => {
    while (next < keys.length && inFlight.length < limit) {
      const reading = read(keys[next++]!);
      // Its error is thrown when its turn comes; until then it must not count as unhandled.
      reading.catch(() => {});
      inFlight.push(reading);
    }
  };
  refill();
  for (const key of keys) {
    const value = await inFlight.shift()!;
    refill();
    yield [key, value];
  }
}

/** Rejects as JSON Lines: one {rawKey, reason, record} per line. */
export function rejectsJsonl(rejects: readonly unknown[]): string {
  return rejects
    .map((r) => JSON.stringify(r))
    .join('\n')
    .concat(rejects.length > 0 ? '\n' : '');
}

export function createTransform(deps: HandlerDeps): (input: TransformInput) => Promise<TransformOutput> {
  return async (input) => {
    if (!Object.hasOwn(DATASETS, input.dataset))
      throw new ConfigError(
        `unknown dataset "${input.dataset}"; expected one of ${Object.keys(DATASETS).join(', ')}`,
      );
    const partitionTime = new Date(input.partitionTime);
    if (Number.isNaN(partitionTime.getTime()))
      throw new ConfigError(`partitionTime "${input.partitionTime}" is not an ISO-8601 time`);
    const logger = withRunContext(deps.logger, { run_id: input.runId, function: 'transform' });

    // A missing raw object is an error (the extraction said it wrote it): it throws and the state
    // machine retries. A raw object that is not JSON, or is nested deeper or larger than core/json-guard.ts
    // allows, is skipped with a one-line reason that quotes none of its content: it is refused before
    // anything walks it recursively, so one hostile file cannot overflow the stack and lose the whole batch.
    const unreadable: Skipped[] = [];
    const batch = createBatchTransformer(input.dataset, { runId: input.runId });
    for await (const [key, bytes] of readAhead(input.rawKeys, READ_CONCURRENCY, (k) => deps.lake.get(k))) {
      // A tickers page is scanned, not parsed, when the scanner can prove the result (core/page-scan.ts).
      const page = scanPage(bytes);
      if (page) {
        batch.add({ key, envelope: page.envelope, scanned: page.records });
        continue;
      }
      const parsed = parseJsonWithinLimits(textOf(bytes));
      if (parsed.ok) batch.add({ key, envelope: parsed.value as Envelope });
      else unreadable.push({ rawKey: key, reason: parsed.reason });
    }
    const result = batch.result();
    const skipped = [...unreadable, ...result.skipped];

    let key: string | undefined;
    if (result.columns.length > 0) {
      key = datasetKey(input.dataset, partitionTime, input.rebuild);
      await deps.lake.put(key, await writeParquet(result.columns), 'application/vnd.apache.parquet');
    }
    let rejectKey: string | undefined;
    if (result.rejects.length > 0) {
      rejectKey = rejectsKey(input.dataset, partitionTime, input.rebuild);
      await deps.lake.put(rejectKey, rejectsJsonl(result.rejects), 'application/x-ndjson');
    }

    for (const s of skipped) logger.warn('envelope skipped', { raw_key: s.rawKey, reason: s.reason });
    logger.info('transformed', {
      dataset: input.dataset,
      envelopes: input.rawKeys.length,
      rows: result.columns.length,
      rejects: result.rejects.length,
      skipped: skipped.length,
      duplicates: result.duplicates,
      more_skipped: result.moreSkipped,
      null_counts: result.nullCounts,
      key,
    });
    return {
      dataset: input.dataset,
      ...(key ? { key } : {}),
      rows: result.columns.length,
      rejects: result.rejects.length,
      ...(rejectKey ? { rejectsKey: rejectKey } : {}),
      skipped,
    };
  };
}

/** The Lambda entry point (AWS deps built once per container). */
export const handler = lambdaHandler('transform', createTransform, (out: TransformOutput) => ({
  RowsWritten: out.rows,
  RowsRejected: out.rejects,
  EnvelopesSkipped: out.skipped.length,
}));
