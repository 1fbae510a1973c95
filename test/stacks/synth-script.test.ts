import { spawnSync } from 'node:child_process';
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';

const ROOT = join(import.meta.dirname, '..', '..');

describe('npm run synth (scripts/synth.ts)', () => {
  it('prints the env and field without a stack trace and exits 1 when the config is invalid', () => {
    // FDL_IMAGE_TAG is the one config input a user can break without editing envs/ (shared by other tests).
    const run = spawnSync(
      process.execPath,
      ['--import', 'tsx', 'scripts/synth.ts', mkdtempSync(join(tmpdir(), 'fdl-synth-'))],
      {
        cwd: ROOT,
        encoding: 'utf8',
        env: { ...process.env, FDL_IMAGE_TAG: 'latest', CHECKPOINT_DISABLE: '1' },
      },
    );
    expect(run.status).toBe(1);
    expect(run.stderr).toMatch(/env "dev".*\n\s+- imageTag: must be an immutable ECR tag/);
    expect(run.stderr).not.toMatch(/^\s+at /m);
  });
});
