/**
 * @module
 * The API a handler is written against, the same in both eras: who is calling, `env`, shared
 * resources, and for a tool typed helpers for this call (progress, logging, and the requests
 * for input: elicitation, sampling, roots). A tool gets it as its handler's second argument.
 * It is built here, once for both eras, from SDK v2's request context and the small piece that
 * differs per era ({@link EraContext}: a session's, `durable/session-context.ts`; a stateless
 * 2026-07-28 request's, `src/modern/modern-tool-context.ts`).
 */
import {
  type ClientCapabilities,
  type CreateMessageRequest,
  type CreateMessageResult,
  type ElicitRequest,
  type ElicitResult,
  type InputRequest,
  inputRequired,
  type ListRootsResult,
  type LoggingLevel,
  type ProgressNotification,
  type ProgressToken,
  type ServerContext,
} from '@modelcontextprotocol/server'
import type { SessionStorage, SharedResource } from './define-mcp-server'
import { checkedAnswer } from './elicitation-answer'
import { type Handles, handlesFor } from './handles'
import { type ListKind, sharedResource } from './shared-resource'
import type { Era, Principal } from './types'

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

/**
 * What differs per era in a handler's context: who and what the request belongs to, how a
 * request for input reaches the client, and what needs a session. Everything else is built
 * from SDK v2's request context, the same way in both eras.
 */
export interface EraContext<Env = unknown> {
  readonly era: Era
  readonly sessionId: string | undefined
  readonly principal: Principal
  readonly env: Env
  /** What the client declared it can do (at `initialize`, or in this modern request). */
  readonly clientCapabilities: ClientCapabilities
  /** The revision the request is served at (URL elicitation needs 2025-11-25 or later). */
  readonly protocolVersion: string | undefined
  /**
   * The client's answer to `request` (`capable`: the client declared the capability it needs),
   * as `check` accepts it: a server→client request on a session, an `input_required` round on
   * a modern request.
   */
  input<T>(
    request: InputRequest,
    capable: boolean,
    options: InputOptions | undefined,
    check: (answer: unknown) => T,
  ): Promise<T>
  /** The session's storage (on a modern request, reading it throws). */
  readonly storage: SessionStorage
  /** What `tool.ping()` does. */
  ping(): Promise<void>
  /** What `tool.closeStream()` does. */
  closeStream(): boolean
  /** What `tool.listChanged(kind)` does. */
  listChanged(kind: ListKind): Promise<void>
}

/**
 * The request for the elicitation `params`. Form mode is sent exactly as the tool wrote it
 * (SDK v2's `inputRequired.elicit` would add `mode: 'form'`, which 2025-06-18 clients never
 * saw); URL mode and the other requests are built by the SDK's `inputRequired` helpers.
 */
function elicitation(params: ElicitRequest['params']): InputRequest {
  if (params.mode === 'url') return inputRequired.elicitUrl(params)
  return { method: 'elicitation/create', params } as InputRequest
}

/** The context every handler of a request gets (tool, resource, prompt). */
export function createRequestContext<Env>(
  ctx: ServerContext,
  era: EraContext<Env>,
): RequestContext<Env> {
  const caps = era.clientCapabilities
  const { env, principal } = era
  return {
    era: era.era,
    sessionId: era.sessionId,
    principal,
    env,
    shared: (uri) => sharedResource(env, uri),
    signal: ctx.mcpReq.signal,
    clientCapabilities: caps,
    handles: handlesFor(env, () => principal),
    elicit: async (params, options) =>
      era.input(
        elicitation(params),
        canElicit(caps, era.protocolVersion, params),
        options,
        (answer) => checkedAnswer(params, answer as ElicitResult),
      ),
    sample: async (params, options) =>
      era.input(
        inputRequired.createMessage(params),
        caps.sampling !== undefined,
        options,
        (answer) => answer as CreateMessageResult,
      ),
    roots: async (options) =>
      era.input(
        inputRequired.listRoots(),
        caps.roots !== undefined,
        options,
        (answer) => answer as ListRootsResult,
      ),
  }
}

/** The context of one tool call. */
export function createToolContext<Env>(ctx: ServerContext, era: EraContext<Env>): ToolContext<Env> {
  return {
    ...createRequestContext(ctx, era),
    get storage() {
      return era.storage
    },
    progress: progressReporter(ctx.mcpReq._meta?.progressToken, (notification) =>
      ctx.mcpReq.notify(notification),
    ),
    // The SDK filters by the session's `logging/setLevel`, or the modern request's `logLevel`.
    log: (level, data, logger) => ctx.mcpReq.log(level, data, logger),
    listChanged: (kind) => era.listChanged(kind),
    ping: () => era.ping(),
    closeStream: () => era.closeStream(),
  }
}
