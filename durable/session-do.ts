/**
 * @module
 * SessionDO: the hub of one MCP session. The Worker's routes validate a request, pick the object
 * by session id and call one of its RPC methods with the parsed messages and the caller's
 * principal. The object owns the session's `McpServer`, its transport and open streams (memory),
 * and its session record and app data (storage).
 *
 * ## Lifecycle
 * - `initialize` without a session id reaches a brand-new object (`newUniqueId()`), which stores
 *   the session record and then lets the server answer.
 * - Any later request loads the record (404 when there is none) and, if the object was evicted or
 *   restarted since, builds a fresh server and replays the stored `initialize` (and
 *   `notifications/initialized`) into it before serving, so the request is answered exactly as
 *   before the eviction.
 * - `DELETE /mcp` closes the streams and deletes all storage.
 */

import { DurableObject } from 'cloudflare:workers'
import type { McpServer } from '@modelcontextprotocol/sdk/server/mcp.js'
import {
  InitializeRequestSchema,
  type JSONRPCMessage,
  type JSONRPCRequest,
  type RequestId,
} from '@modelcontextprotocol/sdk/types.js'
import {
  buildMcpServer,
  type McpServerDefinition,
  type SessionContext,
} from '../src/define-mcp-server'
import { jsonRpcErrorResponse, RPC_ERROR } from '../src/protocol/json-rpc-error'
import { allowsBatches, DEFAULT_ASSUMED_VERSION, negotiateVersion } from '../src/protocol/versions'
import type { MessageSink } from '../src/transports/message-sink'
import { ReplyStream } from '../src/transports/reply-stream'
import { SessionTransport } from '../src/transports/session-transport'
import { SSEStream } from '../src/transports/sse-stream'
import { SESSION_ID_HEADER_OUT, type SessionKind } from '../src/types'
import { type SessionRecord, SessionState } from './session-state'

/** What every call from the Worker carries besides its payload. */
export interface SessionCall {
  /** Name of the principal the Worker authenticated (`anonymous` without auth). */
  readonly principal: string
  /** The transport the request arrived on. */
  readonly kind: SessionKind
}

/** A `POST /mcp` (or `/messages`) after the Worker parsed and validated its body. */
export interface SessionPost extends SessionCall {
  readonly messages: JSONRPCMessage[]
  readonly batch: boolean
}

/** Id used to replay the stored `initialize` into a fresh server; its response is discarded. */
const REPLAY_INITIALIZE_ID = 'mcp-workers/replay-initialize'

/**
 * Base class of the session object. Apps don't extend it by hand: {@link createSessionDO} binds it
 * to their server definition.
 */
export class SessionDO<Env = unknown> extends DurableObject<Env> {
  /** The app's server definition; supplied by {@link createSessionDO}. */
  protected get definition(): McpServerDefinition<Env> {
    throw new Error(
      'SessionDO is bound to a server by createSessionDO(definition); export that class',
    )
  }
  readonly #state: SessionState
  #live: Promise<LiveSession> | undefined

  constructor(ctx: DurableObjectState, env: Env) {
    super(ctx, env)
    this.#state = new SessionState(ctx.storage)
  }

  /** The session id: the object's own id, as handed to the client. */
  get sessionId(): string {
    return this.ctx.id.toString()
  }

  /** Handles a POST whose body holds JSON-RPC messages. */
  async post(call: SessionPost): Promise<Response> {
    const first = call.messages[0]
    // The Worker already validated every message; a cheap look is enough here.
    if (call.messages.length === 1 && first && 'id' in first && 'method' in first) {
      if (first.method === 'initialize') return this.#initialize(call, first)
    }
    const rejected = this.#check(call)
    if (rejected) return rejected
    const record = this.#state.record!
    const version = record.protocolVersion ?? DEFAULT_ASSUMED_VERSION
    if (call.batch && !allowsBatches(version)) {
      return jsonRpcErrorResponse(
        400,
        RPC_ERROR.invalidRequest,
        `Invalid Request: batches are not supported at protocol version ${version}`,
      )
    }
    const live = await this.#ensureLive()
    this.#state.touch(Date.now())
    const requestIds = call.messages.flatMap((m) => ('method' in m && 'id' in m ? [m.id] : []))
    if (requestIds.length === 0) {
      for (const message of call.messages) this.#receive(live, message)
      return new Response(null, { status: 202, headers: this.#sessionHeaders() })
    }
    const reply = live.openReply(requestIds, call.batch, this.#sessionHeaders())
    for (const message of call.messages) this.#receive(live, message, reply)
    return reply.response
  }

  /** Opens the session's standalone SSE stream (`GET /mcp`). */
  async openStream(call: SessionCall): Promise<Response> {
    const rejected = this.#check(call)
    if (rejected) return rejected
    const live = await this.#ensureLive()
    if (live.transport.standalone !== undefined) {
      return jsonRpcErrorResponse(
        409,
        RPC_ERROR.serverError,
        'Conflict: only one standalone SSE stream is allowed per session',
      )
    }
    this.#state.touch(Date.now())
    const stream = new SSEStream()
    live.transport.setStandalone(stream)
    return stream.toResponse(this.#sessionHeaders())
  }

  /** Ends the session (`DELETE /mcp`): closes its streams and deletes all its storage. */
  async end(call: SessionCall): Promise<Response> {
    const rejected = this.#check(call)
    if (rejected) return rejected
    const live = this.#live
    this.#live = undefined
    if (live !== undefined) await (await live).close()
    await this.#state.destroy()
    return new Response(null, { status: 200 })
  }

  /** Rejects a call for a session that doesn't exist, belongs to someone else, or is of another kind. */
  #check(call: SessionCall): Response | undefined {
    const record = this.#state.record
    // A session owned by another principal is answered exactly like an unknown one, so ids
    // can't be probed.
    if (record === undefined || record.principal !== call.principal) {
      return jsonRpcErrorResponse(404, RPC_ERROR.sessionNotFound, 'Session not found')
    }
    if (record.kind !== call.kind) {
      return jsonRpcErrorResponse(
        400,
        RPC_ERROR.serverError,
        'Bad Request: this session id belongs to a different transport',
      )
    }
    return undefined
  }

  async #initialize(call: SessionPost, request: JSONRPCRequest): Promise<Response> {
    const params = InitializeRequestSchema.shape.params.safeParse(request.params)
    if (!params.success) {
      return jsonRpcErrorResponse(
        400,
        RPC_ERROR.invalidParams,
        'Invalid params: malformed initialize',
      )
    }
    if (this.#state.record !== undefined) {
      return jsonRpcErrorResponse(
        400,
        RPC_ERROR.invalidRequest,
        'Invalid Request: the session is already initialized',
      )
    }
    const protocolVersion = negotiateVersion(call.kind, params.data.protocolVersion)
    const initializeParams = { ...params.data, protocolVersion }
    const now = Date.now()
    this.#state.create({
      schema: 1,
      kind: call.kind,
      principal: call.principal,
      protocolVersion,
      clientInfo: initializeParams.clientInfo,
      clientCapabilities: initializeParams.capabilities,
      initializeParams,
      initialized: false,
      createdAt: now,
      lastSeenAt: now,
    })
    const live = await this.#ensureLive(false)
    const reply = live.openReply([request.id], false, this.#sessionHeaders())
    live.transport.receive({ ...request, params: initializeParams }, reply)
    return reply.response
  }

  #receive(live: LiveSession, message: JSONRPCMessage, reply?: MessageSink): void {
    if ('method' in message && message.method === 'notifications/initialized') {
      this.#state.markInitialized()
    }
    live.transport.receive(message, 'id' in message && 'method' in message ? reply : undefined)
  }

  #sessionHeaders(): Record<string, string> {
    return { [SESSION_ID_HEADER_OUT]: this.sessionId }
  }

  /**
   * The session's live server and transport, built on first use after the object starts. When
   * `replay` is set (any request but the session's own `initialize`), the stored `initialize` is
   * replayed into the new server first. Concurrent callers share the same build.
   */
  #ensureLive(replay = true): Promise<LiveSession> {
    this.#live ??= this.ctx.blockConcurrencyWhile(() => this.#build(replay))
    return this.#live
  }

  async #build(replay: boolean): Promise<LiveSession> {
    const record = this.#state.record!
    const transport = new SessionTransport(this.sessionId)
    const context: SessionContext<Env> = {
      sessionId: this.sessionId,
      principal: { name: record.principal },
      env: this.env,
      storage: this.#state.appStorage(),
    }
    const server = buildMcpServer(this.definition, context)
    await server.connect(transport)
    const live = new LiveSession(server, transport)
    if (replay) await replayInitialize(transport, record)
    return live
  }
}

/** A session's in-memory half: the server, its transport and the replies still open. */
class LiveSession {
  readonly #replies = new Set<ReplyStream>()
  constructor(
    readonly server: McpServer,
    readonly transport: SessionTransport,
  ) {}

  /** Starts the reply to a POST that carries the requests `requestIds`. */
  openReply(requestIds: RequestId[], batch: boolean, headers: Record<string, string>): ReplyStream {
    const reply = new ReplyStream(requestIds, {
      batch,
      headers,
      onDone: () => this.#replies.delete(reply),
    })
    this.#replies.add(reply)
    return reply
  }

  /** Ends every open reply and stream and closes the server. */
  async close(): Promise<void> {
    for (const reply of this.#replies) {
      reply.abort(jsonRpcErrorResponse(404, RPC_ERROR.sessionNotFound, 'Session terminated'))
    }
    this.#replies.clear()
    await this.transport.standalone?.close?.()
    await this.server.close()
  }
}

/** Feeds the stored `initialize` (and `initialized`) to a fresh server, discarding its answer. */
async function replayInitialize(transport: SessionTransport, record: SessionRecord) {
  let done!: () => void
  const answered = new Promise<void>((resolve) => {
    done = resolve
  })
  const sink: MessageSink = { closed: false, send: () => done() }
  transport.receive(
    {
      jsonrpc: '2.0',
      id: REPLAY_INITIALIZE_ID,
      method: 'initialize',
      params: record.initializeParams,
    },
    sink,
  )
  await answered
  if (record.initialized) {
    transport.receive({ jsonrpc: '2.0', method: 'notifications/initialized' })
  }
}

/**
 * Binds the session object to an app's server definition. Export the result from the Worker entry
 * under the class name in `wrangler.toml`.
 *
 * @example
 * ```ts
 * export const SessionDO = createSessionDO(server)
 * ```
 */
export function createSessionDO<Env>(definition: McpServerDefinition<Env>) {
  return class extends SessionDO<Env> {
    protected override get definition(): McpServerDefinition<Env> {
      return definition
    }
  }
}
