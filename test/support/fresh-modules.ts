/**
 * Setup file (vitest.config.ts `setupFiles`), run before every test file. The suite runs with
 * `isolate: false`: a worker process is reused from one test file to the next, so node_modules (cdktf and
 * the provider bindings, the AWS SDK, axios, DuckDB, Powertools) load once per worker instead of once per
 * file, which was half of the suite's CPU time. What a fresh process per file gave the tests is restored
 * here, per file:
 *
 * - the project's own modules are evaluated again (`vi.resetModules`): module-level state, such as the
 *   per-container singletons of lambdas/handlers/aws-deps.ts, starts empty in every file, as in a new
 *   Lambda container. Only node_modules stay loaded (Node's own module cache);
 * - `process.env` is put back as it was before the file ran, whether a test changed it directly or with
 *   `vi.stubEnv`; so are the working directory and globals stubbed with `vi.stubGlobal`;
 * - spies are restored by vitest itself after every file (`vi.restoreAllMocks`).
 *
 * What stays from one file to the next is what node_modules set up when they load (e.g. cdktf's token map
 * on globalThis), as it would for several imports in one process. Module mocks are NOT undone by vitest between files of a shared worker: a test file may use `vi.doMock`
 * only together with `vi.doUnmock`, and never the hoisted `vi.mock` (test/structure/test-isolation.test.ts).
 */
import { afterAll, vi } from 'vitest';

vi.resetModules();

const envBefore = { ...process.env };
const cwdBefore = process.cwd();

afterAll(() => {
  if (process.cwd() !== cwdBefore) process.chdir(cwdBefore);
  vi.unstubAllEnvs();
  vi.unstubAllGlobals();
  for (const name of Object.keys(process.env)) if (!(name in envBefore)) delete process.env[name];
  for (const [name, value] of Object.entries(envBefore))
    if (process.env[name] !== value) process.env[name] = value;
});
