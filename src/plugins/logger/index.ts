/**
 * @module
 * Structured logging: one JSON line per HTTP request in the Worker, and one per JSON-RPC message
 * (requests when they complete or are cancelled, with their duration and outcome; a 2026-07-28
 * listen when its stream ends), in the session's object for a session and in the Worker for a
 * 2026-07-28 request, tied together by the request id; every line of `/mcp` names its era
 * (`legacy` or `modern`). Bodies are never logged; tool arguments only when asked for, with
 * secrets redacted. The `Authorization` header is never logged.
 */
import type { JSONRPCMessage } from '@modelcontextprotocol/server'
import type { HookContext, McpPlugin } from '../plugin'

/** Log levels, least severe first; `silent` logs nothing. */
export const LOG_LEVELS = ['debug', 'info', 'warn', 'error', 'silent'] as const
export type LogLevel = (typeof LOG_LEVELS)[number]

/** Options of {@link mcpLogger}. */
export interface McpLoggerOptions {
  /** The lowest level written. Default: the `LOG_LEVEL` var, else `info`. */
  readonly level?: LogLevel
  /** Where lines go. Default `console.log`. */
  readonly write?: (line: string) => void
  /** Also log tool-call arguments (redacted). Default false. */
  readonly logArguments?: boolean
  /** Argument keys whose values are replaced by `[REDACTED]` (case-insensitive, at any depth). */
  readonly redactKeys?: readonly string[]
}

const DEFAULT_REDACT = ['password', 'token', 'secret', 'authorization', 'apikey', 'api_key']

/** Requests whose completion is still to be logged; bounded so lost ones can't pile up. */
const MAX_PENDING = 10_000

interface Pending {
  readonly start: number
  /** The HTTP request that carried it (a cancellation may come in another). */
  readonly requestId: string
  readonly method: string
  readonly name?: string
  readonly arguments?: unknown
}

/** The most characters of a string a client chose (a session id, a tool name) a line copies. */
const MAX_FIELD_CHARS = 256

/** `value`, cut to {@link MAX_FIELD_CHARS} with a marker of its length when it is longer. */
function bounded(value: string): string
function bounded(value: string | undefined): string | undefined
function bounded(value: string | undefined): string | undefined {
  if (value === undefined || value.length <= MAX_FIELD_CHARS) return value
  return `${value.slice(0, MAX_FIELD_CHARS)}…(${value.length} chars)`
}

/** The name a request is about: a tool or prompt name, or a resource URI. */
function subjectOf(message: JSONRPCMessage): string | undefined {
  if (!('method' in message) || message.params === undefined) return undefined
  const { name, uri } = message.params
  if (typeof name === 'string') return bounded(name)
  return typeof uri === 'string' ? bounded(uri) : undefined
}

/** Replaces the values of secret-looking keys, at any depth. */
export function redact(value: unknown, keys: ReadonlySet<string>): unknown {
  if (Array.isArray(value)) return value.map((item) => redact(item, keys))
  if (value === null || typeof value !== 'object') return value
  return Object.fromEntries(
    Object.entries(value).map(([key, item]) => [
      key,
      keys.has(key.toLowerCase()) ? '[REDACTED]' : redact(item, keys),
    ]),
  )
}

/**
 * Where MCP clients look for OAuth on a server that may have none: RFC 9728 protected-resource
 * metadata, RFC 8414 and OpenID Connect discovery (each with the endpoint's path inserted or
 * appended), and the 2025-03-26 fallback's dynamic registration. A 404 there is ordinary
 * traffic, logged at `info`.
 */
const OAUTH_PROBE =
  /^(?:\/\.well-known\/(?:oauth-protected-resource|oauth-authorization-server|openid-configuration)(?:\/.*)?|\/.+\/\.well-known\/openid-configuration|\/register)$/

/** The level of a request's line, by its status (and path, for OAuth probes). */
function levelOf(status: number, path: string): Exclude<LogLevel, 'silent'> {
  if (status >= 500) return 'error'
  if (status === 404 && OAUTH_PROBE.test(path)) return 'info'
  return status >= 400 ? 'warn' : 'info'
}

function transportOf(path: string): string | undefined {
  if (OAUTH_PROBE.test(path)) return undefined
  if (path.endsWith('/mcp')) return 'streamable-http'
  if (path.endsWith('/sse') || path.endsWith('/messages')) return 'sse'
  return undefined
}

/**
 * Structured logging plugin.
 *
 * @example
 * ```ts
 * mcpLogger({ level: 'info', logArguments: true, redactKeys: ['ssn'] })
 * ```
 */
export function mcpLogger(options: McpLoggerOptions = {}): McpPlugin {
  const write = options.write ?? ((line: string) => console.log(line))
  const redactKeys = new Set(
    [...DEFAULT_REDACT, ...(options.redactKeys ?? [])].map((k) => k.toLowerCase()),
  )
  const pending = new Map<string, Pending>()

  const levelFor = (env: unknown): LogLevel => {
    if (options.level) return options.level
    const fromEnv =
      typeof env === 'object' && env !== null ? Reflect.get(env, 'LOG_LEVEL') : undefined
    return LOG_LEVELS.find((level) => level === fromEnv) ?? 'info'
  }
  const threshold = (env: unknown): number => LOG_LEVELS.indexOf(levelFor(env))
  const silent = (env: unknown) => levelFor(env) === 'silent'
  const enabled = (env: unknown, level: Exclude<LogLevel, 'silent'>) =>
    LOG_LEVELS.indexOf(level) >= threshold(env)
  /** Writes one line; callers check {@link enabled} first, so no line is built for nothing. */
  const writeLine = (level: Exclude<LogLevel, 'silent'>, fields: Record<string, unknown>) =>
    write(JSON.stringify({ level, time: new Date().toISOString(), ...fields }))
  const log = (
    env: unknown,
    level: Exclude<LogLevel, 'silent'>,
    fields: Record<string, unknown>,
  ) => {
    if (enabled(env, level)) writeLine(level, fields)
  }
  // A modern request has no session: its HTTP request id scopes its one JSON-RPC id.
  const key = (context: HookContext, id: string | number) =>
    `${context.sessionId ?? `r:${context.requestId}`}\u0000${typeof id}:${id}`
  /** Writes the line of request `id`, which ended with `outcome`, if it is still pending. */
  const complete = (
    context: HookContext,
    id: string | number,
    outcome: 'ok' | 'error' | 'cancelled',
    errorCode?: number,
  ) => {
    if (pending.size === 0) return
    const pendingKey = key(context, id)
    const started = pending.get(pendingKey)
    if (started === undefined) return
    pending.delete(pendingKey)
    log(context.env, outcome === 'error' ? 'warn' : 'info', {
      type: 'rpc',
      era: context.era,
      requestId: started.requestId,
      sessionId: context.sessionId,
      principal: context.principal.name,
      method: started.method,
      name: started.name,
      id,
      durationMs: Date.now() - started.start,
      outcome,
      errorCode,
      arguments: started.arguments,
    })
  }

  return {
    name: 'logger',
    outerMiddleware: async function mcpLogger(c, next) {
      if (silent(c.env)) return next()
      const start = Date.now()
      await next()
      const status = c.res.status
      const path = c.req.path
      const level = levelOf(status, path)
      if (!enabled(c.env, level)) return
      const sessionId =
        c.req.header('mcp-session-id') ??
        (path.endsWith('/messages') || path.endsWith('/sse')
          ? c.req.query('sessionId')
          : undefined) ??
        c.res.headers.get('mcp-session-id') ??
        undefined
      writeLine(level, {
        type: 'http',
        requestId: c.get('requestId'),
        method: bounded(c.req.method),
        path: bounded(path),
        status,
        clientGone: c.get('clientGone'),
        durationMs: Date.now() - start,
        transport: transportOf(path),
        era: c.get('era'),
        sessionId: bounded(sessionId),
        // Unset when the request was refused before auth ran.
        principal: c.get('principal')?.name,
      })
    },
    hooks: {
      onIncoming(message, context) {
        if (silent(context.env) || !('method' in message)) return undefined
        if ('id' in message) {
          if (pending.size >= MAX_PENDING) pending.delete(pending.keys().next().value!)
          pending.set(key(context, message.id), {
            start: Date.now(),
            requestId: context.requestId,
            method: bounded(message.method),
            name: subjectOf(message),
            arguments: options.logArguments
              ? redact(message.params?.arguments, redactKeys)
              : undefined,
          })
          return undefined
        }
        if (enabled(context.env, 'debug')) {
          writeLine('debug', {
            type: 'rpc',
            direction: 'in',
            era: context.era,
            requestId: context.requestId,
            sessionId: context.sessionId,
            method: bounded(message.method),
            outcome: 'accepted',
          })
        }
        // Spec: no response follows a cancelled request; its line is written now.
        const cancelled = message.method === 'notifications/cancelled' && message.params?.requestId
        if (typeof cancelled === 'string' || typeof cancelled === 'number') {
          complete(context, cancelled, 'cancelled')
        }
        return undefined
      },
      onOutgoing(message, context) {
        if ('method' in message || !('id' in message) || message.id === undefined) return
        const error = 'error' in message ? message.error : undefined
        complete(context, message.id, error ? 'error' : 'ok', error?.code)
      },
    },
  }
}
