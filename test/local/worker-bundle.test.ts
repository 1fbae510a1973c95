/**
 * The worker bundle a CLI run from source starts its threads from (cli/kit/worker-bundle.ts): built
 * from the sources, rebuilt when one of them changed, never when none did, and the tsx shim when it
 * cannot be built. A stale bundle would run old code in the workers while the main thread runs new.
 */

import { once } from 'node:events';
import { readFileSync, statSync, writeFileSync } from 'node:fs';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { Worker } from 'node:worker_threads';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { buildWorkerBundle, bundleIsFresh } from '../../cli/kit/worker-bundle';
import { workerEntry } from '../../cli/kit/worker-entry';

const ROOT = join(import.meta.dirname, '..', '..');
const NAME = 'reprocess-worker';
let dir: string;
let bundle: string;
let manifest: string;
let built: Awaited<ReturnType<typeof buildWorkerBundle>>;
const inputs = () => JSON.parse(readFileSync(manifest, 'utf8')) as Record<string, [number, number]>;

beforeAll(async () => {
  dir = await mkdtemp(join(tmpdir(), 'fdl-bundle-'));
  bundle = join(dir, `${NAME}.mjs`);
  manifest = join(dir, `${NAME}.inputs.json`);
});

afterAll(async () => {
  await rm(dir, { recursive: true, force: true });
});

describe('buildWorkerBundle', () => {
  it('bundles the worker and its modules into one plain-JavaScript file, and records what it read', async () => {
    // Built here, not in a hook: mutation testing attributes what a test runs to that test.
    built = await buildWorkerBundle(NAME, dir);
    expect(fileURLToPath(built.url)).toBe(bundle);
    expect(built.execArgv).toEqual([]);
    const code = readFileSync(bundle, 'utf8');
    expect(code).toContain('processGroups');
    expect(code).not.toMatch(/from ["']tsx/);
    const recorded = inputs();
    for (const path of ['cli/reprocess-worker.ts', 'cli/reprocess-core.ts', 'cli/reprocess-job.ts']) {
      const s = statSync(join(ROOT, path));
      expect(recorded[path]).toEqual([s.size, s.mtimeMs]);
    }
    expect(bundleIsFresh(bundle, manifest)).toBe(true);
    // And it runs as a worker: loads, then ends when told to.
    const worker = new Worker(built.url, { workerData: { job: {} }, execArgv: built.execArgv });
    const errors: Error[] = [];
    worker.on('error', (e) => errors.push(e));
    worker.postMessage({ end: true });
    expect(await once(worker, 'exit')).toEqual([0]);
    expect(errors).toEqual([]);
  });

  it('keeps a fresh bundle and rebuilds one whose inputs changed', async () => {
    writeFileSync(bundle, '// not rebuilt');
    await buildWorkerBundle(NAME, dir);
    expect(readFileSync(bundle, 'utf8')).toBe('// not rebuilt');
    const recorded = inputs();
    recorded['cli/reprocess-core.ts']![0]++;
    writeFileSync(manifest, JSON.stringify(recorded));
    expect(bundleIsFresh(bundle, manifest)).toBe(false);
    expect(fileURLToPath((await buildWorkerBundle(NAME, dir)).url)).toBe(bundle);
    expect(readFileSync(bundle, 'utf8')).toContain('processGroups');
    expect(bundleIsFresh(bundle, manifest)).toBe(true);
  });

  it('calls a bundle stale when an input moved in time or is gone, or its files are missing or garbled', () => {
    const recorded = inputs();
    const stale = (change: (m: Record<string, [number, number]>) => void) => {
      const copy = structuredClone(recorded);
      change(copy);
      const other = join(dir, 'other.inputs.json');
      writeFileSync(other, JSON.stringify(copy));
      return bundleIsFresh(bundle, other);
    };
    expect(stale(() => {})).toBe(true);
    expect(
      stale((m) => {
        m['cli/reprocess-job.ts']![1] -= 1000;
      }),
    ).toBe(false);
    expect(
      stale((m) => {
        m['cli/gone.ts'] = [1, 1];
      }),
    ).toBe(false);
    expect(bundleIsFresh(join(dir, 'absent.mjs'), manifest)).toBe(false);
    expect(bundleIsFresh(bundle, join(dir, 'absent.json'))).toBe(false);
    writeFileSync(join(dir, 'garbled.json'), '{"cli/reprocess-job.ts": ');
    expect(bundleIsFresh(bundle, join(dir, 'garbled.json'))).toBe(false);
    // Relative to the root given: the same record does not describe another tree.
    expect(bundleIsFresh(bundle, manifest, dir)).toBe(false);
  });

  it('falls back to the tsx shim when the bundle cannot be written', async () => {
    // A folder inside a regular file cannot be made.
    const file = join(dir, 'a-file');
    writeFileSync(file, '');
    const fallback = await buildWorkerBundle(NAME, join(file, 'cache'));
    expect(fallback.url.href).toBe(workerEntry(NAME).href);
    expect(fileURLToPath(fallback.url)).toBe(join(ROOT, 'cli', `${NAME}.mjs`));
    expect(fallback.execArgv).toBeUndefined();
  });
});
