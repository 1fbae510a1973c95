import { defineConfig } from 'vitest/config';
import base from './vitest.config';

/**
 * The vitest configuration Stryker runs (`npm run mutate`, scripts/mutate.ts): the test files of the module
 * being mutated only (FDL_MUTATE_TESTS, comma-separated globs), with a budget that survives coverage
 * instrumentation on a busy 2-core machine. Not used by `npm test`. Built by spreading, not mergeConfig:
 * mergeConfig concatenates `include` arrays, which would run every test again.
 */
const tests = process.env.FDL_MUTATE_TESTS?.split(',').filter(Boolean);

export default defineConfig({
  ...base,
  test: {
    ...base.test,
    ...(tests ? { include: tests } : {}),
    // Stryker runs its own setup file and threads: keep one fresh worker per test file, as before
    // vitest.config.ts shared workers across files (test/support/fresh-modules.ts).
    isolate: true,
    setupFiles: [],
    testTimeout: 180_000,
    hookTimeout: 180_000,
  },
});
