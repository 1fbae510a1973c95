/**
 * The ASL subset the local executor runs, and its load-time validation. Everything outside the subset
 * (an unknown state type, a JSONPath field such as ResultPath, a field this executor does not implement)
 * is rejected up front with the state and field named: the twin must never silently run a different
 * machine from the one deployed.
 */
import { DISTRIBUTED_ONLY_FIELDS, distributedMapProblems } from './distributed-definition';
import { compileExpression, findExpressions, isExpression } from './expressions';

export interface Retrier {
  readonly ErrorEquals: readonly string[];
  readonly IntervalSeconds?: number;
  readonly MaxAttempts?: number;
  readonly BackoffRate?: number;
  readonly MaxDelaySeconds?: number;
  readonly JitterStrategy?: 'FULL' | 'NONE';
  readonly Comment?: string;
}

export interface Catcher {
  readonly ErrorEquals: readonly string[];
  readonly Next: string;
  readonly Output?: unknown;
  readonly Assign?: Readonly<Record<string, unknown>>;
  readonly Comment?: string;
}

export interface ChoiceRule {
  readonly Condition: string;
  readonly Next: string;
  readonly Output?: unknown;
  readonly Assign?: Readonly<Record<string, unknown>>;
  readonly Comment?: string;
}

export interface StateDefinition {
  readonly Type: 'Pass' | 'Task' | 'Parallel' | 'Map' | 'Choice' | 'Succeed' | 'Fail';
  readonly Comment?: string;
  readonly QueryLanguage?: 'JSONata';
  readonly Next?: string;
  readonly End?: boolean;
  readonly Output?: unknown;
  readonly Assign?: Readonly<Record<string, unknown>>;
  readonly Arguments?: unknown;
  readonly Resource?: string;
  readonly Retry?: readonly Retrier[];
  readonly Catch?: readonly Catcher[];
  readonly Branches?: readonly StatesBlock[];
  readonly Items?: unknown;
  readonly ItemSelector?: unknown;
  readonly ItemProcessor?: StatesBlock & {
    readonly ProcessorConfig?: { readonly Mode?: string; readonly ExecutionType?: string };
  };
  /** A number; on a Distributed Map also a `{% %}` expression. */
  readonly MaxConcurrency?: number | string;
  /** Distributed Map only (distributed-definition.ts). */
  readonly ItemReader?: {
    readonly Resource: string;
    readonly ReaderConfig: { readonly InputType: 'JSON' };
    readonly Arguments: { readonly Bucket: unknown; readonly Key: unknown };
  };
  readonly ItemBatcher?: {
    readonly MaxItemsPerBatch?: number | string;
    readonly MaxInputBytesPerBatch?: number | string;
    readonly BatchInput?: unknown;
  };
  readonly ToleratedFailurePercentage?: number | string;
  readonly ResultWriter?: {
    readonly Resource: string;
    readonly Arguments: { readonly Bucket: unknown; readonly Prefix: unknown };
  };
  readonly Choices?: readonly ChoiceRule[];
  readonly Default?: string;
  readonly Error?: string;
  readonly Cause?: string;
}

export interface StatesBlock {
  readonly StartAt: string;
  readonly States: Readonly<Record<string, StateDefinition>>;
  readonly Comment?: string;
}

export interface MachineDefinition extends StatesBlock {
  readonly QueryLanguage?: 'JSONata';
}

/** Thrown at load time; the message names every problem (state and field). */
export class DefinitionError extends Error {
  override name = 'DefinitionError';
  constructor(readonly problems: readonly string[]) {
    super(
      `state machine definition is outside the supported subset (${problems.length} problem${problems.length > 1 ? 's' : ''}):\n${problems.map((p) => `  - ${p}`).join('\n')}`,
    );
  }
}

const COMMON = ['Type', 'Comment', 'QueryLanguage'];
const FLOW = ['Next', 'End'];
/** Fields allowed per state type (JSONata flavour only). */
const ALLOWED_FIELDS: Record<StateDefinition['Type'], readonly string[]> = {
  Pass: [...COMMON, ...FLOW, 'Output', 'Assign'],
  Task: [...COMMON, ...FLOW, 'Output', 'Assign', 'Resource', 'Arguments', 'Retry', 'Catch'],
  Parallel: [...COMMON, ...FLOW, 'Output', 'Assign', 'Arguments', 'Branches', 'Retry', 'Catch'],
  Map: [
    ...COMMON,
    ...FLOW,
    'Output',
    'Assign',
    'Items',
    'ItemSelector',
    'ItemProcessor',
    'MaxConcurrency',
    'Retry',
    'Catch',
    ...DISTRIBUTED_ONLY_FIELDS,
  ],
  Choice: [...COMMON, 'Output', 'Assign', 'Choices', 'Default'],
  Succeed: [...COMMON, 'Output'],
  Fail: [...COMMON, 'Error', 'Cause'],
};
const JSONPATH_FIELDS = [
  'InputPath',
  'Parameters',
  'ResultSelector',
  'ResultPath',
  'OutputPath',
  'ItemsPath',
  'Iterator',
  'ErrorPath',
  'CausePath',
  'Result',
];
const RETRIER_FIELDS = [
  'ErrorEquals',
  'IntervalSeconds',
  'MaxAttempts',
  'BackoffRate',
  'MaxDelaySeconds',
  'JitterStrategy',
  'Comment',
];
const CATCHER_FIELDS = ['ErrorEquals', 'Next', 'Output', 'Assign', 'Comment'];
const CHOICE_RULE_FIELDS = ['Condition', 'Next', 'Output', 'Assign', 'Comment'];

/** Parse (when a string) and validate a whole definition; throws DefinitionError listing every problem. */
export function loadDefinition(source: string | object): MachineDefinition {
  let def: unknown;
  try {
    def = typeof source === 'string' ? JSON.parse(source) : source;
  } catch (err) {
    throw new DefinitionError([`not valid JSON: ${(err as Error).message}`]);
  }
  const problems: string[] = [];
  if (typeof def !== 'object' || def === null) throw new DefinitionError(['not a JSON object']);
  const top = def as Record<string, unknown>;
  if (top.QueryLanguage !== 'JSONata')
    problems.push(
      `top level: field "QueryLanguage" must be "JSONata" (got ${JSON.stringify(top.QueryLanguage)})`,
    );
  for (const k of Object.keys(top))
    if (!['Comment', 'StartAt', 'States', 'QueryLanguage'].includes(k))
      problems.push(`top level: unsupported field "${k}"`);
  validateBlock(top, 'top level', [], problems);
  if (problems.length) throw new DefinitionError(problems);
  return def as MachineDefinition;
}

/** Names assigned anywhere in a block (not nested blocks), for the shadowing check. */
function assignedNames(block: StatesBlock): string[] {
  const names: string[] = [];
  for (const s of Object.values(block.States ?? {})) {
    names.push(...Object.keys(s.Assign ?? {}));
    // Not-an-array Catch/Choices are reported by validateBlock; here they must not throw a TypeError.
    for (const c of Array.isArray(s.Catch) ? s.Catch : []) names.push(...Object.keys(c.Assign ?? {}));
    for (const c of Array.isArray(s.Choices) ? s.Choices : []) names.push(...Object.keys(c.Assign ?? {}));
  }
  return names;
}

function validateBlock(
  blockValue: Record<string, unknown>,
  where: string,
  outerNames: readonly string[],
  problems: string[],
): void {
  const states = blockValue.States as Record<string, Record<string, unknown>> | undefined;
  const startAt = blockValue.StartAt;
  if (typeof states !== 'object' || states === null) {
    problems.push(`${where}: field "States" is missing`);
    return;
  }
  if (typeof startAt !== 'string' || !(startAt in states))
    problems.push(
      `${where}: field "StartAt" must name a state of the block (got ${JSON.stringify(startAt)})`,
    );
  const block = blockValue as unknown as StatesBlock;
  const names = assignedNames(block);
  for (const n of names)
    if (outerNames.includes(n))
      problems.push(`${where}: variable "$${n}" is assigned in an inner scope but shadows an outer variable`);
  const visibleNames = [...outerNames, ...names];

  const targets = (name: string, field: string, target: unknown) => {
    if (typeof target !== 'string' || !(target in states))
      problems.push(
        `state "${name}": field "${field}" names no state of its block (${JSON.stringify(target)})`,
      );
  };

  for (const [name, state] of Object.entries(states)) {
    const at = `state "${name}"`;
    const type = state.Type as StateDefinition['Type'];
    const allowed = ALLOWED_FIELDS[type];
    if (!allowed) {
      problems.push(
        `${at}: field "Type" is "${String(state.Type)}", not one of ${Object.keys(ALLOWED_FIELDS).join(', ')}`,
      );
      continue;
    }
    for (const k of Object.keys(state)) {
      if (allowed.includes(k)) continue;
      problems.push(
        JSONPATH_FIELDS.includes(k)
          ? `${at}: field "${k}" is a JSONPath field; JSONata states use Arguments/Output`
          : `${at}: field "${k}" is not supported on a ${type} state by the local executor`,
      );
    }
    if (state.QueryLanguage !== undefined && state.QueryLanguage !== 'JSONata')
      problems.push(`${at}: field "QueryLanguage" must be "JSONata"`);
    if (allowed.includes('Next')) {
      const hasNext = state.Next !== undefined;
      const hasEnd = state.End === true;
      if (hasNext === hasEnd)
        problems.push(`${at}: exactly one of fields "Next" and "End": true is required`);
      if (hasNext) targets(name, 'Next', state.Next);
    }
    // Every expression must compile now, not when the state first runs.
    for (const field of [
      'Output',
      'Assign',
      'Arguments',
      'Items',
      'ItemSelector',
      'Error',
      'Cause',
      ...(type === 'Map' ? ['MaxConcurrency', ...DISTRIBUTED_ONLY_FIELDS] : []),
    ])
      for (const { location, template } of findExpressions(state[field], field))
        checkExpression(at, location, template);
    if (type === 'Task') {
      if (typeof state.Resource !== 'string' || !state.Resource)
        problems.push(`${at}: field "Resource" is required`);
    }
    if (type === 'Parallel') {
      const branches = state.Branches as Record<string, unknown>[] | undefined;
      if (!Array.isArray(branches) || branches.length === 0)
        problems.push(`${at}: field "Branches" must be a non-empty array`);
      else
        branches.forEach((b, i) => {
          for (const k of Object.keys(b))
            if (!['StartAt', 'States', 'Comment'].includes(k))
              problems.push(`${at}: field "Branches[${i}].${k}" is not supported`);
          validateBlock(b, `${at} Branches[${i}]`, visibleNames, problems);
        });
    }
    if (type === 'Map') {
      const proc = state.ItemProcessor as Record<string, unknown> | undefined;
      if (!proc) problems.push(`${at}: field "ItemProcessor" is required`);
      else {
        for (const k of Object.keys(proc))
          if (!['StartAt', 'States', 'ProcessorConfig', 'Comment'].includes(k))
            problems.push(`${at}: field "ItemProcessor.${k}" is not supported`);
        const mode = (proc.ProcessorConfig as { Mode?: string } | undefined)?.Mode;
        if (mode !== undefined && mode !== 'INLINE' && mode !== 'DISTRIBUTED')
          problems.push(
            `${at}: field "ItemProcessor.ProcessorConfig.Mode" "${mode}" is not supported (INLINE or DISTRIBUTED)`,
          );
        problems.push(...distributedMapProblems(at, state, mode));
        // A Distributed Map's child executions cannot read the parent's variables: no outer names.
        validateBlock(proc, `${at} ItemProcessor`, mode === 'DISTRIBUTED' ? [] : visibleNames, problems);
      }
      const distributed = (proc?.ProcessorConfig as { Mode?: string } | undefined)?.Mode === 'DISTRIBUTED';
      if (
        !distributed &&
        state.MaxConcurrency !== undefined &&
        (!Number.isInteger(state.MaxConcurrency) || (state.MaxConcurrency as number) < 0)
      )
        problems.push(`${at}: field "MaxConcurrency" must be a non-negative integer`);
    }
    if (type === 'Choice') {
      const rules = state.Choices as Record<string, unknown>[] | undefined;
      if (!Array.isArray(rules) || rules.length === 0)
        problems.push(`${at}: field "Choices" must be a non-empty array`);
      else
        rules.forEach((rule, i) => {
          for (const k of Object.keys(rule))
            if (!CHOICE_RULE_FIELDS.includes(k))
              problems.push(
                `${at}: field "Choices[${i}].${k}" is not supported (JSONata rules use Condition)`,
              );
          if (!isExpression(rule.Condition))
            problems.push(`${at}: field "Choices[${i}].Condition" must be a {% %} expression`);
          for (const { location, template } of findExpressions(rule, `Choices[${i}]`))
            checkExpression(at, location, template);
          targets(name, `Choices[${i}].Next`, rule.Next);
        });
      if (state.Default !== undefined) targets(name, 'Default', state.Default);
    }
    if (type === 'Fail') {
      if (state.Error === undefined) problems.push(`${at}: field "Error" is required`);
    }
    if (state.Retry !== undefined) {
      const retry = state.Retry as Record<string, unknown>[];
      if (!Array.isArray(retry)) problems.push(`${at}: field "Retry" must be an array`);
      else
        retry.forEach((r, i) => {
          for (const k of Object.keys(r))
            if (!RETRIER_FIELDS.includes(k))
              problems.push(`${at}: field "Retry[${i}].${k}" is not supported`);
          checkErrorEquals(at, `Retry[${i}]`, r.ErrorEquals, i === retry.length - 1);
          for (const f of ['IntervalSeconds', 'MaxAttempts', 'MaxDelaySeconds'])
            if (r[f] !== undefined && (typeof r[f] !== 'number' || (r[f] as number) < 0))
              problems.push(`${at}: field "Retry[${i}].${f}" must be a non-negative number`);
          if (r.BackoffRate !== undefined && (typeof r.BackoffRate !== 'number' || r.BackoffRate < 1))
            problems.push(`${at}: field "Retry[${i}].BackoffRate" must be a number >= 1`);
          if (r.JitterStrategy !== undefined && r.JitterStrategy !== 'FULL' && r.JitterStrategy !== 'NONE')
            problems.push(`${at}: field "Retry[${i}].JitterStrategy" must be FULL or NONE`);
        });
    }
    if (state.Catch !== undefined) {
      const catchers = state.Catch as Record<string, unknown>[];
      if (!Array.isArray(catchers)) problems.push(`${at}: field "Catch" must be an array`);
      else
        catchers.forEach((c, i) => {
          for (const k of Object.keys(c))
            if (!CATCHER_FIELDS.includes(k))
              problems.push(
                `${at}: field "Catch[${i}].${k}" is not supported${k === 'ResultPath' ? ' (JSONata catchers use Output)' : ''}`,
              );
          checkErrorEquals(at, `Catch[${i}]`, c.ErrorEquals, i === catchers.length - 1);
          targets(name, `Catch[${i}].Next`, c.Next);
          for (const { location, template } of findExpressions(
            { Output: c.Output, Assign: c.Assign },
            `Catch[${i}]`,
          ))
            checkExpression(at, location, template);
        });
    }
  }

  // Unreachable states are an error in Step Functions too.
  const reachable = new Set<string>();
  const queue = typeof startAt === 'string' && startAt in states ? [startAt] : [];
  while (queue.length) {
    const n = queue.pop()!;
    if (reachable.has(n)) continue;
    reachable.add(n);
    const s = states[n] as unknown as StateDefinition;
    const next = [
      s.Next,
      s.Default,
      ...(Array.isArray(s.Choices) ? s.Choices : []).map((c) => c.Next),
      ...(Array.isArray(s.Catch) ? s.Catch : []).map((c) => c.Next),
    ].filter((x): x is string => typeof x === 'string' && x in states);
    queue.push(...next);
  }
  for (const n of Object.keys(states))
    if (!reachable.has(n)) problems.push(`state "${n}": unreachable from ${where} StartAt`);

  function checkExpression(at: string, location: string, template: string) {
    try {
      compileExpression(template);
    } catch (err) {
      problems.push(`${at}: field ${location}: JSONata does not compile: ${(err as Error).message}`);
    }
  }
  function checkErrorEquals(at: string, field: string, value: unknown, isLast: boolean) {
    if (!Array.isArray(value) || value.length === 0 || !value.every((v) => typeof v === 'string')) {
      problems.push(`${at}: field "${field}.ErrorEquals" must be a non-empty array of error names`);
      return;
    }
    if (value.includes('States.ALL') && (value.length > 1 || !isLast))
      problems.push(`${at}: field "${field}.ErrorEquals": States.ALL must stand alone in the last entry`);
  }
}
