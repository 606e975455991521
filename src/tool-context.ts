/**
 * @module
 * The API a handler is written against, the same in both eras: who is calling, `env`, shared
 * resources, and for a tool typed helpers for this call (progress, logging, and the
 * server→client requests: elicitation, sampling, roots). A tool gets it as its handler's second
 * argument. This module also builds it for a session's calls (SDK v1); `src/modern/` builds it
 * for stateless 2026-07-28 requests.
 */
import type { RequestHandlerExtra } from '@modelcontextprotocol/sdk/shared/protocol.js'
import {
  type ClientCapabilities,
  type CreateMessageRequest,
  type CreateMessageResult,
  CreateMessageResultSchema,
  type ElicitRequest,
  type ElicitResult,
  ElicitResultSchema,
  EmptyResultSchema,
  ErrorCode,
  type ListRootsResult,
  ListRootsResultSchema,
  type LoggingLevel,
  McpError,
  type ProgressNotification,
  type ProgressToken,
  type RequestId,
  type ServerNotification,
  type ServerRequest,
} from '@modelcontextprotocol/sdk/types.js'
import type { SessionContext, SessionStorage, SharedResource } from './define-mcp-server'
import { checkedAnswer } from './elicitation-answer'
import { type Handles, handlesFor } from './handles'
import { announceListChanged, type ListKind } from './shared-resource'
import type { Era, Principal } from './types'

/** The SDK's per-call `extra`, as a tool handler receives it. */
export type ToolExtra = RequestHandlerExtra<ServerRequest, ServerNotification>

/** Severity order of MCP log levels (RFC 5424), least severe first. */
const LEVELS: readonly LoggingLevel[] = [
  'debug',
  'info',
  'notice',
  'warning',
  'error',
  'critical',
  'alert',
  'emergency',
]

/** What the session knows that the helpers need; supplied by the session object. */
export interface SessionFacts {
  /** The level set with `logging/setLevel` (undefined: everything is sent). */
  logLevel(): LoggingLevel | undefined
  /** Whether the client has sent `notifications/initialized`. */
  initialized(): boolean
  /** What the client declared at `initialize`. */
  clientCapabilities(): ClientCapabilities | undefined
  /** The negotiated protocol revision. */
  protocolVersion(): string | undefined
  /** How long a server→client request may wait for its answer, in ms. */
  readonly requestTimeoutMs: number
  /** Closes the connection carrying request `id`'s reply (the call goes on; the client resumes). */
  closeStream(id: RequestId): boolean
}

export type { Era }

/** Options of a request for input. */
export interface InputOptions {
  /**
   * The request's key in a 2026-07-28 `input_required` result, under which the client answers
   * it (default: `input-<n>`, by the order of the calls). Ignored on a session.
   */
  readonly key?: string
}

/**
 * What every handler (tool, resource, prompt) gets: who is calling, from where, `env`, and the
 * requests for input (the spec allows them on tools, prompts and resource reads).
 */
export interface RequestContext<Env = unknown> {
  /** Which era this request belongs to. */
  readonly era: Era
  /** The session's id; undefined on a modern request, which has no session. */
  readonly sessionId: string | undefined
  /** Who is calling (the session's creator on legacy, this request's caller on modern). */
  readonly principal: Principal
  /** The Worker's bindings and vars. */
  readonly env: Env
  /** The shared resource at `uri` (needs the `RESOURCE_HUB` binding); works in both eras. */
  shared<T = unknown>(uri: string): SharedResource<T>
  /**
   * Aborted when the client cancels this request (`notifications/cancelled` on a session;
   * closing the response on a modern request).
   */
  readonly signal: AbortSignal
  /** What the client declared it can do (at `initialize`, or in this modern request). */
  readonly clientCapabilities: ClientCapabilities
  /**
   * Durable handles of the caller: state a client carries between requests as an id (the only
   * state a 2026-07-28 request can keep; sessions can use them too). Needs `HANDLE_DO`.
   */
  readonly handles: Handles
  /**
   * Asks the user for input (`elicitation/create`); needs the client's `elicitation` capability.
   * On a session, a real server→client request. On a modern request, an `input_required` round
   * trip: the call ends here until the client answers, then runs again from the start and this
   * resolves with the answer (see `src/modern/input-rounds.ts`). An accepted answer's content is
   * checked against `requestedSchema` in both eras. Without the capability: an error on a
   * session, `-32021` on a modern request.
   */
  elicit(params: ElicitRequest['params'], options?: InputOptions): Promise<ElicitResult>
  /** Asks the client's model (`sampling/createMessage`); needs `sampling` (as `elicit`). */
  sample(
    params: CreateMessageRequest['params'],
    options?: InputOptions,
  ): Promise<CreateMessageResult>
  /** Asks for the client's roots (`roots/list`); needs `roots` (as `elicit`). */
  roots(options?: InputOptions): Promise<ListRootsResult>
}

/** Everything a tool call can use. */
export interface ToolContext<Env = unknown> extends RequestContext<Env> {
  /**
   * The session's own durable storage. Only a session has one: reading it on a modern request
   * throws, which answers the call with a clear error result.
   */
  readonly storage: SessionStorage
  /**
   * Reports progress, when the client asked for it (`_meta.progressToken`); a no-op otherwise.
   * Goes on this call's stream, before its result. `progress` must increase.
   */
  progress(progress: number, total?: number, message?: string): Promise<void>
  /**
   * Sends a log message on this call's stream, unless the client's level filters it out (the
   * session's `logging/setLevel`; on a modern request, only when it carried a `logLevel`).
   */
  log(level: LoggingLevel, data: unknown, logger?: string): Promise<void>
  /**
   * Announces that the server's list of `kind` changed (a tool, prompt or resource came or
   * went): every 2026-07-28 listen stream that asked for it hears it, in every isolate, and so
   * does this session's client. Needs the `RESOURCE_HUB` binding.
   */
  listChanged(kind: ListKind): Promise<void>
  /** Pings the client (sessions only: 2026-07-28 has no ping). */
  ping(): Promise<void>
  /**
   * Ends the connection that carries this call's reply, after an event id and a `retry:` hint;
   * the call goes on, and the client gets the rest by resuming with `Last-Event-ID` (spec
   * 2025-11-25: polling). False (and nothing happens) when the client can't resume: before
   * 2025-11-25, on the legacy transport, or on a modern request.
   */
  closeStream(): boolean
}

/**
 * Whether the client can take this elicitation: form mode needs `elicitation` (an empty object
 * meant form before 2025-11-25); URL mode needs `elicitation.url` and 2025-11-25 or later.
 */
export function canElicit(
  caps: ClientCapabilities,
  version: string | undefined,
  params: ElicitRequest['params'],
): boolean {
  const elicitation = caps.elicitation
  if (elicitation === undefined) return false
  if (params.mode === 'url') return elicitation.url !== undefined && (version ?? '') >= '2025-11-25'
  return elicitation.form !== undefined || elicitation.url === undefined
}

/**
 * A tool context's `progress`: sends `notifications/progress` for `token` through `notify`, and
 * refuses a value that does not increase; a no-op when the request carried no token.
 */
export function progressReporter(
  token: ProgressToken | undefined,
  notify: (notification: ProgressNotification) => Promise<void>,
): ToolContext['progress'] {
  let last = Number.NEGATIVE_INFINITY
  return async (progress, total, message) => {
    if (token === undefined) return
    if (progress <= last) throw new Error(`progress must increase (got ${progress} after ${last})`)
    last = progress
    await notify({
      method: 'notifications/progress',
      params: {
        progressToken: token,
        progress,
        ...(total !== undefined && { total }),
        ...(message !== undefined && { message }),
      },
    })
  }
}

/** The context of a session's request that the SDK v1 handles with `extra`. */
export function sessionRequestContext<Env>(
  session: SessionContext<Env>,
  facts: SessionFacts,
  extra: Pick<ToolExtra, 'signal' | 'sendRequest'>,
): RequestContext<Env> {
  const request = async <T>(
    method: string,
    declared: boolean,
    send: () => Promise<T>,
  ): Promise<T> => {
    // Spec: until `notifications/initialized`, the server sends nothing but pings and logs, and
    // it only uses capabilities the client declared.
    if (!facts.initialized()) {
      throw new McpError(
        ErrorCode.InvalidRequest,
        `Cannot send ${method}: the client has not finished initialization`,
      )
    }
    if (!declared) {
      throw new McpError(
        ErrorCode.InvalidRequest,
        `Cannot send ${method}: the client did not declare that capability`,
      )
    }
    return send()
  }
  const caps = facts.clientCapabilities() ?? {}
  const options = { timeout: facts.requestTimeoutMs }
  return {
    era: 'legacy',
    sessionId: session.sessionId,
    principal: session.principal,
    env: session.env,
    shared: (uri) => session.shared(uri),
    signal: extra.signal,
    clientCapabilities: caps,
    handles: handlesFor(session.env, () => session.principal),
    elicit: (params) =>
      request('elicitation/create', canElicit(caps, facts.protocolVersion(), params), () =>
        extra
          .sendRequest({ method: 'elicitation/create', params }, ElicitResultSchema, options)
          .then((result) => checkedAnswer(params, result)),
      ),
    sample: (params) =>
      request('sampling/createMessage', caps.sampling !== undefined, () =>
        extra.sendRequest(
          { method: 'sampling/createMessage', params },
          CreateMessageResultSchema,
          options,
        ),
      ),
    roots: () =>
      request('roots/list', caps.roots !== undefined, () =>
        extra.sendRequest({ method: 'roots/list' }, ListRootsResultSchema, options),
      ),
  }
}

/** Builds the context of one tool call of a session. */
export function createToolContext<Env>(
  session: SessionContext<Env>,
  facts: SessionFacts,
  extra: ToolExtra,
): ToolContext<Env> {
  return {
    ...sessionRequestContext(session, facts, extra),
    storage: session.storage,
    progress: progressReporter(extra._meta?.progressToken, (notification) =>
      extra.sendNotification(notification),
    ),
    async log(level, data, logger) {
      const threshold = facts.logLevel()
      if (threshold !== undefined && LEVELS.indexOf(level) < LEVELS.indexOf(threshold)) return
      await extra.sendNotification({
        method: 'notifications/message',
        params: { level, data, ...(logger !== undefined && { logger }) },
      })
    },
    async listChanged(kind) {
      await announceListChanged(session.env, kind)
      await extra.sendNotification({ method: `notifications/${kind}/list_changed` })
    },
    async ping() {
      await extra.sendRequest({ method: 'ping' }, EmptyResultSchema, {
        timeout: facts.requestTimeoutMs,
      })
    },
    closeStream: () => facts.closeStream(extra.requestId),
  }
}
