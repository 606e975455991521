/**
 * @module
 * `GET /health` and `GET /`: what this server is and how to reach it. Never touches an object.
 * Both answer discovery JSON; `/` answers a browser (an `Accept` that ranks `text/html` above
 * JSON) with the home page instead, under a Content-Security-Policy that lets it load nothing
 * and be framed by no one (its one inline style carries a per-response nonce).
 */
import { type Context, Hono } from 'hono'
import { accepts } from 'hono/accepts'
import { NONCE, secureHeaders } from 'hono/secure-headers'
import {
  MODERN_PROTOCOL_VERSIONS,
  SSE_VERSIONS,
  STREAMABLE_HTTP_VERSIONS,
} from '../src/protocol/versions'
import type { AppEnv } from '../src/types'
import type { HomePage } from './home-page'

/** What `/health` reports. */
export interface HealthInfo {
  readonly name: string
  readonly version: string
  /** The auth mode for a request's `env` (`none` without an auth plugin that is on). */
  readonly authMode: (env: unknown) => string
  /** Whether the HTTP+SSE transport is served. */
  readonly sse: boolean
  /** The page `GET /` shows a browser. */
  readonly homePage: HomePage
  /**
   * Whether the page lists the tools, resources and prompts to this request (with auth on, only
   * to a request that carries a valid credential, unless the catalogue is public).
   */
  readonly catalogShown: (c: Context<AppEnv>) => boolean | Promise<boolean>
}

const NO_STORE = { 'cache-control': 'no-store' }

/**
 * The home page's security headers: it loads nothing (its favicon is a `data:` URL), runs no
 * script, submits no form, may not be framed, and sends no referrer from its links. Only these
 * headers: the others `secureHeaders` adds by default are off.
 */
const pageHeaders = secureHeaders({
  contentSecurityPolicy: {
    defaultSrc: ["'none'"],
    styleSrc: [NONCE],
    imgSrc: ['data:'],
    baseUri: ["'none'"],
    formAction: ["'none'"],
    frameAncestors: ["'none'"],
  },
  xFrameOptions: 'DENY',
  xContentTypeOptions: true,
  referrerPolicy: true,
  crossOriginResourcePolicy: false,
  crossOriginOpenerPolicy: false,
  originAgentCluster: false,
  strictTransportSecurity: false,
  xDnsPrefetchControl: false,
  xDownloadOptions: false,
  xPermittedCrossDomainPolicies: false,
  xXssProtection: false,
})

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
    .get(
      '/',
      async function home(c, next) {
        // The body depends on Accept (appended: CORS adds `Vary: Origin` for browsers too).
        c.header('vary', 'Accept', { append: true })
        if (!prefersHtml(c)) return discovery(c)
        await next()
      },
      pageHeaders,
      async function homePage(c) {
        const page = info.homePage({
          origin: new URL(c.req.url).origin,
          authMode: info.authMode(c.env),
          catalog: await info.catalogShown(c),
          styleNonce: c.get('secureHeadersNonce'),
        })
        return c.html(page, 200, NO_STORE)
      },
    )
}
