/**
 * A local executor for the JSONata ASL subset this project uses (see definition.ts). It exists so the
 * local twin and the tests run the SAME definition that is deployed, with the same handlers in-process:
 * semantics follow the Step Functions docs (docs/external-facts.md#step-functions-jsonata) — Assign evaluated with entry values and
 * visible from the next state, inner scopes read but never write outer variables, Catch Output/Assign
 * with `$states.errorOutput`, Retry with backoff, cap and full jitter.
 */
import { randomUUID } from 'node:crypto';
import {
  type Catcher,
  type ChoiceRule,
  DefinitionError,
  loadDefinition,
  type MachineDefinition,
  type Retrier,
  type StateDefinition,
  type StatesBlock,
} from './definition';
import { type ObjectStore, runDistributedMap } from './distributed-map';
import { evaluateField, StatesError } from './expressions';

export type { ObjectStore };
export { DefinitionError, StatesError };

/** Step Functions' limit on a state's input/output and on variables. */
export const PAYLOAD_LIMIT_BYTES = 256 * 1024;

export const LAMBDA_INVOKE = 'arn:aws:states:::lambda:invoke';
export const SNS_PUBLISH = 'arn:aws:states:::sns:publish';

export interface TaskCall {
  /** The Task state's name. */
  readonly state: string;
  /** The resolved resource id (function name / topic ARN / resource ARN). */
  readonly resource: string;
  /** 0 for the first attempt, then 1, 2, … on retries. */
  readonly retryCount: number;
}

/**
 * A Task resource. For `lambda:invoke` it receives the Payload and returns the function's result
 * (wrapped under `Payload` like the real integration); for `sns:publish` it receives {TopicArn,
 * Subject, Message}; otherwise it receives the evaluated Arguments. A thrown error becomes
 * `{Error: err.name, Cause: err.message}`.
 */
export type TaskHandler = (input: unknown, call: TaskCall) => Promise<unknown>;

export type HistoryEventType =
  | 'ExecutionStarted'
  | 'ExecutionSucceeded'
  | 'ExecutionFailed'
  | 'StateEntered'
  | 'StateExited'
  | 'TaskFailed'
  | 'RetryScheduled'
  | 'ErrorCaught';

export interface HistoryEvent {
  readonly seq: number;
  readonly at: string;
  readonly type: HistoryEventType;
  /** State name (absent on execution events). */
  readonly state?: string;
  /** Where the state runs: `Extract/1/ExtractRedditPerSubreddit[0]/ExtractReddit`. */
  readonly path?: string;
  readonly error?: string;
  readonly cause?: string;
  readonly retryCount?: number;
  readonly delayMs?: number;
  /** ErrorCaught: the catcher's Next. */
  readonly next?: string;
}

export interface ExecutorOptions {
  /** Resource id → handler: Lambda FunctionName, SNS TopicArn, or the Task's Resource. */
  readonly resources: Readonly<Record<string, TaskHandler>>;
  /** Waiting between retries; tests and the twin pass a scaled-down one. @default real setTimeout */
  readonly sleep?: (ms: number) => Promise<void>;
  /** Jitter source in [0, 1). @default Math.random */
  readonly random?: () => number;
  /** Clock for StartTime/EnteredTime and history. @default () => new Date() */
  readonly now?: () => Date;
  /** Called for every history event as it happens (progress output). */
  readonly onEvent?: (event: HistoryEvent) => void;
  /** State machine name used in context ids. @default 'local' */
  readonly stateMachineName?: string;
  /**
   * Where a Distributed Map's ItemReader reads and its ResultWriter writes (the twin: the lake store).
   * Required, at load time, by a definition that uses either.
   */
  readonly objectStore?: ObjectStore;
}

export interface ExecuteOptions {
  /** Execution name ($states.context.Execution.Name). @default a UUID */
  readonly name?: string;
  /** Execution start ($states.context.Execution.StartTime). @default now() */
  readonly startTime?: Date;
}

export interface ExecutionResult {
  readonly name: string;
  readonly executionArn: string;
  readonly status: 'SUCCEEDED' | 'FAILED';
  readonly output?: unknown;
  readonly error?: string;
  readonly cause?: string;
  readonly history: readonly HistoryEvent[];
}

/** Variables of one scope; inner scopes (branches, iterations) read their parents. */
class Scope {
  private readonly vars = new Map<string, unknown>();
  constructor(private readonly parent?: Scope) {}
  all(): Record<string, unknown> {
    return { ...(this.parent?.all() ?? {}), ...Object.fromEntries(this.vars) };
  }
  set(values: Record<string, unknown>): void {
    for (const [k, v] of Object.entries(values)) this.vars.set(k, v);
  }
}

/** Cancels the rest of a Parallel/Map when one branch or iteration fails (as Step Functions does). */
class Cancellation {
  private flag = false;
  constructor(private readonly parent?: Cancellation) {}
  get cancelled(): boolean {
    return this.flag || (this.parent?.cancelled ?? false);
  }
  cancel(): void {
    this.flag = true;
  }
}
const CANCELLED = new StatesError('States.Cancelled', 'a sibling branch or iteration failed');

interface RunContext {
  readonly execution: { Id: string; Name: string; StartTime: string; Input: unknown; RoleArn: string };
  readonly stateMachine: { Id: string; Name: string };
  readonly history: HistoryEvent[];
  readonly cancel: Cancellation;
}

const sizeOf = (v: unknown) => Buffer.byteLength(JSON.stringify(v) ?? 'null');

function toStatesError(err: unknown): StatesError {
  if (err instanceof StatesError) return err;
  if (err instanceof Error) return new StatesError(err.name || 'Error', err.message);
  return new StatesError('Error', String(err));
}

function errorMatches(errorEquals: readonly string[], error: string): boolean {
  return errorEquals.some(
    (e) =>
      e === error ||
      e === 'States.ALL' ||
      // States.TaskFailed matches any failure of the task itself (not timeouts or query errors).
      (e === 'States.TaskFailed' &&
        error !== 'States.Timeout' &&
        error !== 'States.QueryEvaluationError' &&
        error !== 'States.Cancelled'),
  );
}

function resourceKey(state: StateDefinition, args: unknown): string {
  const a = (args ?? {}) as Record<string, unknown>;
  if (state.Resource === LAMBDA_INVOKE) return String(a.FunctionName);
  if (state.Resource === SNS_PUBLISH) return String(a.TopicArn);
  return state.Resource!;
}

/** Collect every Task with its literal resource key, to check the resource map at load time. */
function taskResources(block: StatesBlock, out: { state: string; field: string; key: unknown }[] = []) {
  for (const [name, s] of Object.entries(block.States)) {
    if (s.Type === 'Task') {
      const args = (s.Arguments ?? {}) as Record<string, unknown>;
      if (s.Resource === LAMBDA_INVOKE)
        out.push({ state: name, field: 'Arguments.FunctionName', key: args.FunctionName });
      else if (s.Resource === SNS_PUBLISH)
        out.push({ state: name, field: 'Arguments.TopicArn', key: args.TopicArn });
      else out.push({ state: name, field: 'Resource', key: s.Resource });
    }
    for (const b of s.Branches ?? []) taskResources(b, out);
    if (s.ItemProcessor) taskResources(s.ItemProcessor, out);
  }
  return out;
}

/** States (any depth) whose ItemReader or ResultWriter needs an object store. */
function objectStoreUsers(block: StatesBlock, out: string[] = []): string[] {
  for (const [name, s] of Object.entries(block.States)) {
    if (s.ItemReader !== undefined || s.ResultWriter !== undefined) out.push(name);
    for (const b of s.Branches ?? []) objectStoreUsers(b, out);
    if (s.ItemProcessor) objectStoreUsers(s.ItemProcessor, out);
  }
  return out;
}

export class LocalExecutor {
  readonly definition: MachineDefinition;
  private readonly sleep: (ms: number) => Promise<void>;
  private readonly random: () => number;
  private readonly now: () => Date;

  /** Validates the whole definition and the resource map up front (DefinitionError lists every problem). */
  constructor(
    definition: string | object,
    private readonly options: ExecutorOptions,
  ) {
    this.definition = loadDefinition(definition);
    const problems: string[] = [];
    for (const t of taskResources(this.definition)) {
      if (typeof t.key !== 'string')
        problems.push(
          `state "${t.state}": field "${t.field}" must be a literal resource id for the local executor`,
        );
      else if (!(t.key in options.resources))
        problems.push(
          `state "${t.state}": field "${t.field}" names "${t.key}", which has no local handler (known: ${Object.keys(options.resources).join(', ') || 'none'})`,
        );
    }
    if (!options.objectStore)
      for (const state of objectStoreUsers(this.definition))
        problems.push(
          `state "${state}": ItemReader/ResultWriter need an object store (ExecutorOptions.objectStore)`,
        );
    if (problems.length) throw new DefinitionError(problems);
    this.sleep = options.sleep ?? ((ms) => new Promise((r) => setTimeout(r, ms)));
    this.random = options.random ?? Math.random;
    this.now = options.now ?? (() => new Date());
  }

  async execute(input: unknown, opts: ExecuteOptions = {}): Promise<ExecutionResult> {
    const name = opts.name ?? randomUUID();
    const smName = this.options.stateMachineName ?? 'local';
    const smArn = `arn:aws:states:local:000000000000:stateMachine:${smName}`;
    const executionArn = `arn:aws:states:local:000000000000:execution:${smName}:${name}`;
    const history: HistoryEvent[] = [];
    const ctx: RunContext = {
      execution: {
        Id: executionArn,
        Name: name,
        StartTime: (opts.startTime ?? this.now()).toISOString(),
        Input: input,
        RoleArn: 'arn:aws:iam::000000000000:role/local',
      },
      stateMachine: { Id: smArn, Name: smName },
      history,
      cancel: new Cancellation(),
    };
    this.emit(ctx, { type: 'ExecutionStarted' });
    try {
      const output = await this.runBlock(this.definition, input, new Scope(), ctx, '');
      this.emit(ctx, { type: 'ExecutionSucceeded' });
      return { name, executionArn, status: 'SUCCEEDED', output, history };
    } catch (err) {
      const e = toStatesError(err);
      this.emit(ctx, { type: 'ExecutionFailed', error: e.error, cause: e.causeText });
      return { name, executionArn, status: 'FAILED', error: e.error, cause: e.causeText, history };
    }
  }

  private emit(ctx: RunContext, event: Omit<HistoryEvent, 'seq' | 'at'>): void {
    const full: HistoryEvent = { seq: ctx.history.length + 1, at: this.now().toISOString(), ...event };
    ctx.history.push(full);
    this.options.onEvent?.(full);
  }

  /** Run a block (machine, branch, iteration) to its terminal state; returns its output or throws. */
  private async runBlock(
    block: StatesBlock,
    input: unknown,
    scope: Scope,
    ctx: RunContext,
    prefix: string,
  ): Promise<unknown> {
    let current: string | undefined = block.StartAt;
    let value = input;
    while (current !== undefined) {
      if (ctx.cancel.cancelled) throw CANCELLED;
      const state: StateDefinition = block.States[current]!;
      const path = prefix ? `${prefix}/${current}` : current;
      this.emit(ctx, { type: 'StateEntered', state: current, path });
      const { output, next } = await this.runState(current, state, value, scope, ctx, path);
      if (sizeOf(output) > PAYLOAD_LIMIT_BYTES)
        throw new StatesError(
          'States.DataLimitExceeded',
          `state "${current}" output is ${sizeOf(output)} bytes, over the ${PAYLOAD_LIMIT_BYTES}-byte limit`,
        );
      this.emit(ctx, { type: 'StateExited', state: current, path });
      value = output;
      current = next;
    }
    return value;
  }

  private bindings(
    scope: Scope,
    ctx: RunContext,
    name: string,
    entered: string,
    retryCount: number,
    states: { input: unknown; result?: unknown; errorOutput?: unknown },
    mapItem?: { Index: number; Value: unknown },
  ): Record<string, unknown> {
    const context: Record<string, unknown> = {
      Execution: ctx.execution,
      StateMachine: ctx.stateMachine,
      State: { Name: name, EnteredTime: entered, RetryCount: retryCount },
    };
    if (mapItem) context.Map = { Item: mapItem };
    return { ...scope.all(), states: { ...states, context } };
  }

  private async evalAssign(
    assign: Readonly<Record<string, unknown>> | undefined,
    bindings: Record<string, unknown>,
    state: string,
    location: string,
  ): Promise<Record<string, unknown>> {
    if (!assign) return {};
    const values = (await evaluateField(assign, bindings, { state, location })) as Record<string, unknown>;
    for (const [k, v] of Object.entries(values))
      if (sizeOf(v) > PAYLOAD_LIMIT_BYTES)
        throw new StatesError('States.DataLimitExceeded', `state "${state}": variable $${k} is over 256 KiB`);
    return values;
  }

  private async runState(
    name: string,
    state: StateDefinition,
    input: unknown,
    scope: Scope,
    ctx: RunContext,
    path: string,
  ): Promise<{ output: unknown; next?: string }> {
    const entered = this.now().toISOString();
    const bind = (retryCount: number, extra: { result?: unknown; errorOutput?: unknown } = {}) =>
      this.bindings(scope, ctx, name, entered, retryCount, { input, ...extra });
    const next = state.End ? undefined : state.Next;

    switch (state.Type) {
      case 'Pass':
      case 'Succeed': {
        const b = bind(0);
        // Output and Assign both see the values at state entry; the new variables apply afterwards.
        const output =
          state.Output === undefined
            ? input
            : await evaluateField(state.Output, b, { state: name, location: 'Output' });
        scope.set(await this.evalAssign(state.Assign, b, name, 'Assign'));
        return { output, next: state.Type === 'Succeed' ? undefined : next };
      }
      case 'Fail': {
        const b = bind(0);
        const error = await evaluateField(state.Error, b, { state: name, location: 'Error' });
        const cause =
          state.Cause === undefined
            ? ''
            : await evaluateField(state.Cause, b, { state: name, location: 'Cause' });
        throw new StatesError(String(error), String(cause));
      }
      case 'Choice': {
        const b = bind(0);
        let rule: ChoiceRule | undefined;
        for (const [i, r] of (state.Choices ?? []).entries()) {
          const ok = await evaluateField(r.Condition, b, {
            state: name,
            location: `Choices[${i}].Condition`,
          });
          if (typeof ok !== 'boolean')
            throw new StatesError(
              'States.QueryEvaluationError',
              `state "${name}", field Choices[${i}].Condition: must return a boolean, got ${JSON.stringify(ok)}`,
            );
          if (ok) {
            rule = r;
            break;
          }
        }
        const target = rule?.Next ?? state.Default;
        if (!target)
          throw new StatesError(
            'States.NoChoiceMatched',
            `state "${name}": no choice rule matched and no Default`,
          );
        const outputField = rule?.Output ?? state.Output;
        const output =
          outputField === undefined
            ? input
            : await evaluateField(outputField, b, { state: name, location: 'Output' });
        scope.set({
          ...(await this.evalAssign(state.Assign, b, name, 'Assign')),
          ...(await this.evalAssign(rule?.Assign, b, name, 'Choices.Assign')),
        });
        return { output, next: target };
      }
      case 'Task':
      case 'Parallel':
      case 'Map':
        return this.runWithRetry(name, state, input, scope, ctx, path, bind, next);
    }
  }

  /** Task/Parallel/Map: run the body, Retry per the matching retrier, then Catch or fail. */
  private async runWithRetry(
    name: string,
    state: StateDefinition,
    input: unknown,
    scope: Scope,
    ctx: RunContext,
    path: string,
    bind: (
      retryCount: number,
      extra?: { result?: unknown; errorOutput?: unknown },
    ) => Record<string, unknown>,
    next: string | undefined,
  ): Promise<{ output: unknown; next?: string }> {
    const retriers: readonly Retrier[] = state.Retry ?? [];
    const attempts = retriers.map(() => 0);
    let retryCount = 0;
    for (;;) {
      try {
        const result = await this.runBody(name, state, input, scope, ctx, path, bind(retryCount), retryCount);
        const b = bind(retryCount, { result });
        const output =
          state.Output === undefined
            ? result
            : await evaluateField(state.Output, b, { state: name, location: 'Output' });
        scope.set(await this.evalAssign(state.Assign, b, name, 'Assign'));
        return { output, next };
      } catch (err) {
        const e = toStatesError(err);
        if (e === CANCELLED) throw e;
        this.emit(ctx, {
          type: 'TaskFailed',
          state: name,
          path,
          error: e.error,
          cause: e.causeText,
          retryCount,
        });
        const ri = retriers.findIndex((r) => errorMatches(r.ErrorEquals, e.error));
        if (ri >= 0 && attempts[ri]! < (retriers[ri]!.MaxAttempts ?? 3)) {
          const r = retriers[ri]!;
          let delay = (r.IntervalSeconds ?? 1) * (r.BackoffRate ?? 2) ** attempts[ri]!;
          if (r.MaxDelaySeconds !== undefined) delay = Math.min(delay, r.MaxDelaySeconds);
          if ((r.JitterStrategy ?? 'NONE') === 'FULL') delay *= this.random();
          const delayMs = Math.round(delay * 1000);
          attempts[ri]!++;
          retryCount++;
          this.emit(ctx, { type: 'RetryScheduled', state: name, path, error: e.error, retryCount, delayMs });
          await this.sleep(delayMs);
          continue;
        }
        const catcher: Catcher | undefined = (state.Catch ?? []).find((c) =>
          errorMatches(c.ErrorEquals, e.error),
        );
        if (!catcher) throw e;
        const errorOutput = { Error: e.error, Cause: e.causeText };
        const b = bind(retryCount, { errorOutput });
        // A matching catcher replaces the state's Output and Assign; without Output the raw error is the output.
        const output =
          catcher.Output === undefined
            ? errorOutput
            : await evaluateField(catcher.Output, b, { state: name, location: 'Catch.Output' });
        scope.set(await this.evalAssign(catcher.Assign, b, name, 'Catch.Assign'));
        this.emit(ctx, {
          type: 'ErrorCaught',
          state: name,
          path,
          error: e.error,
          cause: e.causeText,
          next: catcher.Next,
        });
        return { output, next: catcher.Next };
      }
    }
  }

  private async runBody(
    name: string,
    state: StateDefinition,
    input: unknown,
    scope: Scope,
    ctx: RunContext,
    path: string,
    b: Record<string, unknown>,
    retryCount: number,
  ): Promise<unknown> {
    if (state.Type === 'Task') {
      const args =
        state.Arguments === undefined
          ? input
          : await evaluateField(state.Arguments, b, { state: name, location: 'Arguments' });
      const key = resourceKey(state, args);
      const handler = this.options.resources[key]!;
      const call: TaskCall = { state: name, resource: key, retryCount };
      const a = (args ?? {}) as Record<string, unknown>;
      // JSON round trips: handlers get and return plain JSON, as across the real service boundary.
      const roundTrip = (v: unknown) => (v === undefined ? null : JSON.parse(JSON.stringify(v)));
      if (state.Resource === LAMBDA_INVOKE) {
        const payload = await handler(roundTrip(a.Payload), call);
        return { ExecutedVersion: '$LATEST', Payload: roundTrip(payload), StatusCode: 200 };
      }
      if (state.Resource === SNS_PUBLISH) {
        const r = (await handler(roundTrip(args), call)) as { MessageId?: string } | undefined;
        return { MessageId: r?.MessageId ?? randomUUID() };
      }
      return roundTrip(await handler(roundTrip(args), call));
    }

    if (state.Type === 'Parallel') {
      const args =
        state.Arguments === undefined
          ? input
          : await evaluateField(state.Arguments, b, { state: name, location: 'Arguments' });
      const cancel = new Cancellation(ctx.cancel);
      const inner: RunContext = { ...ctx, cancel };
      return this.settleAll(
        state.Branches!.map((branch, i) => async () => {
          if (ctx.cancel.cancelled) throw CANCELLED;
          return this.runBlock(branch, args, new Scope(scope), inner, `${path}/${i}`);
        }),
        0,
        cancel,
      );
    }

    if (state.ItemProcessor?.ProcessorConfig?.Mode === 'DISTRIBUTED') {
      const entered = (b.states as { context: { State: { EnteredTime: string } } }).context.State.EnteredTime;
      return runDistributedMap({
        name,
        state,
        input,
        parentStateMachineArn: ctx.stateMachine.Id,
        parentExecutionName: ctx.execution.Name,
        objectStore: this.options.objectStore,
        now: this.now,
        evaluate: (value, location, item) =>
          evaluateField(
            value,
            item ? this.bindings(scope, ctx, name, entered, retryCount, { input }, item) : b,
            { state: name, location },
          ),
        // A child execution: its own context and cancellation, and no parent variables (a fresh Scope).
        runChild: (childInput, child) =>
          this.runBlock(
            state.ItemProcessor!,
            childInput,
            new Scope(),
            {
              execution: {
                Id: child.arn,
                Name: child.name,
                StartTime: this.now().toISOString(),
                Input: childInput,
                RoleArn: ctx.execution.RoleArn,
              },
              stateMachine: { Id: child.stateMachineArn, Name: `${ctx.stateMachine.Name}/${name}` },
              history: ctx.history,
              cancel: new Cancellation(ctx.cancel),
            },
            `${path}[${child.name}]`,
          ),
        cancelled: () => ctx.cancel.cancelled,
      });
    }

    // Map
    const items =
      state.Items === undefined
        ? input
        : await evaluateField(state.Items, b, { state: name, location: 'Items' });
    if (!Array.isArray(items))
      throw new StatesError(
        'States.QueryEvaluationError',
        `state "${name}", field Items: must be an array, got ${JSON.stringify(items)?.slice(0, 200)}`,
      );
    const cancel = new Cancellation(ctx.cancel);
    const inner: RunContext = { ...ctx, cancel };
    const entered = (b.states as { context: { State: { EnteredTime: string } } }).context.State.EnteredTime;
    return this.settleAll(
      items.map((item, index) => async () => {
        const iterationInput =
          state.ItemSelector === undefined
            ? item
            : await evaluateField(
                state.ItemSelector,
                this.bindings(
                  scope,
                  ctx,
                  name,
                  entered,
                  retryCount,
                  { input },
                  { Index: index, Value: item },
                ),
                { state: name, location: 'ItemSelector' },
              );
        return this.runBlock(
          state.ItemProcessor!,
          iterationInput,
          new Scope(scope),
          inner,
          `${path}[${index}]`,
        );
      }),
      (state.MaxConcurrency as number | undefined) ?? 0,
      cancel,
    );
  }

  /**
   * Run jobs with at most `limit` at once (0 = all), results in job order. On the first failure the
   * others are cancelled (they stop before their next state) and, once all have settled, it is rethrown.
   */
  private async settleAll(
    jobs: (() => Promise<unknown>)[],
    limit: number,
    cancel: Cancellation,
  ): Promise<unknown[]> {
    const results: unknown[] = new Array(jobs.length);
    let firstError: unknown;
    let nextIndex = 0;
    const worker = async () => {
      while (nextIndex < jobs.length) {
        const i = nextIndex++;
        if (cancel.cancelled) return;
        try {
          results[i] = await jobs[i]!();
        } catch (err) {
          if (firstError === undefined) {
            cancel.cancel();
            firstError = err;
          }
        }
      }
    };
    const width = limit > 0 ? Math.min(limit, jobs.length) : jobs.length;
    await Promise.all(Array.from({ length: width }, worker));
    if (firstError !== undefined) throw firstError;
    if (cancel.cancelled) throw CANCELLED;
    return results;
  }
}
