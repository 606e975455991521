/**
 * @module
 * `GET /health` and `GET /`: what this server is and how to reach it. Never touches an object.
 * Both answer discovery JSON; `/` answers a browser (an `Accept` that ranks `text/html` above
 * JSON) with the home page instead.
 */
import { type Context, Hono } from 'hono'
import { accepts } from 'hono/accepts'
import type { HomePage } from '../src/home-page'
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
  /** The page `GET /` shows a browser. */
  readonly homePage: HomePage
}

const NO_STORE = { 'cache-control': 'no-store' }

/** Whether the request's `Accept` prefers HTML to JSON, as a browser's does. */
function prefersHtml(c: Context<AppEnv>): boolean {
  const type = accepts(c, {
    header: 'Accept',
    supports: ['application/json', 'text/html'],
    default: 'application/json',
  })
  return type === 'text/html'
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
  const discovery = (c: Context<AppEnv>) =>
    c.json({ ...body, auth: info.authMode(c.env) }, 200, NO_STORE)
  return new Hono<AppEnv>()
    .get('/health', function health(c) {
      return discovery(c)
    })
    .get('/', function home(c) {
      // The body depends on Accept (appended: CORS adds `Vary: Origin` for browsers too).
      c.header('vary', 'Accept', { append: true })
      if (!prefersHtml(c)) return discovery(c)
      const origin = new URL(c.req.url).origin
      return c.html(info.homePage({ origin, authMode: info.authMode(c.env) }), 200, NO_STORE)
    })
}
