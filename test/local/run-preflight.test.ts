import { existsSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { main } from '../../cli/fdl';
import { loadEnvelopes } from '../../local/replay-server';
import { describeRecording, ticksProblem } from '../../local/sources';

/** `fdl run` refuses, once and with the cause, what would otherwise fail every tick or repeat old data. */
const FIXTURES = join(import.meta.dirname, '..', 'fixtures', 'replay');

describe('fdl run preflight', () => {
  const dir = mkdtempSync(join(tmpdir(), 'fdl-preflight-'));
  afterAll(() => rmSync(dir, { recursive: true, force: true }));
  const capture = () => {
    const out: string[] = [];
    const err: string[] = [];
    return { io: { out: (t: string) => out.push(t), err: (t: string) => err.push(t) }, out, err };
  };
  const paths = (lake: string) => [
    '--lake',
    lake,
    '--warehouse',
    join(dir, 'w.duckdb'),
    '--dashboard',
    join(dir, 'd.html'),
    '--alerts',
    join(dir, 'alerts.jsonl'),
  ];

  it('fails once with the errno code and the path, and runs no tick, when the lake folder cannot be created', async () => {
    const file = join(dir, 'a-file');
    writeFileSync(file, 'not a folder');
    const lake = join(file, 'lake');
    const c = capture();
    expect(await main(['run', '--source', `replay:${FIXTURES}`, ...paths(lake)], c.io)).toBe(1);
    expect(c.err).toHaveLength(1);
    expect(c.err[0]).toContain(`cannot write the lake folder ${lake} (ENOTDIR at ${lake})`);
    expect(c.err[0]).toContain('pass --lake');
    expect(c.out.join('\n')).not.toMatch(/tick 1/);
    expect(existsSync(join(dir, 'alerts.jsonl'))).toBe(false);
  });

  // /proc passes access() as root, and Node's recursive mkdir then loops forever under it: the preflight
  // must try a real mkdir and stop with the cause.
  it('fails once with ENOENT, and runs no tick, when the lake is under a pseudo file system', async () => {
    const c = capture();
    expect(
      await main(['run', '--source', `replay:${FIXTURES}`, ...paths('/proc/fdl-no-such/lake')], c.io),
    ).toBe(1);
    expect(c.err).toHaveLength(1);
    expect(c.err[0]).toContain('cannot write the lake folder /proc/fdl-no-such/lake (ENOENT');
    expect(c.out.join('\n')).not.toMatch(/tick 1/);
  }, 10_000);

  it('exits 2 naming the snapshot count when --ticks asks for more than the recording holds', async () => {
    const snapshots = describeRecording(await loadEnvelopes(FIXTURES)).snapshots;
    const c = capture();
    const argv = [
      'run',
      '--source',
      `replay:${FIXTURES}`,
      '--ticks',
      String(snapshots + 1),
      ...paths(join(dir, 'lake')),
    ];
    expect(await main(argv, c.io)).toBe(2);
    expect(c.err).toHaveLength(1);
    expect(c.err[0]).toContain(`--ticks ${snapshots + 1} is more than the ${snapshots} snapshot`);
    expect(existsSync(join(dir, 'alerts.jsonl'))).toBe(false);
    // The lake check before it created nothing (a later command must still see "no lake").
    expect(existsSync(join(dir, 'lake'))).toBe(false);
  });

  it('accepts any tick count up to the snapshot count, and any for live sources', () => {
    expect(ticksProblem({ kind: 'replay', snapshots: 6 }, 6)).toBeUndefined();
    expect(ticksProblem({ kind: 'replay', snapshots: 6 }, 1)).toBeUndefined();
    expect(ticksProblem({ kind: 'replay', snapshots: 6 }, 7)).toMatch(/pass --ticks 6 or fewer/);
    expect(ticksProblem({ kind: 'live' }, 500)).toBeUndefined();
  });
});
