/**
 * JSONata evaluation the way Step Functions does it: a field value is either a literal or a whole
 * `"{% expression %}"` string, evaluated with JSONata 2.0.6 plus the functions Step Functions adds
 * ($partition, $range, $hash, $random, $uuid, $parse) and without $eval.
 */
import { createHash, randomUUID } from 'node:crypto';
import jsonata from 'jsonata';

/** An error the state machine can route (Retry/Catch match `Error`). */
export class StatesError extends Error {
  constructor(
    readonly error: string,
    readonly causeText: string,
  ) {
    super(`${error}: ${causeText}`);
    this.name = error;
  }
}

const EXPRESSION = /^\{%([\s\S]*)%\}$/;

/** True when `value` is a `{% … %}` JSONata string. */
export function isExpression(value: unknown): value is string {
  return typeof value === 'string' && EXPRESSION.test(value);
}

const compiled = new Map<string, jsonata.Expression>();

/** Compile (cached) the expression inside `{% … %}`; throws a plain Error with JSONata's message. */
export function compileExpression(template: string): jsonata.Expression {
  let expr = compiled.get(template);
  if (!expr) {
    const body = EXPRESSION.exec(template)![1]!;
    expr = jsonata(body);
    compiled.set(template, expr);
  }
  return expr;
}

/** Every `{% %}` string inside a field value, with its location (`Arguments.Payload.runId`). */
export function findExpressions(value: unknown, location: string): { location: string; template: string }[] {
  if (isExpression(value)) return [{ location, template: value }];
  if (Array.isArray(value)) return value.flatMap((v, i) => findExpressions(v, `${location}[${i}]`));
  if (value !== null && typeof value === 'object')
    return Object.entries(value).flatMap(([k, v]) => findExpressions(v, `${location}.${k}`));
  return [];
}

/** Deterministic PRNG for `$random(seed)` (mulberry32 over the seed). */
function seededRandom(seed: number): number {
  let t = (seed + 0x6d2b79f5) | 0;
  t = Math.imul(t ^ (t >>> 15), t | 1);
  t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
  return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
}

const HASH_ALGORITHMS: Record<string, string> = {
  MD5: 'md5',
  'SHA-1': 'sha1',
  'SHA-256': 'sha256',
  'SHA-384': 'sha384',
  'SHA-512': 'sha512',
};

/** The functions Step Functions adds to JSONata (and `$eval`, which it removes). */
export const STEP_FUNCTIONS_FUNCTIONS: Readonly<Record<string, (...args: never[]) => unknown>> = {
  partition(array: unknown[], size: number) {
    if (!Array.isArray(array)) array = array === undefined ? [] : [array];
    if (!Number.isInteger(size) || size < 1) throw new Error('$partition: size must be a positive integer');
    const out: unknown[][] = [];
    for (let i = 0; i < array.length; i += size) out.push(array.slice(i, i + size));
    return out;
  },
  range(start: number, end: number, step: number) {
    if (step === 0) throw new Error('$range: step must not be 0');
    const out: number[] = [];
    for (let v = start; step > 0 ? v <= end : v >= end; v += step) out.push(v);
    return out;
  },
  hash(data: unknown, algorithm: string) {
    const algo = HASH_ALGORITHMS[algorithm];
    if (!algo) throw new Error(`$hash: algorithm must be one of ${Object.keys(HASH_ALGORITHMS).join(', ')}`);
    const text = typeof data === 'string' ? data : JSON.stringify(data);
    return createHash(algo).update(text).digest('hex');
  },
  random(seed?: number) {
    return seed === undefined ? Math.random() : seededRandom(Math.trunc(seed));
  },
  uuid() {
    return randomUUID();
  },
  parse(text: string) {
    return JSON.parse(text);
  },
  eval() {
    throw new Error('$eval is not available in Step Functions; use $parse');
  },
};

/** JSONata returns arrays tagged as sequences and may contain undefined: normalise to plain JSON. */
function toJson(value: unknown): unknown {
  return value === undefined ? undefined : JSON.parse(JSON.stringify(value));
}

/**
 * Evaluate a field value: literals are returned as-is, `{% %}` strings are evaluated, objects and arrays
 * recursively. An expression that fails or yields undefined raises States.QueryEvaluationError naming
 * the state and field.
 */
export async function evaluateField(
  value: unknown,
  bindings: Record<string, unknown>,
  where: { state: string; location: string },
): Promise<unknown> {
  if (isExpression(value)) {
    let result: unknown;
    try {
      result = await compileExpression(value).evaluate(undefined, {
        ...STEP_FUNCTIONS_FUNCTIONS,
        ...bindings,
      });
    } catch (err) {
      const message = (err as { message?: string }).message ?? String(err);
      throw new StatesError(
        'States.QueryEvaluationError',
        `state "${where.state}", field ${where.location}: ${message} (in ${value})`,
      );
    }
    if (result === undefined)
      throw new StatesError(
        'States.QueryEvaluationError',
        `state "${where.state}", field ${where.location}: the expression returned no value (in ${value})`,
      );
    return toJson(result);
  }
  if (Array.isArray(value))
    return Promise.all(
      value.map((v, i) => evaluateField(v, bindings, { ...where, location: `${where.location}[${i}]` })),
    );
  if (value !== null && typeof value === 'object') {
    const out: Record<string, unknown> = {};
    for (const [k, v] of Object.entries(value))
      out[k] = await evaluateField(v, bindings, { ...where, location: `${where.location}.${k}` });
    return out;
  }
  return value;
}
