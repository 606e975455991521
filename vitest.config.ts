import { cloudflareTest } from '@cloudflare/vitest-plugin'
import { defineConfig } from 'vitest/config'
import { outboundFetch } from './test/support/outbound-fetch.ts'
import { quietTestOutput } from './test/support/quiet-test-output.ts'

quietTestOutput()

/**
 * Each test file gets a fresh runtime whose first request loads the app's modules one by one
 * through the pool (seconds on a busy machine, not the sub-second start of a bundled Worker), so
 * the first test of a file needs more than Vitest's default 5 s.
 */
const IN_WORKERD = { testTimeout: 20_000 }

export default defineConfig({
  test: {
    projects: [
      {
        // The framework inside workerd, with real Durable Objects (storage isolated per test
        // file), serving the test app (test/fixtures/app), so editing the demo breaks nothing.
        plugins: [
          cloudflareTest({
            wrangler: { configPath: './test/fixtures/app/wrangler.toml' },
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
        test: { name: 'workers', include: ['test/workers/**/*.test.ts'], ...IN_WORKERD },
      },
      {
        // The demo in src/mcp/, as the repo's own wrangler.toml serves it: the tests to change
        // with the demo (every other project runs against test/fixtures/app, a frozen copy).
        plugins: [
          cloudflareTest({
            wrangler: { configPath: './wrangler.toml' },
            miniflare: { bindings: { LOG_LEVEL: 'silent' } },
          }),
        ],
        test: { name: 'demo', include: ['test/demo/**/*.test.ts'], ...IN_WORKERD },
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
        test: { name: 'secure', include: ['test/secure/**/*.test.ts'], ...IN_WORKERD },
      },
      {
        // The demo server behind the OAuth authorization server plugin (the local sign-in), whose
        // outbound fetches (client metadata documents, GitHub, an OpenID provider) are played by
        // test/support/outbound-fetch.ts.
        plugins: [
          cloudflareTest({
            wrangler: { configPath: './test/fixtures/oauth-server/wrangler.toml' },
            miniflare: {
              bindings: { OAUTH_IDENTITY: 'dev', LOG_LEVEL: 'silent' },
              outboundService: outboundFetch,
            },
          }),
        ],
        test: {
          name: 'oauth-server',
          include: ['test/oauth-server/**/*.test.ts'],
          exclude: ['test/oauth-server/no-cimd-flag.test.ts'],
          ...IN_WORKERD,
        },
      },
      {
        // The same Worker without the `global_fetch_strictly_public` compatibility flag, which
        // Client ID Metadata Documents need.
        plugins: [
          cloudflareTest({
            wrangler: { configPath: './test/fixtures/oauth-server/wrangler.no-cimd.toml' },
            miniflare: { bindings: { OAUTH_IDENTITY: 'dev', LOG_LEVEL: 'silent' } },
          }),
        ],
        test: {
          name: 'oauth-server-no-cimd',
          include: ['test/oauth-server/no-cimd-flag.test.ts'],
          ...IN_WORKERD,
        },
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
                SESSION_MAX_SUBSCRIPTIONS: '3',
                REQUEST_STATE_KEY: 'test-only request state key, 32+ bytes long',
              },
            },
          }),
        ],
        test: { name: 'everything', include: ['test/everything/**/*.test.ts'], ...IN_WORKERD },
      },
      {
        // Real processes (`npm start`) driven from Node with the SDK client.
        test: {
          name: 'e2e',
          include: ['test/e2e/**/*.test.ts'],
          environment: 'node',
          testTimeout: 120_000,
          hookTimeout: 120_000,
          // Mostly waiting (dev servers starting, idle timers), so three files at once on two
          // cores halve the project's time; it runs after the workerd projects (its own group).
          maxWorkers: 3,
          sequence: { groupOrder: 1 },
        },
      },
    ],
  },
})
