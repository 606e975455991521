/**
 * @module
 * Scopes: which ones a sign-in grants, and the checks the library leaves to its resource (it
 * advertises the required scopes but enforces none). Every MCP request needs the required
 * scopes, in both eras (checked with the token); a `tools/call` also needs its tool's scopes
 * (a hook, so it runs in the session's object for a session and in the Worker for a 2026-07-28
 * request). A refusal is `403` with an `insufficient_scope` challenge naming every scope the
 * request needs, so the client can ask for them in one step-up.
 */
import { RPC_ERROR } from '../../protocol/json-rpc-error'
import type { SessionHooks } from '../plugin'

/** Which scopes exist and what needs them. */
export interface ScopePolicy {
  /** Scopes every MCP request needs. */
  readonly required: readonly string[]
  /** Scopes a `tools/call` of each tool needs, by tool name. */
  readonly tools: Readonly<Record<string, readonly string[]>>
  /** Every scope a client may be granted. */
  readonly supported: readonly string[]
}

/**
 * The scopes a sign-in grants: the requested ones this server knows, plus the required ones
 * (without which the token could do nothing here). Unknown scopes are dropped, not refused:
 * clients ask for scopes of their own (`profile`, `email`) that mean nothing here.
 */
export function scopesToGrant(requested: readonly string[], policy: ScopePolicy): string[] {
  const known = requested.filter((scope) => policy.supported.includes(scope))
  return [...new Set([...policy.required, ...known])]
}

/** The scopes in `needed` that `granted` lacks. */
export function missingScopes(
  granted: readonly string[] | undefined,
  needed: readonly string[],
): string[] {
  return needed.filter((scope) => !granted?.includes(scope))
}

/**
 * The RFC 6750 §3.1 challenge of a valid token that lacks scopes: `scope` names every scope the
 * request needs (what the token has plus what it lacks), since clients replace their scopes
 * with it when they ask again.
 */
export function insufficientScopeChallenge(
  granted: readonly string[] | undefined,
  needed: readonly string[],
  resourceMetadataUrl: string | undefined,
): string {
  const scope = [...new Set([...(granted ?? []), ...needed])].join(' ')
  const metadata = resourceMetadataUrl ? `, resource_metadata="${resourceMetadataUrl}"` : ''
  return `Bearer error="insufficient_scope", scope="${scope}"${metadata}`
}

/** Where the plugin is on for an `env`, and its metadata's URL there when the issuer is fixed. */
export type ScopeHookTarget = (env: unknown) => { readonly resourceMetadataUrl?: string } | null

/**
 * The hook that refuses a `tools/call` whose tool needs a scope the caller's token lacks, where
 * the plugin is on (`target` says). The challenge names the metadata when the issuer is
 * configured: a hook doesn't see the request's origin, and clients know the document from the
 * `401` anyway.
 */
export function toolScopeHooks(policy: ScopePolicy, target: ScopeHookTarget): SessionHooks {
  return {
    onIncoming(message, context) {
      if (!('method' in message) || message.method !== 'tools/call') return undefined
      const name = message.params?.name
      const needed =
        typeof name === 'string' && Object.hasOwn(policy.tools, name) ? policy.tools[name]! : []
      if (needed.length === 0) return undefined
      const on = target(context.env)
      if (on === null) return undefined
      const missing = missingScopes(context.principal.scopes, needed)
      if (missing.length === 0) return undefined
      return {
        status: 403,
        code: RPC_ERROR.serverError,
        message: `Forbidden: tool "${name}" needs scope ${missing.join(' ')}`,
        headers: {
          'WWW-Authenticate': insufficientScopeChallenge(
            context.principal.scopes,
            needed,
            on.resourceMetadataUrl,
          ),
        },
      }
    },
  }
}
