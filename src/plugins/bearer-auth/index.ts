/**
 * @module
 * Bearer-token auth: static tokens, each with a name that becomes the caller's principal (and so
 * the owner of the sessions it starts). Tokens are compared in constant time by Hono's
 * `bearerAuth`; they are read only from the `Authorization` header, never from the query string.
 */

import { Hono, type MiddlewareHandler } from 'hono'
import { bearerAuth } from 'hono/bearer-auth'
import { timingSafeEqual } from 'hono/utils/buffer'
import { jsonRpcError, RPC_ERROR } from '../../protocol/json-rpc-error'
import { ANONYMOUS, type AppEnv } from '../../types'
import type { McpPlugin } from '../plugin'

/** Token names and tokens, as pairs or in the `name:token,name:token` form of a var. */
export type BearerTokens = string | ReadonlyArray<readonly [name: string, token: string]>

/** Options of {@link mcpBearerAuth}. */
export interface McpBearerAuthOptions {
  /**
   * The accepted tokens, or a function that reads them from the Worker's `env` on each request
   * (a secret or var). When it yields nothing (unset, empty), auth is off and every caller is
   * `anonymous`.
   */
  readonly tokens: BearerTokens | ((env: Readonly<Record<string, unknown>>) => unknown)
  /** The realm in `WWW-Authenticate`. Default `mcp`. */
  readonly realm?: string
}

/**
 * Parses `name:token` pairs; throws on a malformed or duplicated entry, or a reserved name (a
 * deployment mistake).
 */
export function parseBearerTokens(tokens: BearerTokens): ReadonlyArray<readonly [string, string]> {
  const pairs =
    typeof tokens === 'string'
      ? tokens
          .split(',')
          .map((entry) => entry.trim())
          .filter(Boolean)
          .map((entry) => {
            const colon = entry.indexOf(':')
            return [entry.slice(0, colon), entry.slice(colon + 1)] as const
          })
      : tokens
  const names = new Set<string>()
  for (const [name, token] of pairs) {
    if (!name || !token || !/^[A-Za-z0-9._~+/-]+=*$/.test(token)) {
      throw new Error(`mcpBearerAuth: malformed token entry for "${name}" (expected name:token)`)
    }
    // A token's name is its principal: this one would share every anonymous caller's sessions,
    // handles and quotas, across an auth switch.
    if (name === ANONYMOUS.name) {
      throw new Error(
        `mcpBearerAuth: the token name "${name}" is reserved (it is every caller's principal while auth is off)`,
      )
    }
    if (names.has(name)) throw new Error(`mcpBearerAuth: token name "${name}" appears twice`)
    names.add(name)
  }
  return pairs
}

/**
 * Bearer-token auth plugin.
 *
 * @example
 * ```ts
 * // AUTH_TOKENS = "alice:tokA,bob:tokB"; unset → auth off
 * mcpBearerAuth({ tokens: (env) => (env as { AUTH_TOKENS?: string }).AUTH_TOKENS })
 * ```
 */
export function mcpBearerAuth(options: McpBearerAuthOptions): McpPlugin {
  const realm = options.realm ?? 'mcp'
  const source = options.tokens
  const read = (env: unknown): BearerTokens | undefined => {
    const value =
      typeof source === 'function'
        ? source((env ?? {}) as Readonly<Record<string, unknown>>)
        : source
    if (value === undefined || value === null || typeof value === 'string')
      return value ?? undefined
    if (Array.isArray(value)) return value as BearerTokens
    throw new Error('mcpBearerAuth: `tokens` must give a string of name:token pairs, or pairs')
  }
  const built = new Map<string, MiddlewareHandler<AppEnv> | null>()

  /** The middleware for this env's tokens (null: auth off), built once per distinct value. */
  const middlewareFor = (env: unknown): MiddlewareHandler<AppEnv> | null => {
    const source = read(env)
    const key = typeof source === 'string' ? source : JSON.stringify(source ?? null)
    let middleware = built.get(key)
    if (middleware === undefined) {
      const pairs = source === undefined ? [] : parseBearerTokens(source)
      middleware = pairs.length === 0 ? null : tokenMiddleware(pairs, realm)
      built.set(key, middleware)
    }
    return middleware
  }

  // Static tokens come from no authorization server, so nothing here points a client at OAuth:
  // no RFC 9728 metadata, no resource_metadata in the challenge. OAuth-capable clients still try
  // dynamic registration at the origin on a 401 (the 2025-03-26 fallback); that request gets an
  // OAuth error body (RFC 6749 §5.2 shape) that tells the user what to configure instead.
  const routes = new Hono<AppEnv>()
  routes.post('/register', (c) => {
    if (middlewareFor(c.env) === null) return c.notFound()
    return c.json({ error: 'invalid_request', error_description: STATIC_TOKENS_HINT }, 404)
  })

  return {
    name: 'bearer-auth',
    routes,
    middleware: async function mcpBearerAuth(c, next) {
      const middleware = middlewareFor(c.env)
      if (middleware === null) return next()
      return middleware(c, next)
    },
    authMode: (env) => (middlewareFor(env) === null ? undefined : 'bearer'),
  }
}

/** What a client that went looking for OAuth is told. */
const STATIC_TOKENS_HINT =
  'This MCP server takes a static bearer token, not OAuth: configure your client to send ' +
  '"Authorization: Bearer <token>" (mcp-remote: --header "Authorization: Bearer <token>")'

function tokenMiddleware(
  pairs: ReadonlyArray<readonly [string, string]>,
  realm: string,
): MiddlewareHandler<AppEnv> {
  const unauthorized = jsonRpcError(
    RPC_ERROR.serverError,
    'Unauthorized: send a valid token as "Authorization: Bearer <token>"',
  )
  // RFC 6750 §3: the realm, and the error code when the request had a token.
  const challenge = (error?: string) =>
    `Bearer realm="${realm}"${error ? `, error="${error}"` : ''}`
  return bearerAuth<AppEnv>({
    realm,
    verifyToken: async (token, c) => {
      let match: string | undefined
      // Every token is compared, so timing doesn't tell which one (if any) matched.
      for (const [name, expected] of pairs) {
        if ((await timingSafeEqual(expected, token)) && match === undefined) match = name
      }
      if (match !== undefined) c.set('principal', { name: match })
      return match !== undefined
    },
    noAuthenticationHeader: { message: unauthorized, wwwAuthenticateHeader: () => challenge() },
    invalidToken: {
      message: unauthorized,
      wwwAuthenticateHeader: () => challenge('invalid_token'),
    },
    invalidAuthenticationHeader: {
      message: jsonRpcError(RPC_ERROR.serverError, 'Bad Request: malformed Authorization header'),
      wwwAuthenticateHeader: () => challenge('invalid_request'),
    },
  })
}
