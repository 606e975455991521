/**
 * @module
 * The Worker: one Hono app that serves discovery, Streamable HTTP and legacy HTTP+SSE, and hands
 * every session to its own SessionDO.
 */
import { Hono } from 'hono'
import { HTTPException } from 'hono/http-exception'
import { healthRoutes } from '../routes/health'
import { mcpRoutes } from '../routes/mcp'
import { messagesRoutes } from '../routes/messages'
import { sseRoutes } from '../routes/sse'
import type { McpServerDefinition } from './define-mcp-server'
import { jsonRpcErrorResponse, RPC_ERROR } from './protocol/json-rpc-error'
import { ANONYMOUS, type AppEnv } from './types'

/** Options of {@link createApp}. */
export interface McpAppOptions {
  /** The app's server definition; the Worker reads only its name and version. */
  readonly server: Pick<McpServerDefinition, 'name' | 'version'>
  /**
   * Serve the legacy HTTP+SSE transport (`GET /sse`, `POST /messages`). Default `true`. It is
   * deprecated by the 2026-07-28 revision; turn it off once your clients speak Streamable HTTP.
   */
  readonly legacySse?: boolean
}

/**
 * Builds the Worker's Hono app.
 *
 * @example
 * ```ts
 * export const SessionDO = createSessionDO(server)
 * export default createApp({ server })
 * ```
 */
export function createApp(options: McpAppOptions): Hono<AppEnv> {
  const app = new Hono<AppEnv>()

  app.use(async function anonymousPrincipal(c, next) {
    c.set('principal', ANONYMOUS)
    await next()
  })

  const sse = options.legacySse ?? true
  app.route('/', healthRoutes({ ...options.server, auth: 'none', sse }))
  app.route('/mcp', mcpRoutes())
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
