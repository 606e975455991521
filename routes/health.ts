/**
 * @module
 * `GET /health` and `GET /`: what this server is and how to reach it. Never touches an object.
 */
import { Hono } from 'hono'
import {
  MODERN_PROTOCOL_VERSIONS,
  SSE_VERSIONS,
  STREAMABLE_HTTP_VERSIONS,
} from '../src/protocol/versions'
import type { AppEnv } from '../src/types'

/** What `/health` reports. */
export interface HealthInfo {
  readonly name: string
  readonly version: string
  /** The auth mode for a request's `env` (`none` without an auth plugin that is on). */
  readonly authMode: (env: unknown) => string
  /** Whether the legacy HTTP+SSE transport is served. */
  readonly sse: boolean
}

/** Builds the discovery routes. Mount with `app.route('/', healthRoutes(info))`. */
export function healthRoutes(info: HealthInfo): Hono<AppEnv> {
  // `/mcp` serves the stateless revision and the sessionful ones side by side.
  const streamableHttp = [...MODERN_PROTOCOL_VERSIONS, ...STREAMABLE_HTTP_VERSIONS]
  const body = {
    name: info.name,
    version: info.version,
    status: 'ok',
    transports: info.sse ? { streamableHttp: '/mcp', sse: '/sse' } : { streamableHttp: '/mcp' },
    protocolVersions: info.sse ? { streamableHttp, sse: SSE_VERSIONS } : { streamableHttp },
  }
  return new Hono<AppEnv>().on('GET', ['/', '/health'], function health(c) {
    return c.json({ ...body, auth: info.authMode(c.env) }, 200, { 'cache-control': 'no-store' })
  })
}
