/**
 * What the test app's discovery JSON (`GET /health`, and `GET /` for clients) says.
 */
import { server } from '../fixtures/app/server'

/** The discovery JSON of the test app with no auth plugin on. */
export const HEALTH = {
  name: server.name,
  version: server.version,
  status: 'ok',
  transports: { streamableHttp: '/mcp', sse: '/sse' },
  protocolVersions: {
    streamableHttp: ['2026-07-28', '2025-11-25', '2025-06-18', '2025-03-26'],
    sse: ['2025-11-25', '2025-06-18', '2025-03-26', '2024-11-05'],
  },
  auth: 'none',
} as const
