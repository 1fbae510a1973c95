import { type ChildProcess, execFileSync, spawn } from 'node:child_process';
import { mkdtempSync, readdirSync, readFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { COMMANDS, main } from '../../cli/fdl';

const ROOT = join(import.meta.dirname, '..', '..');
const BIN = join(ROOT, 'bin', 'fdl.mjs');
const VERSION = (JSON.parse(readFileSync(join(ROOT, 'package.json'), 'utf8')) as { version: string }).version;

const capture = () => {
  const out: string[] = [];
  const err: string[] = [];
  return { io: { out: (t: string) => out.push(t), err: (t: string) => err.push(t) }, out, err };
};

/** Pids whose parent is `pid` (Linux /proc). */
function childrenOf(pid: number): number[] {
  const kids: number[] = [];
  for (const entry of readdirSync('/proc')) {
    if (!/^\d+$/.test(entry)) continue;
    try {
      // Field 4 of /proc/<pid>/stat is the parent pid; the command name (field 2) may contain spaces.
      const stat = readFileSync(`/proc/${entry}/stat`, 'utf8');
      if (Number(stat.slice(stat.lastIndexOf(')') + 2).split(' ')[1]) === pid) kids.push(Number(entry));
    } catch {
      // the process ended while we looked
    }
  }
  return kids;
}

const exited = (child: ChildProcess) =>
  new Promise<number | null>((resolve) => child.on('exit', (code) => resolve(code)));

describe('fdl (dispatcher)', () => {
  it('prints the package version on --version', async () => {
    const c = capture();
    expect(await main(['--version'], c.io)).toBe(0);
    expect(c.out).toEqual([VERSION]);
  });

  it('answers `fdl help <command>` with the same text as `fdl <command> --help`', async () => {
    for (const name of Object.keys(COMMANDS)) {
      const a = capture();
      const b = capture();
      expect(await main(['help', name], a.io)).toBe(0);
      expect(await main([name, '--help'], b.io)).toBe(0);
      expect(a.out).toEqual(b.out);
    }
    const c = capture();
    expect(await main(['help', 'nope'], c.io)).toBe(2);
    expect(c.err).toEqual(['fdl: unknown command "nope" (`fdl --help` lists the commands)']);
  });

  it('prints recorded help without loading the command module when the build recorded it', async () => {
    const c = capture();
    const help = Object.keys(COMMANDS).map((name) => ({ name, summary: `s-${name}`, usage: `u-${name}` }));
    expect(await main(['--help'], c.io, { help })).toBe(0);
    const width = Math.max(...Object.keys(COMMANDS).map((n) => n.length));
    expect(c.out.join('\n')).toContain(`  ${'run'.padEnd(width)}  s-run`);
    const d = capture();
    expect(await main(['status', '--help'], d.io, { help })).toBe(0);
    expect(d.out).toEqual(['u-status']);
  });
});

describe('bin/fdl.mjs (whole process)', () => {
  it('lists every command and the version from the compiled CLI', () => {
    const help = execFileSync(process.execPath, [BIN, '--help'], { encoding: 'utf8' });
    for (const name of Object.keys(COMMANDS)) expect(help).toMatch(new RegExp(`\\n  ${name}\\s`));
    expect(execFileSync(process.execPath, [BIN, '--version'], { encoding: 'utf8' }).trim()).toBe(VERSION);
  });

  it('runs the pipeline in its own process and exits 130 with one line on SIGINT', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'fdl-sigint-'));
    const child = spawn(
      process.execPath,
      [BIN, 'run', '--source', `replay:${join(ROOT, 'replay', 'sample')}`, '--lake', join(dir, 'lake')]
        .concat(['--warehouse', join(dir, 'w.duckdb'), '--dashboard', join(dir, 'd.html')])
        .concat(['--alerts', join(dir, 'a.jsonl')]),
      { cwd: dir, stdio: ['ignore', 'pipe', 'pipe'] },
    );
    let stdout = '';
    let stderr = '';
    child.stderr!.on('data', (d) => {
      stderr += d;
    });
    const done = exited(child);
    await new Promise<void>((resolve) =>
      child.stdout!.on('data', (d) => {
        stdout += d;
        if (stdout.includes('tick 1/')) resolve();
      }),
    );
    // No launcher/child pair: killing this pid (even with SIGKILL) leaves no pipeline running. A Node child
    // would be a second pipeline process; esbuild's service (a launch that rebuilds a stale dist/cli/) is not.
    const kids = childrenOf(child.pid!).map((pid) => {
      try {
        return { pid, comm: readFileSync(`/proc/${pid}/comm`, 'utf8').trim() };
      } catch {
        return { pid, comm: '(ended)' };
      }
    });
    expect(
      kids.filter((k) => k.comm === 'node'),
      JSON.stringify(kids),
    ).toEqual([]);
    child.kill('SIGINT');
    expect(await done).toBe(130);
    expect(stderr.trim().split('\n').at(-1)).toBe('fdl run: interrupted');
  });
});
