/**
 * @module
 * The plugin contract. A plugin is a plain object with optional parts that act at the HTTP level
 * (Hono middleware and routes, in the Worker) and at the MCP-message level (hooks, in each
 * session's object, around every incoming and outgoing JSON-RPC message). An app is composed
 * with an ordered list of plugins: middleware and hooks run in that order.
 */
import type { JSONRPCMessage } from '@modelcontextprotocol/server'
import type { Hono, MiddlewareHandler } from 'hono'
import type { AppEnv, Era, Principal, SessionKind } from '../types'

/** What a hook knows about a message: its era and session, who sent it, and the HTTP request. */
export interface HookContext {
  /** `legacy` for a session's messages; `modern` for a stateless 2026-07-28 request's. */
  readonly era: Era
  /** The session's id; undefined for a modern request, which has no session. */
  readonly sessionId: string | undefined
  /** The transport (a modern request always arrives on Streamable HTTP). */
  readonly transport: SessionKind
  readonly principal: Principal
  /**
   * The id of the HTTP request that carried the message; for an outgoing message, of the one
   * that carried the request it relates to (empty for messages that relate to none).
   */
  readonly requestId: string
  /** The Worker's bindings and vars. */
  readonly env: unknown
}

/**
 * A hook's refusal of an incoming request. The HTTP request that carried it is answered with
 * this status and a JSON-RPC error body, and none of its messages is processed.
 */
export interface HookRejection {
  readonly status: 400 | 401 | 403 | 429
  readonly code: number
  readonly message: string
  readonly headers?: Record<string, string>
}

/**
 * Hooks that run around every JSON-RPC message: inside a session's object for the sessionful
 * era, in the Worker for a modern request. They are synchronous: they sit on the hot path.
 */
export interface SessionHooks {
  /**
   * Before an incoming message reaches the server; return a rejection to refuse it. A 2026-07-28
   * listen stream that its client closes (on HTTP, how a client cancels) comes here too, as the
   * `notifications/cancelled` it stands for, once the stream is over.
   */
  onIncoming?(message: JSONRPCMessage, context: HookContext): HookRejection | undefined
  /**
   * After the server sent a message (logged and routed to its stream); for a 2026-07-28 listen,
   * its closing result once the stream is over.
   */
  onOutgoing?(message: JSONRPCMessage, context: HookContext): void
}

/** A plugin. Every part is optional. */
export interface McpPlugin {
  /** A short name, for logs and errors. */
  readonly name: string
  /**
   * Runs for every request, first: before CORS and the Host/Origin guard, so it sees refused
   * requests too (logging, metrics).
   */
  readonly outerMiddleware?: MiddlewareHandler<AppEnv>
  /**
   * Runs for requests to the MCP endpoints (`/mcp`, `/sse`, `/messages`), after the guard (auth).
   * A response header goes in after `await next()` (`c.header(...)` then sets it on the
   * response the route returned); one set before `next()` is dropped, since the MCP routes
   * answer with the session object's or the SDK's own `Response`.
   *
   * The middleware of a plugin that reports an {@link McpPlugin.authMode} also decides whether
   * the home page (`GET /` in a browser) lists the tools, resources and prompts: it runs there
   * with a `next` that only notes it was reached, and the catalogue is shown when it is (unless
   * `HOME_PAGE_CATALOG` is `public`). So it must refuse by answering or by throwing an
   * `HTTPException`, as Hono's `bearerAuth` does.
   */
  readonly middleware?: MiddlewareHandler<AppEnv>
  /** Extra routes, mounted at the root before the MCP ones (e.g. OAuth metadata). */
  readonly routes?: Hono<AppEnv>
  /** Hooks run around every message, in both eras. */
  readonly hooks?: SessionHooks
  /**
   * How this plugin authenticates callers with this `env` (undefined: it doesn't, here). Shown
   * on `/health` and the home page; a plugin that reports one gates the home page's catalogue.
   */
  authMode?(env: unknown): string | undefined
}
