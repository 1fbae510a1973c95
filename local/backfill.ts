/**
 * The local twin's backfill: statemachines/backfill.asl.json run by the local executor (Distributed Map
 * included) with the SAME handlers in-process: backfill-plan, the pipeline's transform, backfill-summary;
 * the lake store stands in for S3 (manifest, ResultWriter output, datasets), alerts are recorded as in
 * `fdl run`. Raw envelopes may come from another lake root than the one written (`--raw` vs `--lake`).
 */

import type { BackfillConfig } from '../envs/types';
import type { LakeObject, LakeStore } from '../lambdas/adapters/lake-store';
import { RAW_PREFIX } from '../lambdas/core/lake';
import type { HandlerDeps, PipelineLogger } from '../lambdas/deps';
import { createBackfillPlan } from '../lambdas/handlers/backfill-plan';
import { createBackfillSummary } from '../lambdas/handlers/backfill-summary';
import { createTransform } from '../lambdas/handlers/transform';
import { type BackfillPlaceholders, loadBackfillDefinition } from '../statemachines/placeholders';
import {
  type ExecutionResult,
  type HistoryEvent,
  LocalExecutor,
  type TaskHandler,
} from './executor/executor';
import { type AlertRecord, alertRecorder } from './runner';

/** The `local:` ids the twin fills the backfill definition's placeholders with (numbers: the env's). */
export const LOCAL_BACKFILL_IDS = {
  BackfillPlanFunctionArn: 'local:backfill-plan',
  TransformFunctionArn: 'local:transform',
  BackfillSummaryFunctionArn: 'local:backfill-summary',
  AlertsTopicArn: 'local:alerts',
  LakeBucketName: 'local-lake',
} as const;

/**
 * Reads of `raw/` go to `raw`, everything else (and every write) to `lake`: a backfill reads an archive
 * and writes datasets, manifest and results into a lake that may be another folder.
 */
export class SplitLakeStore implements LakeStore {
  constructor(
    private readonly raw: LakeStore,
    private readonly lake: LakeStore,
  ) {}
  get location(): string {
    return this.raw === this.lake
      ? this.lake.location
      : `${this.lake.location} (raw from ${this.raw.location})`;
  }
  private of(key: string): LakeStore {
    return key.startsWith(RAW_PREFIX) ? this.raw : this.lake;
  }
  put(key: string, body: Uint8Array | string, contentType?: string): Promise<void> {
    return this.lake.put(key, body, contentType);
  }
  get(key: string): Promise<Uint8Array> {
    return this.of(key).get(key);
  }
  list(prefix: string): Promise<string[]> {
    return this.of(prefix).list(prefix);
  }
  listObjects(prefix: string): Promise<LakeObject[]> {
    return this.of(prefix).listObjects(prefix);
  }
}

/** The execution input: a half-open range of run times and optional datasets. */
export interface BackfillInput {
  readonly from: string;
  readonly to: string;
  readonly datasets?: readonly string[];
}

export interface LocalBackfillOptions {
  /** Lake root holding `raw/`. */
  readonly raw: LakeStore;
  /** Lake root to write datasets, manifest and results into (may be the same store as `raw`). */
  readonly lake: LakeStore;
  readonly config: Pick<BackfillConfig, 'itemsPerBatch' | 'maxConcurrency' | 'toleratedFailurePercentage'>;
  readonly logger: PipelineLogger;
  readonly alertsPath?: string;
  readonly onAlert?: (alert: AlertRecord) => void;
  readonly onEvent?: (event: HistoryEvent) => void;
  /**
   * Wraps the transform handler (tests inject failures for some items). @default the handler as is
   */
  readonly wrapTransform?: (transform: TaskHandler) => TaskHandler;
}

export interface LocalBackfill {
  readonly executor: LocalExecutor;
  readonly alerts: AlertRecord[];
  execute(input: BackfillInput, opts: { name: string; at?: Date }): Promise<ExecutionResult>;
}

/** Placeholders for the twin: `local:` ids and the env's numbers. */
export function localBackfillPlaceholders(config: LocalBackfillOptions['config']): BackfillPlaceholders {
  return {
    ...LOCAL_BACKFILL_IDS,
    BackfillItemsPerBatch: config.itemsPerBatch,
    BackfillMaxConcurrency: config.maxConcurrency,
    BackfillToleratedFailurePercentage: config.toleratedFailurePercentage,
  };
}

export function createLocalBackfill(opts: LocalBackfillOptions): LocalBackfill {
  const store = new SplitLakeStore(opts.raw, opts.lake);
  const deps: HandlerDeps = {
    lake: store,
    logger: opts.logger,
    // The backfill calls no API: the extract-only fields are never read.
    coinloreBaseUrl: '',
    redditApiBaseUrl: '',
    redditAuthUrl: '',
    redditUserAgent: '',
    getRedditCredentials: () => Promise.reject(new Error('the backfill reads no Reddit API')),
    now: () => new Date(),
    sleep: () => Promise.resolve(),
  };
  const alerts: AlertRecord[] = [];
  const plan = createBackfillPlan(deps);
  const transform = createTransform(deps);
  const summary = createBackfillSummary(deps);
  const transformHandler: TaskHandler = (p) => transform(p as never);
  const resources: Record<string, TaskHandler> = {
    [LOCAL_BACKFILL_IDS.BackfillPlanFunctionArn]: (p) => plan(p as never),
    [LOCAL_BACKFILL_IDS.TransformFunctionArn]: opts.wrapTransform?.(transformHandler) ?? transformHandler,
    [LOCAL_BACKFILL_IDS.BackfillSummaryFunctionArn]: (p) => summary(p as never),
    [LOCAL_BACKFILL_IDS.AlertsTopicArn]: alertRecorder(alerts, opts, deps.now),
  };
  const executor = new LocalExecutor(loadBackfillDefinition(localBackfillPlaceholders(opts.config)), {
    resources,
    // Retries wait for nothing locally: a failing item fails after its attempts without sleeping.
    sleep: () => Promise.resolve(),
    onEvent: opts.onEvent,
    stateMachineName: 'fdl-local-backfill',
    objectStore: { get: (_bucket, key) => store.get(key), put: (_bucket, key, body) => store.put(key, body) },
  });
  return {
    executor,
    alerts,
    execute: (input, { name, at }) => executor.execute(input, { name, startTime: at }),
  };
}
