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
    // A worker process is reused from one test file to the next, so node_modules (cdktf, the AWS SDK,
    // axios, DuckDB...) load once per worker instead of once per file: half of the suite's CPU time.
    // test/support/fresh-modules.ts gives every file fresh project modules and its own process.env;
    // test/structure/test-isolation.test.ts keeps module mocks from leaking into the next file.
    isolate: false,
    setupFiles: ['test/support/fresh-modules.ts'],
    hookTimeout: 60_000,
    env: { CHECKPOINT_DISABLE: '1', AWS_SDK_JS_NODE_VERSION_SUPPORT_WARNING_DISABLED: 'true' },
  },
});
