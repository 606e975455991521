/**
 * @module
 * The Worker: one Hono app that serves discovery, Streamable HTTP and HTTP+SSE, and hands
 * every session to its own SessionDO. Global middleware runs in this order: request id → plugins'
 * outer middleware (logging) → CORS → Host/Origin guard → plugins' routes; the MCP endpoints then
 * run the plugins' middleware (auth) before their own checks.
 */
import { type Context, Hono } from 'hono'
import { cors } from 'hono/cors'
import { HTTPException } from 'hono/http-exception'
import { requestId } from 'hono/request-id'
import { anonymousPrincipal } from '../src/anonymous-principal'
import type { McpServerDefinition } from '../src/define-mcp-server'
import { createModernLeg } from '../src/modern/modern-leg'
import type { McpPlugin } from '../src/plugins/plugin'
import { jsonRpcErrorResponse, RPC_ERROR } from '../src/protocol/json-rpc-error'
import { readSessionConfig } from '../src/session-config'
import { type AppEnv, HEADER, REQUEST_ID_HEADER_OUT } from '../src/types'
import { healthRoutes } from './health'
import { homePage } from './home-page'
import { mcpRoutes } from './mcp'
import { messagesRoutes } from './messages'
import { isAllowedOrigin, type OriginGuardVars, originGuard } from './origin-guard'
import { passesMiddleware } from './passes-middleware'
import { sseRoutes } from './sse'

/** Options of {@link createApp}. */
export interface McpAppOptions<Env = unknown> {
  /**
   * The app's server definition: the Worker serves it to 2026-07-28 requests itself, and shows
   * its name and version on `/health`.
   */
  readonly server: McpServerDefinition<Env>
  /** Plugins, in order. Pass the same list to `createSessionDO` so their hooks run too. */
  readonly plugins?: readonly McpPlugin[]
  /**
   * Serve the HTTP+SSE transport (`GET /sse`, `POST /messages`). Default `true`. It is
   * deprecated by the 2026-07-28 revision; turn it off once your clients speak Streamable HTTP.
   */
  readonly sse?: boolean
  /** @deprecated v0.1.0's name for {@link McpAppOptions.sse}. */
  readonly legacySse?: boolean
}

/**
 * Request headers a browser client may send, plus 2026-07-28's standard headers;
 * `Mcp-Param-*` (tool arguments mirrored into headers) are allowed whatever their suffix.
 */
const CORS_ALLOW_HEADERS = [
  'Content-Type',
  'Authorization',
  'Mcp-Session-Id',
  'MCP-Protocol-Version',
  'Last-Event-ID',
  'Mcp-Method',
  'Mcp-Name',
]

/** The `Mcp-Param-*` headers a preflight asks for, comma-separated (Hono's list is static). */
function paramHeaders(requested: string | undefined): string {
  if (requested === undefined) return ''
  return requested
    .split(',')
    .map((name) => name.trim())
    .filter((name) => /^mcp-param-[\w-]+$/i.test(name))
    .join(',')
}

/** Response headers a browser client may read. */
const CORS_EXPOSE_HEADERS = ['Mcp-Session-Id', 'WWW-Authenticate']

/** Hono's own rule for a client's `X-Request-Id`: kept when sane, else a fresh UUID. */
function acceptedOrNewRequestId(c: Context): string {
  const given = c.req.header(HEADER.requestId)
  return given !== undefined && given.length <= 255 && /^[\w\-=]+$/.test(given)
    ? given
    : crypto.randomUUID()
}

/**
 * Builds the Worker's Hono app.
 *
 * @example
 * ```ts
 * const plugins = [mcpLogger(), mcpBearerAuth({ tokens: (env) => env.AUTH_TOKENS })]
 * export const SessionDO = createSessionDO(server, { plugins })
 * export default createApp({ server, plugins })
 * ```
 */
export function createApp<Env>(options: McpAppOptions<Env>): Hono<AppEnv> {
  const plugins = options.plugins ?? []
  const sse = options.sse ?? options.legacySse ?? true
  const app = new Hono<AppEnv>()

  // Hono's requestId, minus its response header: adding a header to a response means copying it,
  // and the hot path's responses come from the session object, which stamps the id itself.
  app.use(requestId({ headerName: '', generator: acceptedOrNewRequestId }))
  app.use(async function stampRequestId(c, next) {
    await next()
    if (!c.res.headers.has(HEADER.requestId)) c.header(REQUEST_ID_HEADER_OUT, c.var.requestId)
  })
  for (const plugin of plugins) if (plugin.outerMiddleware) app.use(plugin.outerMiddleware)
  const corsHeaders = cors({
    origin: (origin, c) => (isAllowedOrigin(origin, c.env as OriginGuardVars) ? origin : null),
    allowMethods: ['GET', 'POST', 'DELETE', 'OPTIONS'],
    allowHeaders: CORS_ALLOW_HEADERS,
    exposeHeaders: CORS_EXPOSE_HEADERS,
    maxAge: 600,
  })
  // Only browsers send Origin, and only browsers read CORS headers; adding them to the other
  // clients' responses would copy each one (see above).
  app.use(async function corsForBrowsers(c, next) {
    if (c.req.header('origin') === undefined) return next()
    const preflight = await corsHeaders(c, next)
    const params = preflight?.headers.has('access-control-allow-origin')
      ? paramHeaders(c.req.header('access-control-request-headers'))
      : ''
    if (params) {
      // Hono merges the headers cors() set on c.res into the preflight it returns: amend both.
      const allow = `${CORS_ALLOW_HEADERS},${params}`
      c.res.headers.set('Access-Control-Allow-Headers', allow)
      preflight?.headers.set('Access-Control-Allow-Headers', allow)
    }
    return preflight
  })
  app.use(originGuard)
  app.use(async function anonymous(c, next) {
    c.set('principal', anonymousPrincipal(c.req.header('cf-connecting-ip')))
    await next()
  })
  for (const plugin of plugins) if (plugin.routes) app.route('/', plugin.routes)

  const authMode = (env: unknown) =>
    plugins.map((plugin) => plugin.authMode?.(env)).find((mode) => mode !== undefined) ?? 'none'
  // The page lists what tools/list would: to a request the auth plugins' own middleware lets
  // through (everyone while none is on), unless the catalogue is made public.
  const catalogShown = (c: Context<AppEnv>) =>
    readSessionConfig(c.env).homePageCatalog === 'public' ||
    passesMiddleware(
      c,
      plugins.flatMap((plugin) =>
        plugin.middleware && plugin.authMode?.(c.env) !== undefined ? [plugin.middleware] : [],
      ),
    )
  const { name, version } = options.server
  const page = homePage(options.server, { sse })
  app.route('/', healthRoutes({ name, version, authMode, sse, homePage: page, catalogShown }))

  const endpoints = sse ? ['/mcp', '/sse', '/messages'] : ['/mcp']
  for (const plugin of plugins) {
    if (plugin.middleware) for (const path of endpoints) app.use(path, plugin.middleware)
  }
  app.route('/mcp', mcpRoutes(createModernLeg(options.server, plugins)))
  if (sse) {
    app.route('/sse', sseRoutes())
    app.route('/messages', messagesRoutes())
  }

  app.notFound((c) =>
    jsonRpcErrorResponse(
      404,
      RPC_ERROR.serverError,
      `Not Found: no route for ${c.req.method} ${c.req.path}`,
    ),
  )

  app.onError((error, c) => {
    if (error instanceof HTTPException) {
      if (error.res) return error.getResponse()
      return jsonRpcErrorResponse(error.status, RPC_ERROR.serverError, error.message || 'Error')
    }
    // Never leak a stack trace to the client; operators find it in the Worker's logs.
    console.error(`${c.req.method} ${c.req.path} failed:`, error)
    return jsonRpcErrorResponse(500, RPC_ERROR.internalError, 'Internal error')
  })

  return app
}
