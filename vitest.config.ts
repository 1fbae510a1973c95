import { defineConfig } from 'vitest/config';

export default defineConfig({
  test: {
    include: ['test/**/*.test.ts'],
    // Synth, terraform validate, DuckDB and Chromium tests do real work: generous per-test budget,
    // but the whole suite is expected to stay well under 2 minutes (see README).
    testTimeout: 60_000,
    hookTimeout: 60_000,
    env: { CHECKPOINT_DISABLE: '1', AWS_SDK_JS_NODE_VERSION_SUPPORT_WARNING_DISABLED: 'true' },
  },
});
