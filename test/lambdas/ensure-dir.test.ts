import { existsSync, mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { ensureDir, ensureDirSync } from '../../lambdas/adapters/ensure-dir';

const base = () => mkdtempSync(join(tmpdir(), 'fdl-ensure-dir-'));

describe('ensureDir / ensureDirSync', () => {
  it('creates a folder and every missing parent, and accepts one that exists', async () => {
    const root = base();
    ensureDirSync(join(root, 'a', 'b', 'c'));
    await ensureDir(join(root, 'x', 'y'));
    await ensureDir(join(root, 'x', 'y'));
    ensureDirSync(join(root, 'a', 'b', 'c'));
    expect([existsSync(join(root, 'a', 'b', 'c')), existsSync(join(root, 'x', 'y'))]).toEqual([true, true]);
  });

  // Node's recursive mkdir loops forever here (ENOENT for the child, EEXIST for /proc): this must end.
  it('fails at once with ENOENT under /proc instead of looping', async () => {
    expect(() => ensureDirSync('/proc/fdl-no-such/lake')).toThrow(/ENOENT/);
    await expect(ensureDir('/proc/fdl-no-such/lake')).rejects.toThrow(/ENOENT/);
  }, 5_000);

  it('names ENOTDIR when a parent is a file', async () => {
    const file = join(base(), 'file');
    writeFileSync(file, 'x');
    expect(() => ensureDirSync(join(file, 'sub'))).toThrow(/ENOTDIR/);
    await expect(ensureDir(join(file, 'sub'))).rejects.toThrow(/ENOTDIR/);
  });
});
