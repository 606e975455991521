/**
 * @module
 * SessionDO: the hub of one MCP session. The Worker's routes validate a request, pick the object
 * by session id and call one of its RPC methods with the parsed messages and the caller's
 * principal. The object owns the session's `McpServer`, its transport and open streams (memory,
 * `live-session.ts`), and its session record and app data (storage, `session-state.ts`).
 *
 * ## Lifecycle
 * - Streamable HTTP: `initialize` without a session id reaches a brand-new object
 *   (`newUniqueId()`), which stores the session record and then lets the server answer.
 * - Legacy HTTP+SSE: `GET /sse` reaches a brand-new object, which stores a record without client
 *   details and returns the stream; `initialize` arrives later through `POST /messages`.
 * - Any later request loads the record (404 when there is none) and, if the object was evicted or
 *   restarted since, builds a fresh server and replays the stored `initialize` (and
 *   `notifications/initialized`) into it before serving, so the request is answered exactly as
 *   before the eviction.
 * - `DELETE /mcp` closes the streams and deletes all storage.
 */

import { DurableObject } from 'cloudflare:workers'
import type { JSONRPCMessage, JSONRPCRequest } from '@modelcontextprotocol/sdk/types.js'
import {
  buildMcpServer,
  type McpServerDefinition,
  type SessionContext,
} from '../src/define-mcp-server'
import { negotiatedInitializeParams } from '../src/protocol/initialize-params'
import { allowsBatches, DEFAULT_ASSUMED_VERSION } from '../src/protocol/versions'
import { readSessionConfig } from '../src/session-config'
import type { MessageSink } from '../src/transports/message-sink'
import { SessionTransport } from '../src/transports/session-transport'
import { SESSION_ID_HEADER_OUT, type SessionKind } from '../src/types'
import { type LiveSession, startLiveSession } from './live-session'
import {
  alreadyInitialized,
  batchNotAllowed,
  differentTransport,
  malformedInitialize,
  sessionNotFound,
  sessionTerminated,
  streamConflict,
} from './session-errors'
import { SessionState } from './session-state'

/** What every call from the Worker carries besides its payload. */
export interface SessionCall {
  /** Name of the principal the Worker authenticated (`anonymous` without auth). */
  readonly principal: string
  /** The transport the request arrived on. */
  readonly kind: SessionKind
}

/** A `POST /mcp` or `POST /messages` after the Worker parsed and validated its body. */
export interface SessionPost extends SessionCall {
  readonly messages: JSONRPCMessage[]
  readonly batch: boolean
}

/** A `GET /sse`: a new session (`create`) or a reconnect to an existing one. */
export interface LegacyConnect extends SessionCall {
  /** The URI the client must POST its messages to (the `endpoint` event's data). */
  readonly endpoint: string
  readonly create: boolean
}

/**
 * Base class of the session object. Apps don't extend it by hand: {@link createSessionDO} binds it
 * to their server definition.
 */
export class SessionDO<Env = unknown> extends DurableObject<Env> {
  readonly #state: SessionState
  #live: Promise<LiveSession> | undefined

  constructor(ctx: DurableObjectState, env: Env) {
    super(ctx, env)
    this.#state = new SessionState(ctx.storage)
  }

  /** The app's server definition; supplied by {@link createSessionDO}. */
  protected get definition(): McpServerDefinition<Env> {
    throw new Error('SessionDO is bound to a server by createSessionDO(definition); export that')
  }

  /** The session id: the object's own id, as handed to the client. */
  get sessionId(): string {
    return this.ctx.id.toString()
  }

  /** Handles `POST /mcp`: its reply is JSON, an SSE stream, or 202 for notifications only. */
  async post(call: SessionPost): Promise<Response> {
    const first = call.messages[0]
    // The Worker already validated every message; a cheap look is enough here.
    if (call.messages.length === 1 && first && 'id' in first && 'method' in first) {
      if (first.method === 'initialize') return this.#initialize(call, first)
    }
    const rejected = this.#check(call)
    if (rejected) return rejected
    const version = this.#state.record?.protocolVersion ?? DEFAULT_ASSUMED_VERSION
    if (call.batch && !allowsBatches(version)) return batchNotAllowed(version)
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

  /** Handles `GET /mcp`: opens the session's standalone SSE stream. */
  async openStream(call: SessionCall): Promise<Response> {
    const rejected = this.#check(call)
    if (rejected) return rejected
    const live = await this.#ensureLive()
    const stream = live.openStandalone()
    if (stream === undefined) {
      return streamConflict('only one standalone SSE stream is allowed per session')
    }
    this.#state.touch(Date.now())
    return stream.toResponse(this.#sessionHeaders())
  }

  /** Handles `GET /sse`: starts a legacy session, or reconnects to one, and returns its stream. */
  async connectLegacy(call: LegacyConnect): Promise<Response> {
    if (call.create) {
      if (this.#state.record !== undefined) return sessionNotFound()
      const now = Date.now()
      this.#state.create({
        schema: 1,
        kind: call.kind,
        principal: call.principal,
        initialized: false,
        createdAt: now,
        lastSeenAt: now,
      })
    } else {
      const rejected = this.#check(call)
      if (rejected) return rejected
      this.#state.touch(Date.now())
    }
    const live = await this.#ensureLive()
    const stream = live.connectLegacy(call.endpoint)
    if (stream === undefined)
      return streamConflict('this session already has a connected SSE stream')
    return stream.toResponse()
  }

  /**
   * Handles `POST /messages`: accepts one message (202) whose replies go out on the session's
   * SSE stream.
   */
  async postLegacy(call: SessionPost): Promise<Response> {
    const rejected = this.#check(call)
    if (rejected) return rejected
    const [message] = call.messages
    // The Worker refuses batches on this transport; a single message is all that arrives.
    if (message === undefined) return sessionNotFound()
    const live = await this.#ensureLive()
    if (!live.legacyConnected) {
      return streamConflict(
        `no SSE stream is connected; reconnect with GET /sse?sessionId=${this.sessionId}`,
      )
    }
    if ('method' in message && 'id' in message && message.method === 'initialize') {
      const initializeParams = negotiatedInitializeParams(call.kind, message.params)
      if (initializeParams === undefined) return malformedInitialize()
      if (this.#state.record?.initializeParams !== undefined) return alreadyInitialized()
      this.#state.recordInitialize(initializeParams)
      live.transport.receive({ ...message, params: initializeParams }, live.legacySink)
    } else {
      this.#state.touch(Date.now())
      this.#receive(live, message, live.legacySink)
    }
    return new Response(null, { status: 202 })
  }

  /** Handles `DELETE /mcp`: closes the session's streams and deletes all its storage. */
  async end(call: SessionCall): Promise<Response> {
    const rejected = this.#check(call)
    if (rejected) return rejected
    const live = this.#live
    this.#live = undefined
    if (live !== undefined) await (await live).close(sessionTerminated)
    await this.#state.destroy()
    return new Response(null, { status: 200 })
  }

  /** Rejects a call for a session that doesn't exist, belongs to someone else, or is of another kind. */
  #check(call: SessionCall): Response | undefined {
    const record = this.#state.record
    // A session owned by another principal is answered exactly like an unknown one, so ids
    // can't be probed.
    if (record === undefined || record.principal !== call.principal) return sessionNotFound()
    if (record.kind !== call.kind) return differentTransport()
    return undefined
  }

  async #initialize(call: SessionPost, request: JSONRPCRequest): Promise<Response> {
    const initializeParams = negotiatedInitializeParams(call.kind, request.params)
    if (initializeParams === undefined) return malformedInitialize()
    if (this.#state.record !== undefined) return alreadyInitialized()
    const { protocolVersion } = initializeParams
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
    // A new object: the server is built here, and must see this initialize, not a replay of it.
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
   * The session's live server and transport, built on first use after the object starts; a
   * session that was initialized gets its stored `initialize` replayed first. Concurrent callers
   * share the same build, and nothing else runs in the object while it happens.
   */
  #ensureLive(replay = true): Promise<LiveSession> {
    this.#live ??= this.ctx.blockConcurrencyWhile(() => this.#build(replay))
    return this.#live
  }

  async #build(replay: boolean): Promise<LiveSession> {
    const record = this.#state.record
    const transport = new SessionTransport(this.sessionId)
    const context: SessionContext<Env> = {
      sessionId: this.sessionId,
      principal: { name: record?.principal ?? 'anonymous' },
      env: this.env,
      storage: this.#state.appStorage(),
    }
    const server = buildMcpServer(this.definition, context)
    const config = readSessionConfig(this.env)
    return startLiveSession(server, transport, config, replay ? record : undefined)
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
