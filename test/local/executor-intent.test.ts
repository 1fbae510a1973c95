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
