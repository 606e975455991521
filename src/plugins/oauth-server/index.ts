/**
 * @module
 * OAuth 2.1 authorization server in the Worker, on Cloudflare's `@cloudflare/workers-oauth-provider`:
 * MCP clients (claude.ai, ChatGPT, Claude Code, Inspector, mcp-remote, the SDKs) discover it from
 * the `401` challenge (RFC 9728 → RFC 8414), register by Client ID Metadata Document or dynamic
 * registration, and sign their user in with the authorization code flow and PKCE. Who the user
 * is comes from an identity provider the operator already has (`OAUTH_IDENTITY`: `github`, `oidc`,
 * or `dev` for a local sign-in), and the MCP endpoints then accept this server's access tokens,
 * bound to its own resource, as the signed-in user's principal.
 *
 * Off unless `OAUTH_IDENTITY` is set. The library plays the protocol's part (metadata, token
 * endpoint, registration, token validation); this plugin plays the application's (sign-in,
 * consent, scopes) and fits both into the app's one Hono router: its routes are the plugin's
 * routes, its token check the plugin's middleware, its per-tool scopes a hook.
 */
import { type Context, Hono } from 'hono'
import type { AppEnv } from '../../types'
import type { McpPlugin } from '../plugin'
import { authorizeRoutes } from './authorize'
import { type ContextResolver, createContextResolver } from './context'
import { createProviders, OAUTH_PATHS } from './provider'
import { type ScopePolicy, toolScopeHooks } from './scope-check'
import { readOAuthServerSettings } from './settings'
import { TokenCache } from './token-cache'
import { tokenCheck } from './token-check'

export { OAUTH_PATHS } from './provider'
export { OAUTH_SERVER_VARS } from './settings'

/** Options of {@link mcpOAuthServer}; the vars and secrets are read from `env` (see README). */
export interface McpOAuthServerOptions {
  /** Scopes every MCP request needs, named in the `401` challenge. Default `['mcp']`. */
  readonly requiredScopes?: readonly string[]
  /** Scopes a `tools/call` of each tool needs, by tool name; asked for by step-up. */
  readonly toolScopes?: Readonly<Record<string, readonly string[]>>
  /** Access token lifetime, in seconds. Default 3600. */
  readonly accessTokenTtlSeconds?: number
  /** Refresh token (grant) lifetime, in seconds. Default 30 days. */
  readonly refreshTokenTtlSeconds?: number
}

/** Serves one of the library's own endpoints. */
function libraryRoute(resolve: ContextResolver, part: 'authorizationServer' | 'resourceMetadata') {
  return async function oauthLibraryEndpoint(c: Context<AppEnv>) {
    const context = resolve(c)
    if (context === null) return c.notFound()
    // Hono types the context without the Workers-only members the library's signature names.
    const ctx = c.executionCtx as unknown as ExecutionContext
    return context.servers[part].fetch(c.req.raw, context.env, ctx)
  }
}

/**
 * The authorization server plugin.
 *
 * @example
 * ```ts
 * // OAUTH_IDENTITY = "github" (or "oidc", or "dev" under `npm start`); unset → off
 * const plugins = [mcpLogger(), mcpOAuthServer({ toolScopes: { remember: ['notes:write'] } })]
 * ```
 */
export function mcpOAuthServer(options: McpOAuthServerOptions = {}): McpPlugin {
  const required = [...(options.requiredScopes ?? ['mcp'])]
  const tools = options.toolScopes ?? {}
  const policy: ScopePolicy = {
    required,
    tools,
    supported: [...new Set([...required, ...Object.values(tools).flat(), 'offline_access'])],
  }
  const resolve = createContextResolver(
    createProviders({
      scopesSupported: policy.supported,
      requiredScopes: required,
      accessTokenTtlSeconds: options.accessTokenTtlSeconds ?? 3600,
      refreshTokenTtlSeconds: options.refreshTokenTtlSeconds ?? 30 * 24 * 3600,
    }),
  )
  const cache = new TokenCache()

  const routes = new Hono<AppEnv>()
  routes.route('/', authorizeRoutes({ resolve, policy, cache }))
  routes.all(OAUTH_PATHS.serverMetadata, libraryRoute(resolve, 'authorizationServer'))
  routes.all(OAUTH_PATHS.register, libraryRoute(resolve, 'authorizationServer'))
  routes.all(OAUTH_PATHS.resourceMetadata, libraryRoute(resolve, 'resourceMetadata'))
  const tokenEndpoint = libraryRoute(resolve, 'authorizationServer')
  routes.all(OAUTH_PATHS.token, async function oauthToken(c) {
    // RFC 7009: a revocation names a token and no grant type; its grant leaves the cache too.
    const form =
      c.req.method === 'POST'
        ? await c.req.raw
            .clone()
            .formData()
            .catch(() => undefined)
        : undefined
    const revoked = form?.has('grant_type') === false ? form.get('token') : null
    const response = await tokenEndpoint(c)
    if (typeof revoked === 'string' && response.ok) cache.forgetGrantOf(revoked)
    return response
  })

  return {
    name: 'oauth-server',
    routes,
    middleware: tokenCheck({ resolve, policy, cache }),
    hooks: toolScopeHooks(policy, (env) => {
      const settings = readOAuthServerSettings(env)
      if (settings === null) return null
      const { issuer } = settings
      return issuer === undefined
        ? {}
        : { resourceMetadataUrl: `${issuer}${OAUTH_PATHS.resourceMetadata}` }
    }),
    authMode: (env) => (readOAuthServerSettings(env) === null ? undefined : 'oauth'),
  }
}
