import { describe, expect, it } from 'vitest';
import { DefinitionError, LocalExecutor } from '../../local/executor/executor';

/**
 * The definition check names every problem with its state and field: one invalid change per case, on an
 * otherwise valid machine. A check that let one through would run a definition Step Functions refuses.
 */
const task = { Type: 'Task', Resource: 'fn', End: true };
const machine = (states: Record<string, unknown>, extra: Record<string, unknown> = {}) => ({
  QueryLanguage: 'JSONata',
  StartAt: Object.keys(states)[0],
  States: states,
  ...extra,
});
const problemsOf = (def: unknown): readonly string[] => {
  try {
    new LocalExecutor(def as never, { resources: { fn: async () => ({}) } });
  } catch (err) {
    expect(err).toBeInstanceOf(DefinitionError);
    return (err as DefinitionError).problems;
  }
  return [];
};

describe('LocalExecutor definition check', () => {
  it('accepts a valid machine', () => {
    expect(problemsOf(machine({ T: task }))).toEqual([]);
  });

  it.each([
    ['a non-object definition', 42, 'not a JSON object'],
    [
      'JSONPath',
      machine({ T: task }, { QueryLanguage: 'JSONPath' }),
      'top level: field "QueryLanguage" must be "JSONata" (got "JSONPath")',
    ],
    [
      'an unknown top-level field',
      machine({ T: task }, { TimeoutSeconds: 5 }),
      'top level: unsupported field "TimeoutSeconds"',
    ],
    [
      'a StartAt naming no state',
      { ...machine({ T: task }), StartAt: 'X' },
      'top level: field "StartAt" must name a state of the block (got "X")',
    ],
    ['no States', { QueryLanguage: 'JSONata', StartAt: 'T' }, 'top level: field "States" is missing'],
    [
      'an unknown state type',
      machine({ T: { Type: 'Magic', End: true } }),
      'state "T": field "Type" is "Magic", not one of',
    ],
    [
      'Next and End together',
      machine({ T: { ...task, Next: 'T' } }),
      'state "T": exactly one of fields "Next" and "End": true is required',
    ],
    [
      'neither Next nor End',
      machine({ T: { Type: 'Task', Resource: 'fn' } }),
      'state "T": exactly one of fields "Next" and "End": true is required',
    ],
    [
      'a Next naming no state',
      machine({ T: { Type: 'Task', Resource: 'fn', Next: 'Nowhere' } }),
      'state "T": field "Next" names no state of its block ("Nowhere")',
    ],
    [
      'a Task without Resource',
      machine({ T: { Type: 'Task', End: true } }),
      'state "T": field "Resource" is required',
    ],
    [
      'a state QueryLanguage other than JSONata',
      machine({ T: { ...task, QueryLanguage: 'JSONPath' } }),
      'state "T": field "QueryLanguage" must be "JSONata"',
    ],
    [
      'Parallel without branches',
      machine({ P: { Type: 'Parallel', Branches: [], End: true } }),
      'state "P": field "Branches" must be a non-empty array',
    ],
    [
      'a Parallel branch field',
      machine({
        P: { Type: 'Parallel', Branches: [{ StartAt: 'T', States: { T: task }, X: 1 }], End: true },
      }),
      'state "P": field "Branches[0].X" is not supported',
    ],
    [
      'Map without ItemProcessor',
      machine({ M: { Type: 'Map', End: true } }),
      'state "M": field "ItemProcessor" is required',
    ],
    [
      'a negative MaxConcurrency',
      machine({
        M: {
          Type: 'Map',
          ItemProcessor: { StartAt: 'T', States: { T: task } },
          MaxConcurrency: -1,
          End: true,
        },
      }),
      'state "M": field "MaxConcurrency" must be a non-negative integer',
    ],
    [
      'a fractional MaxConcurrency',
      machine({
        M: {
          Type: 'Map',
          ItemProcessor: { StartAt: 'T', States: { T: task } },
          MaxConcurrency: 1.5,
          End: true,
        },
      }),
      'state "M": field "MaxConcurrency" must be a non-negative integer',
    ],
    [
      'Choices that is not an array',
      machine({ C: { Type: 'Choice', Choices: {}, Default: 'T' }, T: task }),
      'state "C": field "Choices" must be a non-empty array',
    ],
    [
      'Choice without choices',
      machine({ C: { Type: 'Choice', Choices: [], Default: 'T' }, T: task }),
      'state "C": field "Choices" must be a non-empty array',
    ],
    [
      'a Choice condition that is not an expression',
      machine({ C: { Type: 'Choice', Choices: [{ Condition: 'true', Next: 'T' }], Default: 'T' }, T: task }),
      'state "C": field "Choices[0].Condition" must be a {% %} expression',
    ],
    ['Fail without Error', machine({ F: { Type: 'Fail' } }), 'state "F": field "Error" is required'],
    [
      'Retry that is not an array',
      machine({ T: { ...task, Retry: {} } }),
      'state "T": field "Retry" must be an array',
    ],
    [
      'an unknown retrier field',
      machine({ T: { ...task, Retry: [{ ErrorEquals: ['X'], Foo: 1 }] } }),
      'state "T": field "Retry[0].Foo" is not supported',
    ],
    [
      'a negative IntervalSeconds',
      machine({ T: { ...task, Retry: [{ ErrorEquals: ['X'], IntervalSeconds: -1 }] } }),
      'state "T": field "Retry[0].IntervalSeconds" must be a non-negative number',
    ],
    [
      'a string MaxAttempts',
      machine({ T: { ...task, Retry: [{ ErrorEquals: ['X'], MaxAttempts: '3' }] } }),
      'state "T": field "Retry[0].MaxAttempts" must be a non-negative number',
    ],
    [
      'a negative MaxDelaySeconds',
      machine({ T: { ...task, Retry: [{ ErrorEquals: ['X'], MaxDelaySeconds: -5 }] } }),
      'state "T": field "Retry[0].MaxDelaySeconds" must be a non-negative number',
    ],
    [
      'a BackoffRate below 1',
      machine({ T: { ...task, Retry: [{ ErrorEquals: ['X'], BackoffRate: 0.5 }] } }),
      'state "T": field "Retry[0].BackoffRate" must be a number >= 1',
    ],
    [
      'a string BackoffRate',
      machine({ T: { ...task, Retry: [{ ErrorEquals: ['X'], BackoffRate: '2' }] } }),
      'state "T": field "Retry[0].BackoffRate" must be a number >= 1',
    ],
    [
      'an unknown JitterStrategy',
      machine({ T: { ...task, Retry: [{ ErrorEquals: ['X'], JitterStrategy: 'HALF' }] } }),
      'state "T": field "Retry[0].JitterStrategy" must be FULL or NONE',
    ],
    [
      'empty ErrorEquals',
      machine({ T: { ...task, Retry: [{ ErrorEquals: [] }] } }),
      'state "T": field "Retry[0].ErrorEquals" must be a non-empty array of error names',
    ],
    [
      'a non-string error name',
      machine({ T: { ...task, Retry: [{ ErrorEquals: [1] }] } }),
      'state "T": field "Retry[0].ErrorEquals" must be a non-empty array of error names',
    ],
    [
      'States.ALL with other names',
      machine({ T: { ...task, Retry: [{ ErrorEquals: ['States.ALL', 'X'] }] } }),
      'state "T": field "Retry[0].ErrorEquals": States.ALL must stand alone in the last entry',
    ],
    [
      'States.ALL before another retrier',
      machine({ T: { ...task, Retry: [{ ErrorEquals: ['States.ALL'] }, { ErrorEquals: ['X'] }] } }),
      'state "T": field "Retry[0].ErrorEquals": States.ALL must stand alone in the last entry',
    ],
    [
      'Catch that is not an array',
      machine({ T: { ...task, Catch: {} } }),
      'state "T": field "Catch" must be an array',
    ],
    [
      'a catcher Next naming no state',
      machine({ T: { ...task, Catch: [{ ErrorEquals: ['X'], Next: 'Nowhere' }] } }),
      'state "T": field "Catch[0].Next" names no state of its block ("Nowhere")',
    ],
    [
      'an expression that does not compile',
      machine({ P: { Type: 'Pass', Output: '{% $states.input + %}', End: true } }),
      'state "P": field Output: JSONata does not compile',
    ],
  ])('names the problem when the definition has %s', (_what, def, problem) => {
    const problems = problemsOf(def);
    expect(problems.some((p) => p.startsWith(problem))).toBe(true);
  });

  it('counts the problems in its message and lists each on its own line', () => {
    const err = (() => {
      try {
        new LocalExecutor(machine({ T: { Type: 'Task' } }, { TimeoutSeconds: 1 }) as never, {
          resources: {},
        });
      } catch (e) {
        return e as DefinitionError;
      }
      throw new Error('expected a DefinitionError');
    })();
    expect(err.name).toBe('DefinitionError');
    expect(err.message).toMatch(
      /^state machine definition is outside the supported subset \(\d+ problems\):\n {2}- /,
    );
    expect(err.message.split('\n').length).toBe(err.problems.length + 1);
    const one = (() => {
      try {
        new LocalExecutor(machine({ T: task }, { TimeoutSeconds: 1 }) as never, {
          resources: { fn: async () => ({}) },
        });
      } catch (e) {
        return e as DefinitionError;
      }
      throw new Error('expected a DefinitionError');
    })();
    expect(one.message).toBe(
      'state machine definition is outside the supported subset (1 problem):\n  - top level: unsupported field "TimeoutSeconds"',
    );
  });
});
