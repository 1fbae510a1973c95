/**
 * The `${Placeholder}` values statemachines/pipeline.asl.json expects. The AWS stack fills them with real
 * ARNs; the local twin fills them with `local:` resource ids. Both go through `renderDefinition`, which
 * fails when a placeholder in the file has no value or a value has no placeholder.
 */
import { readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';

export interface PipelinePlaceholders {
  readonly ExtractCoinloreFunctionArn: string;
  readonly ExtractRedditFunctionArn: string;
  readonly TransformFunctionArn: string;
  readonly AlertsTopicArn: string;
}

export const PIPELINE_DEFINITION_PATH = fileURLToPath(new URL('./pipeline.asl.json', import.meta.url));

/**
 * Replace every `${Name}` in `template` (a number replaces the quoted `"${Name}"` as a JSON number); throws
 * naming each unresolved or unused placeholder.
 */
export function renderDefinition(
  template: string,
  values: Readonly<Record<string, string | number>>,
): string {
  const found = new Set([...template.matchAll(/\$\{([A-Za-z0-9_]+)\}/g)].map((m) => m[1]!));
  const missing = [...found].filter((name) => !(name in values));
  const unused = Object.keys(values).filter((name) => !found.has(name));
  if (missing.length || unused.length) {
    const parts = [];
    if (missing.length)
      parts.push(`no value for placeholder(s) ${missing.map((n) => `\${${n}}`).join(', ')}`);
    if (unused.length)
      parts.push(`value(s) given for placeholder(s) not in the definition: ${unused.join(', ')}`);
    throw new Error(`state machine definition: ${parts.join('; ')}`);
  }
  // A number replaces its quoted placeholder (`"${N}"` → `4`): the file stays valid JSON before rendering.
  return template
    .replace(/"\$\{([A-Za-z0-9_]+)\}"/g, (whole, name: string) =>
      typeof values[name] === 'number' ? String(values[name]) : whole,
    )
    .replace(/\$\{([A-Za-z0-9_]+)\}/g, (_, name: string) => String(values[name]));
}

export function loadPipelineDefinition(values: PipelinePlaceholders): string {
  return renderDefinition(readFileSync(PIPELINE_DEFINITION_PATH, 'utf8'), { ...values });
}

/** The `${Placeholder}` values statemachines/backfill.asl.json expects (numbers from the env's `backfill`). */
export interface BackfillPlaceholders {
  readonly BackfillPlanFunctionArn: string;
  readonly TransformFunctionArn: string;
  readonly BackfillSummaryFunctionArn: string;
  readonly AlertsTopicArn: string;
  /** The lake bucket: the manifest's and the results' bucket. */
  readonly LakeBucketName: string;
  readonly BackfillItemsPerBatch: number;
  readonly BackfillMaxConcurrency: number;
  readonly BackfillToleratedFailurePercentage: number;
}

export const BACKFILL_DEFINITION_PATH = fileURLToPath(new URL('./backfill.asl.json', import.meta.url));

/**
 * The backfill definition with every placeholder filled. Numbers sit in the file as quoted placeholders
 * (`"MaxConcurrency": "${BackfillMaxConcurrency}"`) and render as JSON numbers: the Map fields take a
 * number, and a literal is checkable by ASL validators where an expression is not. Each must be a
 * non-negative integer, or rendering throws.
 */
export function loadBackfillDefinition(values: BackfillPlaceholders): string {
  for (const [name, value] of Object.entries(values))
    if (typeof value === 'number' && (!Number.isInteger(value) || value < 0))
      throw new Error(
        `backfill definition: placeholder \${${name}} must be a non-negative integer, got ${value}`,
      );
  return renderDefinition(readFileSync(BACKFILL_DEFINITION_PATH, 'utf8'), { ...values });
}
