import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import aslValidator from 'asl-validator';
import { describe, expect, it } from 'vitest';
import * as errors from '../../lambdas/core/errors';
import { renderDefinition } from '../../statemachines/placeholders';

const DIR = join(import.meta.dirname, '..', '..', 'statemachines');
/** Every definition in statemachines/: a new one is checked without touching this file. */
const DEFINITIONS = readdirSync(DIR).filter((f) => f.endsWith('.asl.json'));

/**
 * The definition with every `${Placeholder}` filled with a value of the right shape, as a stack would:
 * `…Arn` an ARN, `…Name` a bucket name, anything else a number (Map limits).
 */
function rendered(file: string): Record<string, unknown> {
  const template = readFileSync(join(DIR, file), 'utf8');
  const names = new Set([...template.matchAll(/\$\{([A-Za-z0-9_]+)\}/g)].map((m) => m[1]!));
  const values = Object.fromEntries(
    [...names].map((n) => [
      n,
      n.endsWith('TopicArn')
        ? `arn:aws:sns:eu-west-1:123456789012:${n}`
        : n.endsWith('Arn')
          ? `arn:aws:lambda:eu-west-1:123456789012:function:${n}`
          : n.endsWith('Name')
            ? 'finance-de-lab-dev-eu-west-1'
            : 1,
    ]),
  );
  return JSON.parse(renderDefinition(template, values)) as Record<string, unknown>;
}

interface Rule {
  readonly ErrorEquals: string[];
}
interface State {
  readonly Type: string;
  readonly Resource?: string;
  readonly Retry?: Rule[];
  readonly Catch?: Rule[];
  readonly Branches?: { States: Record<string, State> }[];
  readonly ItemProcessor?: { States: Record<string, State> };
}

/** Every state, nested ones (Parallel branches, Map processors) included, with its path. */
function* states(all: Record<string, State>, path = ''): Generator<[string, State]> {
  for (const [name, s] of Object.entries(all)) {
    yield [`${path}${name}`, s];
    for (const b of s.Branches ?? []) yield* states(b.States, `${path}${name}/`);
    if (s.ItemProcessor) yield* states(s.ItemProcessor.States, `${path}${name}/`);
  }
}

/** The `name` of every error class lambdas/core/errors.ts exports (what Lambda reports as the error type). */
const ERROR_CLASS_NAMES = (Object.values(errors) as unknown[])
  .filter((v): v is new (m: string) => Error => typeof v === 'function' && v.prototype instanceof Error)
  .map((C) => new C('probe').name);

describe('statemachines/*.asl.json', () => {
  it('finds the definitions', () => {
    expect(DEFINITIONS).toContain('pipeline.asl.json');
  });

  it.each(DEFINITIONS)('%s passes asl-validator (ASL schema, JSONata and paths, ARNs)', (file) => {
    const { isValid, errorsText } = aslValidator(rendered(file));
    expect(isValid, errorsText('\n')).toBe(true);
  });

  it.each(DEFINITIONS)('%s matches only error names the code can raise, or States.*/Lambda.*', (file) => {
    const known = new Set<string>([...ERROR_CLASS_NAMES, ...errors.LAMBDA_SERVICE_ERRORS]);
    const def = rendered(file) as { States: Record<string, State> };
    for (const [path, s] of states(def.States))
      for (const rule of [...(s.Retry ?? []), ...(s.Catch ?? [])])
        for (const name of rule.ErrorEquals)
          expect(name.startsWith('States.') || known.has(name), `${path}: ${name}`).toBe(true);
  });

  it.each(DEFINITIONS)(
    '%s retries exactly RETRYABLE_ERRORS and the Lambda service errors on every Lambda task',
    (file) => {
      const def = rendered(file) as { States: Record<string, State> };
      const lambdaTasks = [...states(def.States)].filter(([, s]) => s.Resource?.includes(':lambda:invoke'));
      expect(lambdaTasks.length).toBeGreaterThan(0);
      const expected = [...errors.RETRYABLE_ERRORS, ...errors.LAMBDA_SERVICE_ERRORS].sort();
      for (const [path, s] of lambdaTasks) {
        const retried = (s.Retry ?? []).flatMap((r) => r.ErrorEquals).sort();
        expect(retried, path).toEqual(expected);
      }
    },
  );

  it('names retryable errors that are error classes the handlers throw', () => {
    for (const name of errors.RETRYABLE_ERRORS) expect(ERROR_CLASS_NAMES).toContain(name);
  });
});
