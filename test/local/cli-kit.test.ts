import { describe, expect, it } from 'vitest';
import { parseFlags, UsageError } from '../../cli/kit/args';
import { table, tableOf } from '../../cli/kit/io';

const SPEC = { ticks: { type: 'number' }, source: { type: 'string' }, json: { type: 'boolean' } } as const;

describe('parseFlags', () => {
  it('reads --name value, --name=value and boolean flags into typed values', () => {
    expect(parseFlags(['--ticks', '3', '--source=replay:x', '--json'], SPEC)).toEqual({
      ticks: 3,
      source: 'replay:x',
      json: true,
    });
    expect(parseFlags([], SPEC)).toEqual({});
  });

  it.each([
    [['--bogus'], 'unknown flag --bogus'],
    [['--source'], '--source needs a value'],
    [['--json=yes'], '--json takes no value'],
    [['extra'], 'unexpected argument "extra"'],
    [['--ticks', '0'], '--ticks must be a positive integer, got "0"'],
    [['--ticks', '2.5'], '--ticks must be a positive integer, got "2.5"'],
  ])('throws one-line UsageError %j when the command line is wrong', (argv, message) => {
    const attempt = () => parseFlags(argv, SPEC);
    expect(attempt).toThrow(UsageError);
    expect(attempt).toThrow(new RegExp(`^${message.replace(/[.*+?^${}()|[\]\\]/g, '\\$&')}$`));
  });
});

describe('table', () => {
  it('pads every column to its widest cell and right-aligns the columns asked for', () => {
    const rows = [
      ['dataset', 'rows'],
      ['coinlore_tickers', '7'],
      ['x', '1234'],
    ];
    const lines = table(rows, { align: ['left', 'right'] }).split('\n');
    expect(lines).toEqual(['dataset           rows', 'coinlore_tickers     7', 'x                 1234']);
  });

  it('prints Markdown with a separator row and escaped pipes', () => {
    expect(
      table(
        [
          ['a', 'b'],
          ['1|2', '3'],
        ],
        { style: 'markdown' },
      ),
    ).toBe('| a | b |\n|---|---|\n| 1\\|2 | 3 |');
  });

  it('builds rows from objects in the order of the columns given', () => {
    const out = tableOf([{ n: 1, s: 'x' }], { s: (r) => r.s, n: (r) => String(r.n) });
    expect(out).toBe('s  n\nx  1');
  });
});
