import { createHash } from 'node:crypto';
import { describe, expect, it } from 'vitest';
import { LocalExecutor, PAYLOAD_LIMIT_BYTES, type TaskHandler } from '../../local/executor/executor';

/** The Retry/Catch and payload rules of Step Functions the pipeline's definition relies on. */
const machine = (states: Record<string, unknown>) => ({
  QueryLanguage: 'JSONata',
  StartAt: Object.keys(states)[0]!,
  States: states,
});
const named = (name: string) => Object.assign(new Error(`failed with ${name}`), { name });

/** A Task that always throws `error`, with the given Retry and Catch, and two Pass targets A and B. */
async function failing(error: string, retry: object[], catchers: object[]) {
  let calls = 0;
  const sleeps: number[] = [];
  const resources: Record<string, TaskHandler> = {
    boom: async () => {
      calls++;
      throw named(error);
    },
  };
  const ex = new LocalExecutor(
    machine({
      T: {
        Type: 'Task',
        Resource: 'boom',
        Retry: retry,
        // Never-thrown errors keep A and B reachable (the loader refuses unreachable states).
        Catch: [
          { ErrorEquals: ['Never.A'], Next: 'A' },
          { ErrorEquals: ['Never.B'], Next: 'B' },
          ...catchers,
        ],
        End: true,
      },
      A: { Type: 'Pass', Output: 'A', End: true },
      B: { Type: 'Pass', Output: 'B', End: true },
    }),
    { resources, sleep: async (ms) => void sleeps.push(ms), random: () => 0.5 },
  );
  const r = await ex.execute({});
  return { r, calls, sleeps };
}

describe('LocalExecutor Retry and Catch', () => {
  it('retries with the first matching retrier only, and does not fall through when its attempts are spent', async () => {
    const { r, calls, sleeps } = await failing(
      'Flaky',
      [
        { ErrorEquals: ['Flaky'], MaxAttempts: 1, IntervalSeconds: 1 },
        { ErrorEquals: ['States.ALL'], MaxAttempts: 5, IntervalSeconds: 7 },
      ],
      [{ ErrorEquals: ['States.ALL'], Next: 'A' }],
    );
    expect(calls).toBe(2);
    expect(sleeps).toEqual([1000]);
    expect(r.output).toBe('A');
  });

  it('goes to the first matching catcher in order', async () => {
    const flakyFirst = await failing(
      'Flaky',
      [],
      [
        { ErrorEquals: ['Flaky'], Next: 'A' },
        { ErrorEquals: ['States.ALL'], Next: 'B' },
      ],
    );
    expect(flakyFirst.r.output).toBe('A');
    const listFirst = await failing(
      'Flaky',
      [],
      [
        { ErrorEquals: ['Other', 'Flaky'], Next: 'B' },
        { ErrorEquals: ['Flaky'], Next: 'A' },
      ],
    );
    expect(listFirst.r.output).toBe('B');
  });

  it('retries 3 times by default, 1 s apart doubling, when the retrier sets only ErrorEquals', async () => {
    const { calls, sleeps, r } = await failing('Flaky', [{ ErrorEquals: ['Flaky'] }], []);
    expect(calls).toBe(4);
    expect(sleeps).toEqual([1000, 2000, 4000]);
    expect(r).toMatchObject({ status: 'FAILED', error: 'Flaky' });
  });

  it.each(['States.Timeout', 'States.QueryEvaluationError'])(
    'does not let States.TaskFailed match %s',
    async (error) => {
      const { calls, r } = await failing(
        error,
        [{ ErrorEquals: ['States.TaskFailed'], MaxAttempts: 2 }],
        [
          { ErrorEquals: ['States.TaskFailed'], Next: 'A' },
          { ErrorEquals: ['States.ALL'], Next: 'B' },
        ],
      );
      expect(calls).toBe(1);
      expect(r.output).toBe('B');
    },
  );

  it('lets States.TaskFailed match an error the task throws', async () => {
    const { calls, r } = await failing(
      'UpstreamError',
      [{ ErrorEquals: ['States.TaskFailed'], MaxAttempts: 2 }],
      [{ ErrorEquals: ['States.TaskFailed'], Next: 'A' }],
    );
    expect(calls).toBe(3);
    expect(r.output).toBe('A');
  });

  it('fails the execution with the error name and message when no catcher matches', async () => {
    const { r } = await failing('Flaky', [], [{ ErrorEquals: ['Other'], Next: 'A' }]);
    expect(r).toMatchObject({ status: 'FAILED', error: 'Flaky', cause: 'failed with Flaky' });
  });
});

describe('LocalExecutor payload limit', () => {
  /** A state output whose JSON is exactly `bytes` bytes: a string of bytes − 2 characters plus quotes. */
  const run = (bytes: number) =>
    new LocalExecutor(machine({ P: { Type: 'Pass', Output: '{% $states.input %}', End: true } }), {
      resources: {},
    }).execute('x'.repeat(bytes - 2));

  it('accepts a state output of exactly 256 KiB', async () => {
    expect(PAYLOAD_LIMIT_BYTES).toBe(256 * 1024);
    expect((await run(PAYLOAD_LIMIT_BYTES)).status).toBe('SUCCEEDED');
  });

  it('fails with States.DataLimitExceeded one byte over 256 KiB', async () => {
    const r = await run(PAYLOAD_LIMIT_BYTES + 1);
    expect(r).toMatchObject({ status: 'FAILED', error: 'States.DataLimitExceeded' });
    expect(r.cause).toContain(`${PAYLOAD_LIMIT_BYTES + 1} bytes`);
  });

  it('fails with States.DataLimitExceeded when an assigned variable is over 256 KiB', async () => {
    const r = await new LocalExecutor(
      machine({ P: { Type: 'Pass', Assign: { big: '{% $states.input %}' }, End: true } }),
      { resources: {} },
    ).execute('x'.repeat(PAYLOAD_LIMIT_BYTES));
    expect(r).toMatchObject({ status: 'FAILED', error: 'States.DataLimitExceeded' });
  });
});

describe('LocalExecutor history and added functions', () => {
  const run = (output: string, input: unknown = {}) =>
    new LocalExecutor(machine({ P: { Type: 'Pass', Output: output, End: true } }), { resources: {} }).execute(
      input,
    );

  it('records the execution and each state in order, with paths, sequence numbers and ARNs', async () => {
    const ex = new LocalExecutor(machine({ A: { Type: 'Pass', Next: 'B' }, B: { Type: 'Succeed' } }), {
      resources: {},
      stateMachineName: 'sm',
    });
    const r = await ex.execute({}, { name: 'run-1' });
    expect(r.name).toBe('run-1');
    expect(r.executionArn).toBe('arn:aws:states:local:000000000000:execution:sm:run-1');
    expect(r.history.map((e) => [e.seq, e.type, e.state ?? '', e.path ?? ''])).toEqual([
      [1, 'ExecutionStarted', '', ''],
      [2, 'StateEntered', 'A', 'A'],
      [3, 'StateExited', 'A', 'A'],
      [4, 'StateEntered', 'B', 'B'],
      [5, 'StateExited', 'B', 'B'],
      [6, 'ExecutionSucceeded', '', ''],
    ]);
  });

  it('ends with ExecutionFailed carrying the error and cause of a Fail state', async () => {
    const r = await new LocalExecutor(
      machine({ F: { Type: 'Fail', Error: 'Broken', Cause: "{% 'because ' & $states.input.why %}" } }),
      { resources: {} },
    ).execute({ why: 'reasons' });
    expect(r).toMatchObject({ status: 'FAILED', error: 'Broken', cause: 'because reasons' });
    expect(r.history.at(-1)).toMatchObject({
      type: 'ExecutionFailed',
      error: 'Broken',
      cause: 'because reasons',
    });
  });

  it('partitions arrays, wraps a scalar, and refuses a size below 1', async () => {
    expect((await run('{% $partition([1,2,3,4,5], 2) %}')).output).toEqual([[1, 2], [3, 4], [5]]);
    expect((await run('{% $partition(7, 3) %}')).output).toEqual([[7]]);
    const bad = await run('{% $partition([1], 0) %}');
    expect(bad).toMatchObject({ status: 'FAILED', error: 'States.QueryEvaluationError' });
    expect(bad.cause).toContain('$partition: size must be a positive integer');
  });

  it('builds ranges up and down, inclusive, and refuses a zero step', async () => {
    expect((await run('{% $range(0, 10, 5) %}')).output).toEqual([0, 5, 10]);
    expect((await run('{% $range(3, 1, -1) %}')).output).toEqual([3, 2, 1]);
    expect((await run('{% $range(0, 1, 0) %}')).cause).toContain('$range: step must not be 0');
  });

  it('hashes text and JSON with the named algorithm and refuses an unknown one', async () => {
    const sha = (s: string) => createHash('sha256').update(s).digest('hex');
    expect((await run("{% $hash('abc', 'SHA-256') %}")).output).toBe(sha('abc'));
    expect((await run("{% $hash({'a': 1}, 'SHA-256') %}")).output).toBe(sha('{"a":1}'));
    expect((await run("{% $hash('abc', 'CRC32') %}")).cause).toContain('$hash: algorithm must be one of');
  });

  it('gives the same seeded random number twice and a number in [0, 1)', async () => {
    const a = (await run('{% $random(42) %}')).output as number;
    expect((await run('{% $random(42) %}')).output).toBe(a);
    expect((await run('{% $random(43) %}')).output).not.toBe(a);
    expect(a).toBeGreaterThanOrEqual(0);
    expect(a).toBeLessThan(1);
  });

  it('runs Map items at most MaxConcurrency at a time', async () => {
    let running = 0;
    let peak = 0;
    const ex = new LocalExecutor(
      machine({
        M: {
          Type: 'Map',
          Items: '{% [1,2,3,4,5] %}',
          MaxConcurrency: 2,
          ItemProcessor: { StartAt: 'T', States: { T: { Type: 'Task', Resource: 'slow', End: true } } },
          End: true,
        },
      }),
      {
        resources: {
          slow: async (p) => {
            running++;
            peak = Math.max(peak, running);
            await new Promise((r) => setTimeout(r, 5));
            running--;
            return p;
          },
        },
      },
    );
    const r = await ex.execute({});
    expect(r.output).toEqual([1, 2, 3, 4, 5]);
    expect(peak).toBe(2);
  });
});
