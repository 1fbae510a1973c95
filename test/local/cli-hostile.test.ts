import fc from 'fast-check';
import { describe, expect, it, vi } from 'vitest';
import { main } from '../../cli/fdl';

/**
 * Hostile command lines: whatever the flags hold (control characters, newlines, huge values, `=` forms),
 * a bad command line exits 2 with exactly one line on stderr, and never starts work.
 */
const COMMANDS = ['run', 'reprocess', 'load', 'dashboard', 'status', 'check-ingestion'] as const;

/**
 * Run `fdl <argv>` and collect what it wrote to stderr: through the dispatcher's io, or directly (some
 * commands report their own usage errors). Written text is split into lines the way a terminal shows it.
 */
const expectOneUsageLine = async (argv: string[]) => {
  const err: string[] = [];
  const spy = vi.spyOn(process.stderr, 'write').mockImplementation((chunk: string | Uint8Array) => {
    err.push(String(chunk));
    return true;
  });
  let code: number;
  try {
    code = await main(argv, { out: () => {}, err: (t) => err.push(`${t}\n`) });
  } finally {
    spy.mockRestore();
  }
  expect({ argv, code }).toEqual({ argv, code: 2 });
  const lines = err
    .join('')
    .replace(/\n$/, '')
    .split(/\r?\n|\r/);
  expect({ argv, lines: lines.length }).toEqual({ argv, lines: 1 });
  expect(lines[0]).toMatch(new RegExp(`^fdl ${argv[0]}: `));
};

describe('fdl with hostile command lines', () => {
  it('exits 2 with one line for any unknown flag, whatever characters its name holds', async () => {
    await fc.assert(
      fc.asyncProperty(
        fc.constantFrom(...COMMANDS),
        fc.string({ maxLength: 40, unit: 'binary-ascii' }),
        fc.boolean(),
        async (command, name, withValue) => {
          await expectOneUsageLine([command, `--zz-${name}${withValue ? '=x\ny' : ''}`]);
        },
      ),
      { numRuns: 60 },
    );
  });

  it('exits 2 with one line for any --ticks value that is not a positive integer', async () => {
    const notPositiveInteger = fc
      .oneof(
        fc.string({ maxLength: 30, unit: 'binary-ascii' }),
        fc.double().map(String),
        fc.constantFrom('0', '-1', '1e400', '2.5', 'NaN'),
      )
      .filter((v) => !(Number.isInteger(Number(v)) && Number(v) >= 1));
    await fc.assert(
      fc.asyncProperty(notPositiveInteger, async (value) => {
        await expectOneUsageLine(['run', '--ticks', value]);
      }),
      { numRuns: 60 },
    );
  });
});
