import { defineConfig } from 'vitest/config';

export default defineConfig({
  test: {
    include: ['test/**/*.test.ts'],
    // Synth, terraform validate, DuckDB and Chromium tests do real work: generous per-test budget,
    // the whole suite's wall time is measured in README ("Tests").
    testTimeout: 60_000,
    // vitest's default is one worker fewer than the cores: one worker on a 2-core machine. Most test files
    // wait on child processes (terraform, bundles, DuckDB, Chromium), so two workers halve the wall time.
    maxWorkers: 2,
    hookTimeout: 60_000,
    env: { CHECKPOINT_DISABLE: '1', AWS_SDK_JS_NODE_VERSION_SUPPORT_WARNING_DISABLED: 'true' },
  },
});
