import { cloudflareTest } from '@cloudflare/vitest-plugin'
import { defineConfig } from 'vitest/config'
import { quietTestOutput } from './test/support/quiet-test-output.ts'

quietTestOutput()

export default defineConfig({
  test: {
    projects: [
      {
        // The app inside workerd, with real Durable Objects (storage isolated per test file).
        plugins: [
          cloudflareTest({
            wrangler: { configPath: './wrangler.toml' },
            // Short intervals so tests can watch them (defaults: 15 s, 1 s and 1 s).
            miniflare: {
              bindings: {
                SSE_KEEPALIVE_MS: '150',
                SSE_AFTER_MS: '300',
                EVENT_LOG_LEGACY_DELAY_MS: '200',
                HANDLE_TTL_MS: '1000',
                LOG_LEVEL: 'silent',
              },
            },
          }),
        ],
        test: { name: 'workers', include: ['test/workers/**/*.test.ts'] },
      },
      {
        // The demo server composed with the OAuth and logging plugins, whose hooks run in the
        // session objects (test/fixtures/secure/worker.ts).
        plugins: [
          cloudflareTest({
            wrangler: { configPath: './test/fixtures/secure/wrangler.toml' },
            miniflare: { bindings: { SSE_KEEPALIVE_MS: '150' } },
          }),
        ],
        test: { name: 'secure', include: ['test/secure/**/*.test.ts'] },
      },
      {
        // The "everything" example's Worker, for what needs its objects' internals.
        plugins: [
          cloudflareTest({
            wrangler: { configPath: './examples/everything/wrangler.toml' },
            miniflare: {
              bindings: {
                SSE_KEEPALIVE_MS: '150',
                LOG_LEVEL: 'silent',
                SERVER_REQUEST_TIMEOUT_MS: '1500',
                REQUEST_STATE_KEY: 'test-only request state key, 32+ bytes long',
              },
            },
          }),
        ],
        test: { name: 'everything', include: ['test/everything/**/*.test.ts'] },
      },
      {
        // Real processes (`npm start`) driven from Node with the SDK client.
        test: {
          name: 'e2e',
          include: ['test/e2e/**/*.test.ts'],
          environment: 'node',
          testTimeout: 120_000,
          hookTimeout: 120_000,
        },
      },
    ],
  },
})
