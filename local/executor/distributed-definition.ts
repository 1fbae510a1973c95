/**
 * Load-time validation of the Distributed Map fields the local executor supports (definition.ts calls it
 * for every Map state): `ProcessorConfig.Mode` DISTRIBUTED with `ExecutionType`, `ItemReader` (a JSON
 * array object read with s3:getObject), `ItemBatcher`, `ToleratedFailurePercentage`, `ResultWriter`
 * (s3:putObject under a prefix) and `MaxConcurrency` as a number or a JSONata expression. Anything else
 * (CSV/JSONL/manifest readers, ToleratedFailureCount, WriterConfig, Label, …) is a load-time error naming
 * the state and field, like every other unsupported field.
 */
import { isExpression } from './expressions';

export const S3_GET_OBJECT = 'arn:aws:states:::s3:getObject';
export const S3_PUT_OBJECT = 'arn:aws:states:::s3:putObject';

/** Map fields that exist only on a Distributed Map. */
export const DISTRIBUTED_ONLY_FIELDS = [
  'ItemReader',
  'ItemBatcher',
  'ToleratedFailurePercentage',
  'ResultWriter',
] as const;

/** Step Functions' limit on one batch's input (MaxInputBytesPerBatch). */
export const MAX_BATCH_INPUT_BYTES = 256 * 1024;

const isObject = (v: unknown): v is Record<string, unknown> =>
  typeof v === 'object' && v !== null && !Array.isArray(v);

/** A number field that may also be a `{% %}` expression: returns a problem or undefined. */
function numberOrExpression(value: unknown, min: number, max: number): string | undefined {
  if (isExpression(value)) return undefined;
  if (typeof value !== 'number' || !Number.isFinite(value) || value < min || value > max)
    return `must be a number ${min}-${max} or a {% %} expression`;
  return undefined;
}

/**
 * Problems of one Map state's distributed fields. `mode` is its ProcessorConfig.Mode (undefined = INLINE).
 */
export function distributedMapProblems(
  at: string,
  state: Record<string, unknown>,
  mode: string | undefined,
): string[] {
  const problems: string[] = [];
  const proc = state.ItemProcessor as Record<string, unknown> | undefined;
  const config = (proc?.ProcessorConfig ?? {}) as Record<string, unknown>;
  if (mode !== 'DISTRIBUTED') {
    for (const f of DISTRIBUTED_ONLY_FIELDS)
      if (state[f] !== undefined)
        problems.push(`${at}: field "${f}" needs ItemProcessor.ProcessorConfig.Mode "DISTRIBUTED"`);
    if (config.ExecutionType !== undefined)
      problems.push(`${at}: field "ItemProcessor.ProcessorConfig.ExecutionType" needs Mode "DISTRIBUTED"`);
    return problems;
  }
  for (const k of Object.keys(config))
    if (k !== 'Mode' && k !== 'ExecutionType')
      problems.push(`${at}: field "ItemProcessor.ProcessorConfig.${k}" is not supported`);
  if (config.ExecutionType !== 'STANDARD' && config.ExecutionType !== 'EXPRESS')
    problems.push(
      `${at}: field "ItemProcessor.ProcessorConfig.ExecutionType" must be STANDARD or EXPRESS (got ${JSON.stringify(config.ExecutionType)})`,
    );
  if (state.MaxConcurrency !== undefined) {
    const p = numberOrExpression(state.MaxConcurrency, 0, 10_000);
    if (p) problems.push(`${at}: field "MaxConcurrency" ${p}`);
  }
  if (state.ToleratedFailurePercentage !== undefined) {
    const p = numberOrExpression(state.ToleratedFailurePercentage, 0, 100);
    if (p) problems.push(`${at}: field "ToleratedFailurePercentage" ${p}`);
  }

  const reader = state.ItemReader;
  if (reader !== undefined) {
    if (state.Items !== undefined) problems.push(`${at}: fields "Items" and "ItemReader" exclude each other`);
    if (!isObject(reader)) problems.push(`${at}: field "ItemReader" must be an object`);
    else {
      for (const k of Object.keys(reader))
        if (!['Resource', 'ReaderConfig', 'Arguments'].includes(k))
          problems.push(`${at}: field "ItemReader.${k}" is not supported by the local executor`);
      if (reader.Resource !== S3_GET_OBJECT)
        problems.push(
          `${at}: field "ItemReader.Resource" "${String(reader.Resource)}" is not supported (${S3_GET_OBJECT} only)`,
        );
      const rc = reader.ReaderConfig;
      if (!isObject(rc) || rc.InputType !== 'JSON' || Object.keys(rc).length !== 1)
        problems.push(
          `${at}: field "ItemReader.ReaderConfig" must be {"InputType": "JSON"} (a JSON array object; other readers are not supported)`,
        );
      const args = reader.Arguments;
      if (
        !isObject(args) ||
        args.Bucket === undefined ||
        args.Key === undefined ||
        Object.keys(args).length !== 2
      )
        problems.push(`${at}: field "ItemReader.Arguments" must be {"Bucket", "Key"}`);
    }
  }

  const batcher = state.ItemBatcher;
  if (batcher !== undefined) {
    if (!isObject(batcher)) problems.push(`${at}: field "ItemBatcher" must be an object`);
    else {
      for (const k of Object.keys(batcher))
        if (!['MaxItemsPerBatch', 'MaxInputBytesPerBatch', 'BatchInput'].includes(k))
          problems.push(`${at}: field "ItemBatcher.${k}" is not supported`);
      if (batcher.MaxItemsPerBatch === undefined && batcher.MaxInputBytesPerBatch === undefined)
        problems.push(`${at}: field "ItemBatcher" needs MaxItemsPerBatch or MaxInputBytesPerBatch`);
      if (batcher.MaxItemsPerBatch !== undefined) {
        const p = numberOrExpression(batcher.MaxItemsPerBatch, 1, 100_000_000);
        if (p) problems.push(`${at}: field "ItemBatcher.MaxItemsPerBatch" ${p}`);
      }
      if (batcher.MaxInputBytesPerBatch !== undefined) {
        const p = numberOrExpression(batcher.MaxInputBytesPerBatch, 1, MAX_BATCH_INPUT_BYTES);
        if (p) problems.push(`${at}: field "ItemBatcher.MaxInputBytesPerBatch" ${p}`);
      }
    }
  }

  const writer = state.ResultWriter;
  if (writer !== undefined) {
    if (!isObject(writer)) problems.push(`${at}: field "ResultWriter" must be an object`);
    else {
      for (const k of Object.keys(writer))
        if (!['Resource', 'Arguments'].includes(k))
          problems.push(`${at}: field "ResultWriter.${k}" is not supported by the local executor`);
      if (writer.Resource !== S3_PUT_OBJECT)
        problems.push(
          `${at}: field "ResultWriter.Resource" "${String(writer.Resource)}" is not supported (${S3_PUT_OBJECT} only)`,
        );
      const args = writer.Arguments;
      if (
        !isObject(args) ||
        args.Bucket === undefined ||
        args.Prefix === undefined ||
        Object.keys(args).length !== 2
      )
        problems.push(`${at}: field "ResultWriter.Arguments" must be {"Bucket", "Prefix"}`);
    }
  }
  return problems;
}
