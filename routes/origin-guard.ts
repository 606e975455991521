/**
 * @module
 * The Host/Origin guard, on by default: a request whose `Origin` or `Host` is neither loopback
 * nor allow-listed is refused with 403 before any object wakes (spec: servers MUST validate
 * `Origin` to prevent DNS rebinding; 2025-11-25 says 403). An absent `Origin` is fine: CLI and
 * server-side clients send none; so is the server's own origin (its pages' forms).
 */
import { createMiddleware } from 'hono/factory'
import { mcpHttpError } from '../src/http-error'
import { isLoopback } from '../src/loopback'
import { RPC_ERROR } from '../src/protocol/json-rpc-error'
import type { AppEnv } from '../src/types'

/** Where the allow-lists come from: the `ALLOWED_ORIGINS` and `ALLOWED_HOSTS` vars. */
export interface OriginGuardVars {
  /** Comma-separated origins (`https://app.example.com`) browsers may call from. */
  ALLOWED_ORIGINS?: string
  /** Comma-separated host names (`mcp.example.com`, with `:port` if not default) served. */
  ALLOWED_HOSTS?: string
}

const lists = new Map<string, ReadonlySet<string>>()

/** Parses a comma-separated allow-list once per distinct value. */
function allowList(value: string | undefined): ReadonlySet<string> {
  const key = value ?? ''
  let list = lists.get(key)
  if (list === undefined) {
    list = new Set(
      key
        .split(',')
        .map((item) => item.trim().toLowerCase())
        .filter(Boolean),
    )
    lists.set(key, list)
  }
  return list
}

/** Decisions already made, per allow-list and header value; bounded, so it can't grow forever. */
const decisions = new Map<string, boolean>()

function decide(key: string, compute: () => boolean): boolean {
  let allowed = decisions.get(key)
  if (allowed === undefined) {
    allowed = compute()
    if (decisions.size >= 1_000) decisions.clear()
    decisions.set(key, allowed)
  }
  return allowed
}

/** Whether a browser at `origin` may call this server with `env`'s allow-list. */
export function isAllowedOrigin(origin: string, env: OriginGuardVars): boolean {
  return decide(`o\u0000${env.ALLOWED_ORIGINS ?? ''}\u0000${origin}`, () =>
    originAllowed(origin, env),
  )
}

function originAllowed(origin: string, env: OriginGuardVars): boolean {
  let url: URL
  try {
    url = new URL(origin)
  } catch {
    return false
  }
  return isLoopback(url.hostname) || allowList(env.ALLOWED_ORIGINS).has(url.origin.toLowerCase())
}

/** Whether `host` (a `Host` header value) is one this server answers to with `env`'s allow-list. */
export function isAllowedHost(host: string, env: OriginGuardVars): boolean {
  return decide(`h\u0000${env.ALLOWED_HOSTS ?? ''}\u0000${host}`, () => hostAllowed(host, env))
}

function hostAllowed(host: string, env: OriginGuardVars): boolean {
  let url: URL
  try {
    url = new URL(`http://${host}`)
  } catch {
    return false
  }
  const list = allowList(env.ALLOWED_HOSTS)
  return (
    isLoopback(url.hostname) ||
    list.has(url.host.toLowerCase()) ||
    list.has(url.hostname.toLowerCase())
  )
}

/**
 * Whether `origin` is the server's own: the request's scheme and `Host` (a form on one of its
 * pages, such as the OAuth consent page, posts with it). Safe to let in because the Host check
 * follows: a DNS-rebinding page's origin is its own host name, which that check refuses.
 */
function isOwnOrigin(origin: string, url: string, host: string): boolean {
  const scheme = url.startsWith('https:') ? 'https://' : 'http://'
  return origin === scheme + host
}

/**
 * The guard middleware.
 *
 * @example
 * ```ts
 * app.use(originGuard)
 * ```
 */
export const originGuard = createMiddleware<AppEnv>(async function originGuard(c, next) {
  const env = c.env as OriginGuardVars
  const origin = c.req.header('origin')
  const host = c.req.header('host') ?? new URL(c.req.url).host
  if (
    origin !== undefined &&
    !isAllowedOrigin(origin, env) &&
    !isOwnOrigin(origin, c.req.url, host)
  ) {
    throw mcpHttpError(403, RPC_ERROR.serverError, 'Forbidden: Origin not allowed')
  }
  if (!isAllowedHost(host, env)) {
    throw mcpHttpError(403, RPC_ERROR.serverError, 'Forbidden: Host not allowed')
  }
  await next()
})
