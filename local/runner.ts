/**
 * The local twin's pipeline runner: the deployed state machine definition (statemachines/pipeline.asl.json)
 * run by the local executor, with its Task resources mapped to the SAME handlers in-process and local
 * adapters: the lake is a folder with the S3 layout or a bucket on an S3-compatible endpoint (whichever
 * LakeStore cli/kit/lake-flags.ts opened), SNS alerts are printed and appended to a JSONL file.
 */

import { randomBytes } from 'node:crypto';
import { appendFileSync } from 'node:fs';
import { dirname } from 'node:path';
import { ensureDirSync } from '../lambdas/adapters/ensure-dir';
import type { LakeStore } from '../lambdas/adapters/lake-store';
import type { PipelineInput } from '../lambdas/contracts';
import { stamp } from '../lambdas/core/lake';
import { redactText } from '../lambdas/core/redact';
import type { HandlerDeps, PipelineLogger } from '../lambdas/deps';
import { createExtractCoinlore, type HttpTuning } from '../lambdas/handlers/extract-coinlore';
import { createExtractReddit } from '../lambdas/handlers/extract-reddit';
import { createTransform } from '../lambdas/handlers/transform';
import { loadPipelineDefinition, type PipelinePlaceholders } from '../statemachines/placeholders';
import {
  type ExecutionResult,
  type HistoryEvent,
  LocalExecutor,
  type TaskHandler,
} from './executor/executor';
import type { ResolvedSource } from './sources';

/** The `local:` resource ids the twin fills the definition's placeholders with. */
export const LOCAL_PLACEHOLDERS: PipelinePlaceholders = {
  ExtractCoinloreFunctionArn: 'local:extract-coinlore',
  ExtractRedditFunctionArn: 'local:extract-reddit',
  TransformFunctionArn: 'local:transform',
  AlertsTopicArn: 'local:alerts',
};

/** One SNS alert the state machine published. */
export interface AlertRecord {
  readonly at: string;
  readonly topicArn: string;
  readonly subject: string;
  readonly message: string;
}

export interface TwinOptions {
  readonly lake: LakeStore;
  readonly source: Pick<ResolvedSource, 'baseUrls' | 'getRedditCredentials'>;
  readonly userAgent: string;
  readonly logger: PipelineLogger;
  /** Alerts are appended here as JSON lines. @default not written */
  readonly alertsPath?: string;
  /** Called for every alert (the CLI prints it). */
  readonly onAlert?: (alert: AlertRecord) => void;
  /**
   * Multiplier on every wait (state machine Retry delays and the handlers' own backoff): 1 for live
   * runs, 0 for replay and tests, where waiting only slows things down.
   */
  readonly delayScale?: number;
  /** HTTP tuning passed to the extract handlers (tests use maxAttempts 1 to surface errors to Retry). */
  readonly http?: HttpTuning;
  readonly onEvent?: (event: HistoryEvent) => void;
}

export interface Twin {
  readonly executor: LocalExecutor;
  readonly alerts: AlertRecord[];
  /** Run one execution; `at` fixes the simulated clock (replay), undefined uses the real clock. */
  execute(input: PipelineInput, opts: { name: string; at?: Date }): Promise<ExecutionResult>;
}

/**
 * The alert an SNS Publish task sends, as recorded: subject and message redacted, because an alert quotes
 * an error's cause and the cause may quote an upstream's answer (the handlers redact too; this is the last
 * line before a human reads it).
 */
export function alertRecord(
  publish: { TopicArn: string; Subject?: string; Message: string },
  at: Date,
): AlertRecord {
  return {
    at: at.toISOString(),
    topicArn: publish.TopicArn,
    subject: redactText(publish.Subject ?? ''),
    message: redactText(publish.Message),
  };
}

/**
 * The `sns:publish` resource of the twin: records each alert (redacted, `alertRecord`) in `alerts`, appends it
 * to `opts.alertsPath` (JSON lines) and calls `opts.onAlert`. Shared by the pipeline and the backfill twin.
 */
export function alertRecorder(
  alerts: AlertRecord[],
  opts: Pick<TwinOptions, 'alertsPath' | 'onAlert'>,
  now: () => Date,
): TaskHandler {
  return async (p) => {
    const alert = alertRecord(p as { TopicArn: string; Subject?: string; Message: string }, now());
    alerts.push(alert);
    if (opts.alertsPath) {
      ensureDirSync(dirname(opts.alertsPath));
      appendFileSync(opts.alertsPath, `${JSON.stringify(alert)}\n`);
    }
    opts.onAlert?.(alert);
    return { MessageId: `local-${randomBytes(6).toString('hex')}` };
  };
}

/** The Task resource map: `local:` ids → in-process handlers and the alert recorder. */
export function createTwin(opts: TwinOptions): Twin {
  let clock: Date | undefined;
  const scale = opts.delayScale ?? 1;
  const sleep = (ms: number) =>
    scale <= 0 ? Promise.resolve() : new Promise<void>((r) => setTimeout(r, ms * scale));
  const deps: HandlerDeps = {
    lake: opts.lake,
    logger: opts.logger,
    coinloreBaseUrl: opts.source.baseUrls.coinlore,
    redditApiBaseUrl: opts.source.baseUrls.redditApi,
    redditAuthUrl: opts.source.baseUrls.redditAuth,
    redditUserAgent: opts.userAgent,
    getRedditCredentials: () => opts.source.getRedditCredentials(),
    now: () => (clock ? new Date(clock) : new Date()),
    sleep,
  };
  const alerts: AlertRecord[] = [];
  const extractCoinlore = createExtractCoinlore(deps, opts.http);
  const extractReddit = createExtractReddit(deps, opts.http);
  const transform = createTransform(deps);
  const resources: Record<string, TaskHandler> = {
    [LOCAL_PLACEHOLDERS.ExtractCoinloreFunctionArn]: (p) => extractCoinlore(p as never),
    [LOCAL_PLACEHOLDERS.ExtractRedditFunctionArn]: (p) => extractReddit(p as never),
    [LOCAL_PLACEHOLDERS.TransformFunctionArn]: (p) => transform(p as never),
    [LOCAL_PLACEHOLDERS.AlertsTopicArn]: alertRecorder(alerts, opts, deps.now),
  };
  const executor = new LocalExecutor(loadPipelineDefinition(LOCAL_PLACEHOLDERS), {
    resources,
    sleep,
    onEvent: opts.onEvent,
    stateMachineName: 'fdl-local-pipeline',
  });
  return {
    executor,
    alerts,
    execute: async (input, { name, at }) => {
      clock = at;
      try {
        return await executor.execute(input, { name, startTime: at });
      } finally {
        clock = undefined;
      }
    },
  };
}

/** Execution name of a tick: deterministic for replay (`replay-20261124_1020`), unique for live. */
export function runName(kind: 'live' | 'replay', at: Date): string {
  return kind === 'replay' ? `replay-${stamp(at)}` : `local-${stamp(at)}-${randomBytes(3).toString('hex')}`;
}

export interface TickResult {
  readonly tick: number;
  readonly runId: string;
  readonly startedAt: string;
  readonly status: ExecutionResult['status'];
  readonly error?: string;
  readonly cause?: string;
  readonly output?: unknown;
  readonly retries: number;
  readonly history: readonly HistoryEvent[];
}

export interface RunTicksOptions extends Omit<TwinOptions, 'source'> {
  readonly source: ResolvedSource;
  readonly ticks: number;
  readonly input: PipelineInput;
  /** Called after each tick (progress). */
  readonly onTick?: (result: TickResult) => void;
}

/** Run `ticks` executions one after the other (replay: at simulated times 10 minutes apart). */
export async function runTicks(
  opts: RunTicksOptions,
): Promise<{ results: TickResult[]; alerts: AlertRecord[] }> {
  const twin = createTwin(opts);
  const results: TickResult[] = [];
  for (let i = 0; i < opts.ticks; i++) {
    const at = opts.source.tickTime(i);
    const runId = runName(opts.source.kind, at ?? new Date());
    opts.source.startTick?.(i);
    const r = await twin.execute(opts.input, { name: runId, at });
    const result: TickResult = {
      tick: i + 1,
      runId,
      startedAt: (at ?? new Date()).toISOString(),
      status: r.status,
      error: r.error,
      cause: r.cause,
      output: r.output,
      retries: r.history.filter((e) => e.type === 'RetryScheduled').length,
      history: r.history,
    };
    results.push(result);
    opts.onTick?.(result);
  }
  return { results, alerts: twin.alerts };
}
