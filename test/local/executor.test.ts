import { describe, expect, it } from 'vitest';
import {
  DefinitionError,
  type LocalExecutor as Executor,
  LocalExecutor,
  type TaskHandler,
} from '../../local/executor/executor';

const machine = (states: Record<string, unknown>, startAt = Object.keys(states)[0]!) => ({
  QueryLanguage: 'JSONata',
  StartAt: startAt,
  States: states,
});

const named = (name: string, message = 'it broke') => {
  const e = new Error(message);
  e.name = name;
  return e;
};

const noSleep = async () => {};

describe('LocalExecutor', () => {
  it('makes an Assign visible from the next state, not the state that assigns it, using entry values', async () => {
    const ex = new LocalExecutor(
      machine({
        A: {
          Type: 'Pass',
          Assign: { x: 1 },
          Output: '{% {"sameState": $exists($x)} %}',
          Next: 'B',
        },
        B: {
          Type: 'Pass',
          Assign: { x: '{% $x + 1 %}', previous: '{% $x %}' },
          Output: '{% {"fromA": $states.input, "x": $x} %}',
          Next: 'C',
        },
        C: { Type: 'Succeed', Output: '{% {"before": $states.input, "x": $x, "previous": $previous} %}' },
      }),
      { resources: {} },
    );
    const r = await ex.execute({});
    expect(r.status).toBe('SUCCEEDED');
    expect(r.output).toEqual({ before: { fromA: { sameState: false }, x: 1 }, x: 2, previous: 1 });
  });

  it('gives a catcher $states.errorOutput and skips the state Assign when a catcher matches', async () => {
    const resources: Record<string, TaskHandler> = {
      boom: async () => {
        throw named('BadThing', 'the cause');
      },
    };
    const ex = new LocalExecutor(
      machine({
        T: {
          Type: 'Task',
          Resource: 'boom',
          Assign: { stateLevel: 'set' },
          Catch: [
            {
              ErrorEquals: ['BadThing'],
              Output: '{% {"err": $states.errorOutput, "input": $states.input} %}',
              Assign: { caught: '{% $states.errorOutput.Error %}' },
              Next: 'Done',
            },
          ],
          End: true,
        },
        Done: {
          Type: 'Succeed',
          Output: '{% {"in": $states.input, "caught": $caught, "stateLevel": $exists($stateLevel)} %}',
        },
      }),
      { resources },
    );
    const r = await ex.execute({ a: 1 });
    expect(r.output).toEqual({
      in: { err: { Error: 'BadThing', Cause: 'the cause' }, input: { a: 1 } },
      caught: 'BadThing',
      stateLevel: false,
    });
  });

  it('outputs the raw error object when the catcher has no Output', async () => {
    const ex = new LocalExecutor(
      machine({
        T: {
          Type: 'Task',
          Resource: 'boom',
          Catch: [{ ErrorEquals: ['States.ALL'], Next: 'Done' }],
          End: true,
        },
        Done: { Type: 'Succeed' },
      }),
      {
        resources: {
          boom: async () => {
            throw named('Oops', 'why');
          },
        },
      },
    );
    expect((await ex.execute({})).output).toEqual({ Error: 'Oops', Cause: 'why' });
  });

  it('returns Map and Parallel results in item and branch order whatever the completion order', async () => {
    const delays = [30, 5, 20, 1];
    const ex = new LocalExecutor(
      machine({
        P: {
          Type: 'Parallel',
          Branches: [
            {
              StartAt: 'Slow',
              States: {
                Slow: { Type: 'Task', Resource: 'echo', Arguments: { n: 30, v: 'first' }, End: true },
              },
            },
            {
              StartAt: 'Fast',
              States: {
                Fast: { Type: 'Task', Resource: 'echo', Arguments: { n: 1, v: 'second' }, End: true },
              },
            },
          ],
          Next: 'M',
          Assign: { parallel: '{% $states.result %}' },
        },
        M: {
          Type: 'Map',
          Items: `{% [${delays.join(',')}] %}`,
          MaxConcurrency: 2,
          ItemSelector: {
            n: '{% $states.context.Map.Item.Value %}',
            v: '{% $states.context.Map.Item.Index %}',
          },
          ItemProcessor: { StartAt: 'E', States: { E: { Type: 'Task', Resource: 'echo', End: true } } },
          Output: '{% {"parallel": $parallel, "map": $states.result} %}',
          End: true,
        },
      }),
      {
        resources: {
          echo: async (input) => {
            const { n, v } = input as { n: number; v: unknown };
            await new Promise((r) => setTimeout(r, n));
            return v;
          },
        },
      },
    );
    const r = await ex.execute({});
    expect(r.output).toEqual({ parallel: ['first', 'second'], map: [0, 1, 2, 3] });
  });

  it('exposes $states.context execution, state and retry fields', async () => {
    let calls = 0;
    const ex = new LocalExecutor(
      machine({
        T: {
          Type: 'Task',
          Resource: 'flaky',
          Retry: [{ ErrorEquals: ['Flaky'], MaxAttempts: 2 }],
          Output: `{% {"name": $states.context.Execution.Name, "start": $states.context.Execution.StartTime,
              "input": $states.context.Execution.Input, "state": $states.context.State.Name,
              "retries": $states.context.State.RetryCount, "entered": $states.context.State.EnteredTime} %}`,
          End: true,
        },
      }),
      {
        resources: {
          flaky: async () => {
            if (calls++ === 0) throw named('Flaky');
            return {};
          },
        },
        sleep: noSleep,
        now: () => new Date('2026-11-24T10:20:05.000Z'),
      },
    );
    const r = await ex.execute({ q: 1 }, { name: 'exec-1', startTime: new Date('2026-11-24T10:20:00.000Z') });
    expect(r.output).toEqual({
      name: 'exec-1',
      start: '2026-11-24T10:20:00.000Z',
      input: { q: 1 },
      state: 'T',
      retries: 1,
      entered: '2026-11-24T10:20:05.000Z',
    });
  });

  it('rejects fields outside the subset at load time, naming the state and the field', () => {
    const attempt = (def: object) => {
      let thrown: unknown;
      try {
        new LocalExecutor(def, { resources: { r: async () => ({}) } });
      } catch (err) {
        thrown = err;
      }
      expect(thrown).toBeInstanceOf(DefinitionError);
      return (thrown as Error).message;
    };
    expect(attempt(machine({ T: { Type: 'Task', Resource: 'r', ResultPath: '$.x', End: true } }))).toMatch(
      /state "T": field "ResultPath" is a JSONPath field/,
    );
    expect(attempt(machine({ W: { Type: 'Wait', Seconds: 1, End: true } }))).toMatch(
      /state "W": field "Type" is "Wait"/,
    );
    expect(attempt(machine({ T: { Type: 'Task', Resource: 'r', TimeoutSeconds: 3, End: true } }))).toMatch(
      /state "T": field "TimeoutSeconds" is not supported/,
    );
    expect(
      attempt(
        machine({
          T: {
            Type: 'Task',
            Resource: 'r',
            Catch: [{ ErrorEquals: ['States.ALL'], ResultPath: '$.e', Next: 'T' }],
            End: true,
          },
        }),
      ),
    ).toMatch(/state "T": field "Catch\[0\]\.ResultPath" is not supported/);
    expect(attempt(machine({ T: { Type: 'Task', Resource: 'missing', End: true } }))).toMatch(
      /state "T": field "Resource" names "missing", which has no local handler/,
    );
    expect(attempt(machine({ P: { Type: 'Pass', Output: '{% $states.input.( %}', End: true } }))).toMatch(
      /state "P": field Output: JSONata does not compile/,
    );
  });

  it('rejects an inner-scope Assign that shadows an outer variable, while reading outer variables works', async () => {
    const inner = (assign: Record<string, unknown>) =>
      machine({
        A: { Type: 'Pass', Assign: { outer: 5 }, Next: 'M' },
        M: {
          Type: 'Map',
          Items: '{% [1, 2] %}',
          ItemProcessor: {
            StartAt: 'I',
            States: {
              I: { Type: 'Pass', Assign: assign, Output: '{% $states.input * $outer %}', End: true },
            },
          },
          End: true,
        },
      });
    expect(() => new LocalExecutor(inner({ outer: 1 }), { resources: {} })).toThrow(/"\$outer" .* shadows/);
    const r = await new LocalExecutor(inner({ local: 1 }), { resources: {} }).execute({});
    expect(r.output).toEqual([5, 10]);
  });

  it('waits IntervalSeconds × BackoffRate^n capped at MaxDelaySeconds between retries, scaled by full jitter', async () => {
    const run = async (jitter: 'FULL' | 'NONE') => {
      const sleeps: number[] = [];
      let calls = 0;
      const ex: Executor = new LocalExecutor(
        machine({
          T: {
            Type: 'Task',
            Resource: 'flaky',
            Retry: [
              { ErrorEquals: ['Other'], MaxAttempts: 5 },
              {
                ErrorEquals: ['Flaky'],
                IntervalSeconds: 2,
                BackoffRate: 3,
                MaxAttempts: 3,
                MaxDelaySeconds: 10,
                JitterStrategy: jitter,
              },
            ],
            Catch: [{ ErrorEquals: ['States.ALL'], Output: '{% $states.errorOutput %}', Next: 'Failed' }],
            End: true,
          },
          Failed: { Type: 'Pass', End: true },
        }),
        {
          resources: {
            flaky: async () => {
              calls++;
              throw named('Flaky');
            },
          },
          sleep: async (ms) => {
            sleeps.push(ms);
          },
          random: () => 0.5,
        },
      );
      const r = await ex.execute({});
      return { sleeps, calls, r };
    };
    const plain = await run('NONE');
    expect(plain.sleeps).toEqual([2000, 6000, 10000]);
    expect(plain.calls).toBe(4);
    expect(plain.r.output).toEqual({ Error: 'Flaky', Cause: 'it broke' });
    expect(plain.r.history.filter((e) => e.type === 'RetryScheduled').map((e) => e.retryCount)).toEqual([
      1, 2, 3,
    ]);
    expect((await run('FULL')).sleeps).toEqual([1000, 3000, 5000]);
  });

  it('fails the execution with a Fail state error raised inside a Parallel branch', async () => {
    const ex = new LocalExecutor(
      machine({
        P: {
          Type: 'Parallel',
          Branches: [
            {
              StartAt: 'F',
              States: { F: { Type: 'Fail', Error: 'Nope', Cause: "{% 'because ' & $states.input.why %}" } },
            },
            { StartAt: 'OK', States: { OK: { Type: 'Pass', End: true } } },
          ],
          End: true,
        },
      }),
      { resources: {} },
    );
    const r = await ex.execute({ why: 'reasons' });
    expect(r).toMatchObject({ status: 'FAILED', error: 'Nope', cause: 'because reasons' });
  });

  it('raises States.QueryEvaluationError naming the state and field when an expression yields nothing', async () => {
    const ex = new LocalExecutor(
      machine({ P: { Type: 'Pass', Output: { a: '{% $states.input.missing %}' }, End: true } }),
      {
        resources: {},
      },
    );
    const r = await ex.execute({});
    expect(r.error).toBe('States.QueryEvaluationError');
    expect(r.cause).toMatch(/state "P", field Output\.a/);
  });

  it('provides the Step Functions added functions and no $eval', async () => {
    const ex = new LocalExecutor(
      machine({
        P: {
          Type: 'Pass',
          Output: `{% {"partition": $partition([1,2,3,4,5], 2), "range": $range(0, 6, 2),
            "hash": $hash('abc', 'SHA-256'), "parse": $parse('{"a":[1]}'),
            "uuid": $length($uuid()), "seeded": $random(7) = $random(7)} %}`,
          End: true,
        },
      }),
      { resources: {} },
    );
    expect((await ex.execute({})).output).toEqual({
      partition: [[1, 2], [3, 4], [5]],
      range: [0, 2, 4, 6],
      hash: 'ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad',
      parse: { a: [1] },
      uuid: 36,
      seeded: true,
    });
    const noEval = new LocalExecutor(
      machine({ P: { Type: 'Pass', Output: "{% $eval('1') %}", End: true } }),
      {
        resources: {},
      },
    );
    expect((await noEval.execute({})).cause).toMatch(/\$eval is not available/);
  });
});
