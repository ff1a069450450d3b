import { defineConfig } from 'vitest/config';

export default defineConfig({
  test: {
    include: ['src/**/*.test.ts', 'test/**/*.test.ts'],
    testTimeout: 60_000,
    hookTimeout: 120_000,
    pool: 'forks',
    // The web app is built once before any test file starts, not beside timing-sensitive ones.
    globalSetup: ['test/e2e/web-build.ts'],
    reporters: ['default', './test/summary-reporter.ts'],
    env: { UV_THREADPOOL_SIZE: '16' },
  },
});
