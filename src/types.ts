/**
 * @module
 * Shared leaf types and constants: header names, session kinds, limits, and the Hono env of the
 * Worker. Everything else may import this module; it imports nothing of ours.
 */

/** Request and response header names, lower-case (header lookups are case-insensitive). */
export const HEADER = {
  sessionId: 'mcp-session-id',
  protocolVersion: 'mcp-protocol-version',
  lastEventId: 'last-event-id',
  contentType: 'content-type',
  requestId: 'x-request-id',
  mcpMethod: 'mcp-method',
  mcpName: 'mcp-name',
} as const

/** The response header carrying the request's id (the one in logs). */
export const REQUEST_ID_HEADER_OUT = 'X-Request-Id'

/** The spelling used when *we* emit the session header (2025-11-25 spells it `MCP-Session-Id`). */
export const SESSION_ID_HEADER_OUT = 'Mcp-Session-Id'

/** Largest request body accepted on any MCP route, in bytes (the SDK's default). */
export const MAX_BODY_BYTES = 4 * 1024 * 1024

/** Which HTTP transport created a session. An id of one kind is never accepted on the other. */
export type SessionKind = 'streamable-http' | 'sse'

/**
 * Who is calling. Decided in the Worker (by an auth plugin, or `anonymous` when auth is off) and
 * carried to the session's object with every call; a client can never set it.
 */
export interface Principal {
  /**
   * Stable name of the caller: a token's name, `oauth:` and a JWT's `sub`, `github:<id>`…, or
   * `anonymous` (no auth plugin names a caller so).
   */
  readonly name: string
  /** What the caller is allowed to do (OAuth scopes), when its credentials say so. */
  readonly scopes?: readonly string[]
  /**
   * What the per-principal limits (`HANDLE_MAX_PER_PRINCIPAL`, `LISTEN_MAX_*_PER_PRINCIPAL`)
   * count this caller under, when not its name: with auth off, its client's address
   * (`anonymous@<address>`), so one client can't take every anonymous caller's share.
   */
  readonly quotaKey?: string
}

/** The principal used when no auth plugin is configured. */
export const ANONYMOUS: Principal = Object.freeze({ name: 'anonymous' })

/** What `principal`'s limits are counted under: its quota key, else its name. */
export function quotaKeyOf(principal: Principal): string {
  return principal.quotaKey ?? principal.name
}

/**
 * The protocol era of a request: `legacy` is a session opened with `initialize` (revisions up to
 * 2025-11-25, on either HTTP transport); `modern` is one stateless 2026-07-28 request.
 */
export type Era = 'legacy' | 'modern'

/** Bindings every app built with this framework needs. */
export interface FrameworkBindings {
  /** The Durable Object namespace that holds one SessionDO per MCP session. */
  SESSION_DO: DurableObjectNamespace
  /** One ResourceHub per shared resource; needed only by apps that share or subscribe. */
  RESOURCE_HUB?: DurableObjectNamespace
  /** One HandleDO per durable handle; needed only by apps whose tools mint handles. */
  HANDLE_DO?: DurableObjectNamespace
  /** One HandleOwnerDO per principal holding handles (its quota); needed with `HANDLE_DO`. */
  HANDLE_OWNER_DO?: DurableObjectNamespace
  /**
   * 2026-07-28 `requestState`: one RequestStateDO per minted state (single use), and one that
   * keeps the signing key; needed by apps whose handlers ask for input (elicit, sample, roots).
   */
  REQUEST_STATE_DO?: DurableObjectNamespace
}

/** Variables the framework publishes on the Hono context. */
export interface FrameworkVariables {
  /** Who is calling: set by an auth plugin, `anonymous` otherwise. */
  principal: Principal
  /** This request's id (Hono's `requestId` middleware), carried to the session's object. */
  requestId: string
  /** The era `/mcp` served this request in (unset on other routes and refused requests). */
  era?: Era
  /** Set when the client went away before its request body had all arrived. */
  clientGone?: boolean
}

/** The Hono env of a framework app. */
export interface AppEnv {
  Bindings: FrameworkBindings
  Variables: FrameworkVariables
}
