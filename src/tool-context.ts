/**
 * @module
 * The API a tool is written against: everything the session offers (its durable storage, the
 * principal, `env`) plus typed helpers for this call (progress, logging, and the server→client
 * requests: elicitation, sampling, roots). Get it in a handler with `context.tool(extra)`.
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
  type RequestId,
  type ServerNotification,
  type ServerRequest,
} from '@modelcontextprotocol/sdk/types.js'
import type { SessionContext } from './define-mcp-server'

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

/** Everything a tool call can use. */
export interface ToolContext<Env = unknown> extends SessionContext<Env> {
  /** Aborted when the client cancels this call (`notifications/cancelled`). */
  readonly signal: AbortSignal
  /**
   * Reports progress, when the client asked for it (`_meta.progressToken`); a no-op otherwise.
   * Goes on this call's stream, before its result. `progress` must increase.
   */
  progress(progress: number, total?: number, message?: string): Promise<void>
  /** Sends a log message on this call's stream, unless the session's level filters it out. */
  log(level: LoggingLevel, data: unknown, logger?: string): Promise<void>
  /** Asks the user for input (`elicitation/create`); needs the client's `elicitation` capability. */
  elicit(params: ElicitRequest['params']): Promise<ElicitResult>
  /** Asks the client's model (`sampling/createMessage`); needs its `sampling` capability. */
  sample(params: CreateMessageRequest['params']): Promise<CreateMessageResult>
  /** Asks for the client's roots (`roots/list`); needs its `roots` capability. */
  roots(): Promise<ListRootsResult>
  /** Pings the client. */
  ping(): Promise<void>
  /**
   * Ends the connection that carries this call's reply, after an event id and a `retry:` hint;
   * the call goes on, and the client gets the rest by resuming with `Last-Event-ID` (spec
   * 2025-11-25: polling). False (and nothing happens) when the client can't resume: before
   * 2025-11-25, or on the legacy transport.
   */
  closeStream(): boolean
}

/**
 * Whether the client can take this elicitation: form mode needs `elicitation` (an empty object
 * meant form before 2025-11-25); URL mode needs `elicitation.url` and 2025-11-25 or later.
 */
function canElicit(
  caps: ClientCapabilities,
  version: string | undefined,
  params: ElicitRequest['params'],
): boolean {
  const elicitation = caps.elicitation
  if (elicitation === undefined) return false
  if (params.mode === 'url') return elicitation.url !== undefined && (version ?? '') >= '2025-11-25'
  return elicitation.form !== undefined || elicitation.url === undefined
}

/** Builds the context of one tool call. */
export function createToolContext<Env>(
  session: SessionContext<Env>,
  facts: SessionFacts,
  extra: ToolExtra,
): ToolContext<Env> {
  const progressToken = extra._meta?.progressToken
  let lastProgress = Number.NEGATIVE_INFINITY
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
  const caps = () => facts.clientCapabilities() ?? {}
  const options = { timeout: facts.requestTimeoutMs }

  return {
    ...session,
    signal: extra.signal,
    async progress(progress, total, message) {
      if (progressToken === undefined) return
      if (progress <= lastProgress) {
        throw new Error(`progress must increase (got ${progress} after ${lastProgress})`)
      }
      lastProgress = progress
      await extra.sendNotification({
        method: 'notifications/progress',
        params: {
          progressToken,
          progress,
          ...(total !== undefined && { total }),
          ...(message !== undefined && { message }),
        },
      })
    },
    async log(level, data, logger) {
      const threshold = facts.logLevel()
      if (threshold !== undefined && LEVELS.indexOf(level) < LEVELS.indexOf(threshold)) return
      await extra.sendNotification({
        method: 'notifications/message',
        params: { level, data, ...(logger !== undefined && { logger }) },
      })
    },
    elicit: (params) =>
      request('elicitation/create', canElicit(caps(), facts.protocolVersion(), params), () =>
        extra.sendRequest({ method: 'elicitation/create', params }, ElicitResultSchema, options),
      ),
    sample: (params) =>
      request('sampling/createMessage', caps().sampling !== undefined, () =>
        extra.sendRequest(
          { method: 'sampling/createMessage', params },
          CreateMessageResultSchema,
          options,
        ),
      ),
    roots: () =>
      request('roots/list', caps().roots !== undefined, () =>
        extra.sendRequest({ method: 'roots/list' }, ListRootsResultSchema, options),
      ),
    async ping() {
      await extra.sendRequest({ method: 'ping' }, EmptyResultSchema, options)
    },
    closeStream: () => facts.closeStream(extra.requestId),
  }
}
