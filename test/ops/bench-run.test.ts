import { mkdirSync, mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import {
  type BenchRow,
  benchArgs,
  benchFiles,
  machine,
  report,
  table,
  validateResults,
} from '../../bench/run';

describe('bench runner', () => {
  it('discovers every bench file except the runner and the types when listing a folder', () => {
    const dir = mkdtempSync(join(tmpdir(), 'fdl-bench-list-'));
    mkdirSync(join(dir, 'sub'));
    for (const f of ['run.ts', 'types.ts', 'synth.ts', 'zeta.ts', 'notes.md', 'x.d.ts'])
      writeFileSync(join(dir, f), '');
    expect(benchFiles(dir)).toEqual(['synth.ts', 'zeta.ts']);
  });

  it('rejects results without name, value or unit when a bench returns them', () => {
    expect(() => validateResults('a.ts', { name: 'x' })).toThrow(/array/);
    expect(() => validateResults('a.ts', [{ name: 'x', value: '1', unit: 'ms' }])).toThrow(/lacks/);
    expect(validateResults('a.ts', [{ name: 'x', value: 1, unit: 'ms' }])).toHaveLength(1);
  });

  it('shows a failed bench as an error row and a missed target as NO when rendering the table', () => {
    const rows: BenchRow[] = [
      { bench: 'synth.ts', name: 'synth', value: 6000, unit: 'ms', target: '< 5000 ms', ok: false },
      { bench: 'broken.ts', name: 'broken.ts did not run', value: Number.NaN, unit: '', error: 'boom | bad' },
    ];
    const md = table(rows);
    expect(md).toContain('| synth | 6,000 | ms | < 5000 ms | **NO** | synth.ts |');
    expect(md).toContain('| broken.ts did not run | error |');
    expect(md).toContain('ERROR: boom \\| bad');
  });

  it('writes the doc only when given --write, and refuses --write for a partial run', () => {
    expect(benchArgs([])).toEqual({ only: [], write: false });
    expect(benchArgs(['reprocess'])).toEqual({ only: ['reprocess'], write: false });
    expect(benchArgs(['--write'])).toEqual({ only: [], write: true });
    expect(() => benchArgs(['--write', 'synth'])).toThrow(/--write needs every bench/);
  });

  it('names the machine and the date when writing the report', () => {
    const m = machine();
    expect(m.cores).toBeGreaterThan(0);
    const md = report([], m, new Date('2026-01-02T03:04:05Z'));
    expect(md).toContain('2026-01-02');
    expect(md).toContain(m.cpu);
    expect(md).toContain(m.node);
  });
});
