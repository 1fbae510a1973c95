import { spawnSync } from 'node:child_process';
import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { UsageError } from '../../cli/kit/args';
import { runScript, type Script } from '../../cli/kit/script';
import { ConfigError } from '../../lambdas/core/errors';

const ROOT = join(import.meta.dirname, '..', '..');

const capture = () => {
  const out: string[] = [];
  const err: string[] = [];
  return { io: { out: (t: string) => out.push(t), err: (t: string) => err.push(t) }, out, err };
};

const script = (main: Script<{ env: { type: 'string' } }>['main']): Script<{ env: { type: 'string' } }> => ({
  name: 'npm run demo --',
  usage: 'Usage: npm run demo -- [--env NAME]',
  flags: { env: { type: 'string' } },
  main,
});

describe('runScript', () => {
  it('prints the usage on --help and exits 0 without running the script', async () => {
    const c = capture();
    let ran = false;
    const code = await runScript(
      script(async () => {
        ran = true;
        return 0;
      }),
      ['--help'],
      c.io,
    );
    expect([code, ran, c.out]).toEqual([0, false, ['Usage: npm run demo -- [--env NAME]']]);
  });

  it.each([
    [['--bogus'], 'npm run demo --: unknown flag --bogus (see npm run demo -- --help)'],
    [['x'], 'npm run demo --: unexpected argument "x" (see npm run demo -- --help)'],
  ])('exits 2 with one line when the command line is %j', async (argv, line) => {
    const c = capture();
    expect(
      await runScript(
        script(async () => 0),
        argv,
        c.io,
      ),
    ).toBe(2);
    expect(c.err).toEqual([line]);
  });

  it('exits 2 with one line when the script throws UsageError', async () => {
    const c = capture();
    const code = await runScript(
      script(async () => {
        throw new UsageError('--env is required');
      }),
      [],
      c.io,
    );
    expect([code, c.err]).toEqual([2, ['npm run demo --: --env is required (see npm run demo -- --help)']]);
  });

  it('exits 1 with the first line and a log path, never the stack, when the script fails', async () => {
    const c = capture();
    const code = await runScript(
      script(async () => {
        throw new Error('bucket gone\nsecond line');
      }),
      [],
      c.io,
    );
    expect(code).toBe(1);
    expect(c.err).toHaveLength(1);
    expect(c.err[0]).toMatch(/^npm run demo --: bucket gone \(details: .*\.local\/logs\/demo-.*\.log\)$/);
  });

  it('prints a ConfigError whole (each bad env field on its own line) and exits 1', async () => {
    const c = capture();
    const message = 'envs/dev.env.ts:\n  - imageTag: must be immutable';
    const code = await runScript(
      script(async () => {
        throw new ConfigError(message);
      }),
      [],
      c.io,
    );
    expect([code, c.err]).toEqual([1, [`npm run demo --: ${message}`]]);
  });
});

describe('scripts/', () => {
  it('runs every script through runScript (help, exit codes and one-line errors)', () => {
    const scripts = readdirSync(join(ROOT, 'scripts')).filter(
      (f) => f.endsWith('.ts') && !f.endsWith('.d.ts'),
    );
    expect(scripts.length).toBeGreaterThan(0);
    for (const f of scripts) expect(readFileSync(join(ROOT, 'scripts', f), 'utf8'), f).toMatch(/runScript\(/);
  });

  it('answers `npm run costs -- --help` with its usage as a whole process', () => {
    const r = spawnSync(process.execPath, ['--import', 'tsx', 'scripts/costs.ts', '--help'], {
      cwd: ROOT,
      encoding: 'utf8',
    });
    expect(r.status).toBe(0);
    expect(r.stdout).toMatch(/^Usage: npm run costs -- \[--env NAME\] \[--write\]/);
    expect(r.stderr).toBe('');
  });
});
