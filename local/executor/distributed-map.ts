/**
 * The Distributed Map at run time (the executor calls `runDistributedMap` for a Map state whose
 * ItemProcessor Mode is DISTRIBUTED). Semantics follow the Step Functions docs:
 * - items come from `Items` or from `ItemReader` (a JSON array object read from the object store);
 * - `ItemSelector` shapes each item, then `ItemBatcher` groups them: a child execution gets
 *   `{Items: [...], BatchInput?}` (at most MaxItemsPerBatch items and MaxInputBytesPerBatch bytes);
 * - every item or batch runs as a CHILD EXECUTION: no access to the parent's variables, its own context,
 *   and its failure does not stop its siblings;
 * - `ToleratedFailurePercentage` (of items; a failed batch counts all its items): once exceeded, no new
 *   child starts and the state fails with States.ExceedToleratedFailureThreshold after the running ones end;
 * - `ResultWriter` writes `<Prefix>/<map run id>/SUCCEEDED_0.json`, `FAILED_0.json` and `manifest.json`
 *   (also when the run fails) and the state's result is `{MapRunArn, ResultWriterDetails: {Bucket, Key}}`;
 *   without it the result is the array of child outputs (null for failed ones).
 */
import { randomUUID } from 'node:crypto';
import type { StateDefinition } from './definition';
import { MAX_BATCH_INPUT_BYTES } from './distributed-definition';
import { StatesError } from './expressions';

/** Where ItemReader reads and ResultWriter writes (the twin passes the lake store). */
export interface ObjectStore {
  get(bucket: string, key: string): Promise<Uint8Array>;
  put(bucket: string, key: string, body: string): Promise<void>;
}

/** One child execution as ResultWriter records it. */
export interface ChildRecord {
  readonly ExecutionArn: string;
  readonly Name: string;
  readonly StateMachineArn: string;
  readonly Status: 'SUCCEEDED' | 'FAILED';
  readonly StartDate: string;
  readonly StopDate: string;
  readonly Input: string;
  readonly InputDetails: { readonly Included: true };
  readonly Output?: string;
  readonly OutputDetails?: { readonly Included: true };
  readonly Error?: string;
  readonly Cause?: string;
}

export interface DistributedMapContext {
  readonly name: string;
  readonly state: StateDefinition;
  readonly input: unknown;
  readonly parentStateMachineArn: string;
  readonly parentExecutionName: string;
  readonly objectStore?: ObjectStore;
  readonly now: () => Date;
  /** Evaluate a field (literal or `{% %}`) with the state's bindings; `item` adds $states.context.Map.Item. */
  evaluate(value: unknown, location: string, item?: { Index: number; Value: unknown }): Promise<unknown>;
  /** Run the ItemProcessor as a child execution; rejects with a StatesError when the child fails. */
  runChild(input: unknown, child: { name: string; arn: string; stateMachineArn: string }): Promise<unknown>;
  /** True once the parent execution was cancelled (a sibling branch failed). */
  cancelled(): boolean;
}

const sizeOf = (v: unknown) => Buffer.byteLength(JSON.stringify(v) ?? 'null');
const toStatesError = (err: unknown): StatesError =>
  err instanceof StatesError
    ? err
    : err instanceof Error
      ? new StatesError(err.name || 'Error', err.message)
      : new StatesError('Error', String(err));

async function intField(
  ctx: DistributedMapContext,
  value: unknown,
  location: string,
): Promise<number | undefined> {
  if (value === undefined) return undefined;
  const v = await ctx.evaluate(value, location);
  if (typeof v !== 'number' || !Number.isInteger(v) || v < 0)
    throw new StatesError(
      'States.QueryEvaluationError',
      `state "${ctx.name}", field ${location}: must evaluate to a non-negative integer, got ${JSON.stringify(v)}`,
    );
  return v;
}

async function readItems(ctx: DistributedMapContext): Promise<unknown[]> {
  const { state } = ctx;
  if (!state.ItemReader) {
    const items = state.Items === undefined ? ctx.input : await ctx.evaluate(state.Items, 'Items');
    if (!Array.isArray(items))
      throw new StatesError(
        'States.QueryEvaluationError',
        `state "${ctx.name}", field Items: must be an array, got ${JSON.stringify(items)?.slice(0, 200)}`,
      );
    return items;
  }
  const args = (await ctx.evaluate(state.ItemReader.Arguments, 'ItemReader.Arguments')) as {
    Bucket: string;
    Key: string;
  };
  let text: string;
  try {
    text = Buffer.from(await ctx.objectStore!.get(String(args.Bucket), String(args.Key))).toString('utf8');
  } catch (err) {
    throw new StatesError(
      'States.ItemReaderFailed',
      `state "${ctx.name}": cannot read s3://${args.Bucket}/${args.Key}: ${(err as Error).message}`,
    );
  }
  let items: unknown;
  try {
    items = JSON.parse(text);
  } catch (err) {
    throw new StatesError(
      'States.ItemReaderFailed',
      `state "${ctx.name}": ${args.Key} is not JSON: ${(err as Error).message}`,
    );
  }
  if (!Array.isArray(items))
    throw new StatesError('States.ItemReaderFailed', `state "${ctx.name}": ${args.Key} is not a JSON array`);
  return items;
}

/** Group selected items into child inputs (one per item without ItemBatcher). */
async function batch(
  ctx: DistributedMapContext,
  items: unknown[],
): Promise<{ input: unknown; items: number }[]> {
  const batcher = ctx.state.ItemBatcher;
  if (!batcher) return items.map((item) => ({ input: item, items: 1 }));
  const maxItems =
    (await intField(ctx, batcher.MaxItemsPerBatch, 'ItemBatcher.MaxItemsPerBatch')) ?? Infinity;
  const maxBytes =
    (await intField(ctx, batcher.MaxInputBytesPerBatch, 'ItemBatcher.MaxInputBytesPerBatch')) ??
    MAX_BATCH_INPUT_BYTES;
  const batchInput =
    batcher.BatchInput === undefined
      ? undefined
      : await ctx.evaluate(batcher.BatchInput, 'ItemBatcher.BatchInput');
  const make = (group: unknown[]) =>
    batchInput === undefined ? { Items: group } : { Items: group, BatchInput: batchInput };
  const out: { input: unknown; items: number }[] = [];
  let group: unknown[] = [];
  for (const item of items) {
    if (group.length > 0 && (group.length >= maxItems || sizeOf(make([...group, item])) > maxBytes)) {
      out.push({ input: make(group), items: group.length });
      group = [];
    }
    group.push(item);
    if (sizeOf(make(group)) > maxBytes)
      throw new StatesError(
        'States.ItemReaderFailed',
        `state "${ctx.name}": one item alone is over MaxInputBytesPerBatch (${maxBytes} bytes)`,
      );
  }
  if (group.length > 0) out.push({ input: make(group), items: group.length });
  return out;
}

export async function runDistributedMap(ctx: DistributedMapContext): Promise<unknown> {
  const { state, name } = ctx;
  const raw = await readItems(ctx);
  const selected: unknown[] = [];
  for (const [index, value] of raw.entries())
    selected.push(
      state.ItemSelector === undefined
        ? value
        : await ctx.evaluate(state.ItemSelector, 'ItemSelector', { Index: index, Value: value }),
    );
  const children = await batch(ctx, selected);
  const limit = (await intField(ctx, state.MaxConcurrency, 'MaxConcurrency')) ?? 0;
  const tolerated =
    state.ToleratedFailurePercentage === undefined
      ? 0
      : Number(await ctx.evaluate(state.ToleratedFailurePercentage, 'ToleratedFailurePercentage'));
  if (!Number.isFinite(tolerated) || tolerated < 0 || tolerated > 100)
    throw new StatesError(
      'States.QueryEvaluationError',
      `state "${name}", field ToleratedFailurePercentage: must evaluate to 0-100, got ${tolerated}`,
    );

  const mapRunId = randomUUID();
  const label = `${name}`;
  const childSm = `${ctx.parentStateMachineArn}/${label}`;
  const mapRunArn = `${ctx.parentStateMachineArn.replace(':stateMachine:', ':mapRun:')}/${label}:${mapRunId}`;
  const totalItems = selected.length;
  const records: ChildRecord[] = new Array(children.length);
  const outputs: unknown[] = new Array(children.length);
  let failedItems = 0;
  let exceeded = false;
  let next = 0;

  const worker = async () => {
    while (next < children.length && !exceeded && !ctx.cancelled()) {
      const i = next++;
      const child = children[i]!;
      const childName = `${mapRunId}:${i}`;
      const arn = `${childSm.replace(':stateMachine:', ':execution:')}:${childName}`;
      const started = ctx.now().toISOString();
      const base = {
        ExecutionArn: arn,
        Name: childName,
        StateMachineArn: childSm,
        StartDate: started,
        Input: JSON.stringify(child.input),
        InputDetails: { Included: true as const },
      };
      try {
        const out = await ctx.runChild(child.input, { name: childName, arn, stateMachineArn: childSm });
        outputs[i] = out;
        records[i] = {
          ...base,
          Status: 'SUCCEEDED',
          StopDate: ctx.now().toISOString(),
          Output: JSON.stringify(out ?? null),
          OutputDetails: { Included: true },
        };
      } catch (err) {
        const e = toStatesError(err);
        outputs[i] = null;
        records[i] = {
          ...base,
          Status: 'FAILED',
          StopDate: ctx.now().toISOString(),
          Error: e.error,
          Cause: e.causeText,
        };
        failedItems += child.items;
        if ((failedItems / Math.max(totalItems, 1)) * 100 > tolerated) exceeded = true;
      }
    }
  };
  const width = limit > 0 ? Math.min(limit, children.length) : children.length;
  await Promise.all(Array.from({ length: width }, worker));
  if (ctx.cancelled()) throw new StatesError('States.Cancelled', 'a sibling branch or iteration failed');

  let result: unknown = outputs;
  if (state.ResultWriter) {
    const args = (await ctx.evaluate(state.ResultWriter.Arguments, 'ResultWriter.Arguments')) as {
      Bucket: string;
      Prefix: string;
    };
    const bucket = String(args.Bucket);
    const dir = `${String(args.Prefix).replace(/\/+$/, '')}/${mapRunId}`;
    const done = records.filter((r): r is ChildRecord => r !== undefined);
    const files: Record<string, { Key: string; Size: number }[]> = { FAILED: [], PENDING: [], SUCCEEDED: [] };
    for (const status of ['SUCCEEDED', 'FAILED'] as const) {
      const of = done.filter((r) => r.Status === status);
      if (of.length === 0) continue;
      const key = `${dir}/${status}_0.json`;
      const body = JSON.stringify(of);
      await ctx.objectStore!.put(bucket, key, body);
      files[status]!.push({ Key: key, Size: Buffer.byteLength(body) });
    }
    const manifestKey = `${dir}/manifest.json`;
    await ctx.objectStore!.put(
      bucket,
      manifestKey,
      JSON.stringify({ DestinationBucket: bucket, MapRunArn: mapRunArn, ResultFiles: files }),
    );
    result = { MapRunArn: mapRunArn, ResultWriterDetails: { Bucket: bucket, Key: manifestKey } };
  }
  if (exceeded)
    throw new StatesError(
      'States.ExceedToleratedFailureThreshold',
      `state "${name}": ${failedItems} of ${totalItems} items failed, over the tolerated ${tolerated}% (map run ${mapRunArn})`,
    );
  return result;
}
