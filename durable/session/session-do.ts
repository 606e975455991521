/**
 * @module
 * SessionDO: the hub of one MCP session. The Worker's routes validate a request and call one of
 * its RPC methods with the parsed messages and the caller's principal (or, for a long-lived
 * stream, open a hibernatable WebSocket to it with `fetch`). It owns the session's
 * server, transport and connections (memory, `live-session.ts`) and its record, event log and
 * app data (storage, `session-state.ts`, `event-log.ts`).
 *
 * ## Lifecycle
 * - A session starts in a brand-new object (`newUniqueId()`): by `initialize` without a session
 *   id (/mcp), or by `GET /sse`, whose `initialize` arrives later through `POST /messages`.
 * - Any later request loads the record (404 when there is none) and, after an eviction, restart
 *   or redeploy, rebuilds the server from storage first, so it is answered as if nothing happened.
 * - The alarm ends a session idle for `SESSION_TTL_MS` (`SESSION_UNUSED_TTL_MS` while no request
 *   followed `initialize`) and prunes its event log; `DELETE /mcp` ends it at once.
 */

import { DurableObject } from 'cloudflare:workers'
import type { JSONRPCRequest } from '@modelcontextprotocol/server'
import type { McpServerDefinition } from '../../src/define-mcp-server'
import type { McpPlugin } from '../../src/plugins/plugin'
import { negotiatedInitializeParams } from '../../src/protocol/initialize-params'
import { allowsBatches, DEFAULT_ASSUMED_VERSION } from '../../src/protocol/versions'
import { readSessionConfig, type SessionConfig } from '../../src/session-config'
import { REQUEST_ID_HEADER_OUT, SESSION_ID_HEADER_OUT } from '../../src/types'
import { LiveSessionCache } from './boot/live-session-cache'
import type { EventLog } from './event-log/event-log'
import { cappedEventLog } from './event-log/log-caps'
import { ServerRequests } from './server-requests'
import { SessionAccess } from './session-access'
import { SessionAlarm } from './session-alarm'
import {
  type SessionCall,
  type SessionPost,
  type SessionReply,
  streamSocketCall,
} from './session-calls'
import {
  alreadyInitialized,
  batchNotAllowed,
  malformedInitialize,
  sessionNotFound,
  sessionTerminated,
} from './session-errors'
import { SessionState } from './session-state'
import { SessionStreams } from './session-streams'
import { Subscriptions } from './subscriptions'
import { emptyReply } from './transport/session-reply'
import { StreamSockets } from './transport/stream-sockets'

/**
 * Base class of the session object. Apps don't extend it by hand: {@link createSessionDO} binds it
 * to their server definition.
 */
export class SessionDO<Env = unknown> extends DurableObject<Env> {
  readonly #state: SessionState
  readonly #log: EventLog
  readonly #config: SessionConfig
  readonly #alarm: SessionAlarm
  readonly #requests: ServerRequests
  readonly #sockets: StreamSockets
  readonly #access: SessionAccess
  readonly #cache: LiveSessionCache<Env>
  readonly #subscriptions: Subscriptions
  readonly #streams: SessionStreams
  /** The session id: the object's own id, as handed to the client. */
  readonly sessionId: string

  constructor(ctx: DurableObjectState, env: Env) {
    super(ctx, env)
    this.sessionId = ctx.id.toString()
    this.#config = readSessionConfig(env)
    this.#state = new SessionState(ctx.storage)
    this.#alarm = new SessionAlarm(ctx.storage, this.#config.log.maxAgeMs)
    this.#log = cappedEventLog(ctx.storage.sql, this.#config.log, () => this.#alarm.pruneSoon())
    this.#requests = new ServerRequests(ctx.storage.sql, this.#log, this.#config.requestTimeoutMs)
    this.#sockets = new StreamSockets(ctx)
    this.#access = new SessionAccess(this.#state, this.#alarm, this.#config)
    this.#subscriptions = new Subscriptions(env, this.#state, this.sessionId)
    this.#cache = new LiveSessionCache({
      ctx,
      sessionId: this.sessionId,
      env,
      definition: () => this.definition,
      plugins: () => this.plugins,
      state: this.#state,
      log: this.#log,
      requests: this.#requests,
      alarm: this.#alarm,
      sockets: this.#sockets,
      config: this.#config,
      subscriptions: this.#subscriptions,
    })
    this.#streams = new SessionStreams({
      state: this.#state,
      log: this.#log,
      config: this.#config,
      access: this.#access,
      cache: this.#cache,
      sockets: this.#sockets,
      headers: (call) => this.#sessionHeaders(call),
    })
  }

  /** The app's server definition; supplied by {@link createSessionDO}. */
  protected get definition(): McpServerDefinition<Env> {
    throw new Error('SessionDO is bound to a server by createSessionDO(definition); export that')
  }

  /** The plugins whose session hooks run here; supplied by {@link createSessionDO}. */
  protected get plugins(): readonly McpPlugin[] {
    return []
  }

  /** Handles `POST /mcp`: its reply is JSON, an SSE stream, or 202 for notifications only. */
  async post(call: SessionPost): Promise<SessionReply> {
    // The Worker already validated every message (and that initialize comes alone).
    const [first] = call.messages
    if (first && 'method' in first && first.method === 'initialize' && 'id' in first) {
      return this.#initialize(call, first)
    }
    const rejected = this.#access.check(call)
    if (rejected) return rejected
    const version = this.#state.record?.protocolVersion ?? DEFAULT_ASSUMED_VERSION
    if (call.batch && !allowsBatches(version)) return batchNotAllowed(version)
    const live = await this.#cache.live()
    const refused = live.refuse(call.messages, call.principal, call.requestId)
    if (refused) return refused
    this.#access.touch()
    const requestIds = call.messages.flatMap((m) => ('method' in m && 'id' in m ? [m.id] : []))
    if (requestIds.length > 0) {
      const normal = call.messages.some((m) => 'id' in m && 'method' in m && m.method !== 'ping')
      this.#state.markUsed(Date.now(), normal)
    }
    if (requestIds.length === 0) {
      for (const message of call.messages) live.receive(message, this.#state)
      return emptyReply(202, this.#sessionHeaders(call))
    }
    const reply = live.openReply(requestIds, call.batch, this.#sessionHeaders(call))
    for (const message of call.messages) live.receive(message, this.#state, reply)
    return reply.response
  }

  /**
   * Opens a bridged stream's socket: the Worker holds the client's SSE response and
   * this object sends it events over a hibernatable WebSocket. Only the Worker calls this, with
   * a {@link streamSocketRequest}; the answer is 101 with the socket, or the client's answer.
   */
  override async fetch(request: Request): Promise<Response> {
    const call = streamSocketCall(request)
    if (call === undefined) return new Response('Not found', { status: 404 })
    return this.#streams.open(call)
  }

  /** A bridged stream's socket closed from the Worker's side: its client is gone. */
  override webSocketClose(socket: WebSocket): void {
    this.#sockets.closed(socket)
  }

  override webSocketError(socket: WebSocket): void {
    this.#sockets.closed(socket)
  }

  /** Handles `POST /messages`: one message, 202; replies go on the stream or wait in the log. */
  async postSse(call: SessionPost): Promise<SessionReply> {
    const rejected = this.#access.check(call)
    if (rejected) return rejected
    const [message] = call.messages
    // The Worker refuses batches on this transport; a single message is all that arrives.
    if (message === undefined) return sessionNotFound()
    const live = await this.#cache.live()
    const refused = live.refuse(call.messages, call.principal, call.requestId)
    if (refused) return refused
    this.#access.touch()
    const refusal = await live.postSse(message, this.#state, call.kind)
    if (refusal) return refusal
    return emptyReply(202, { [REQUEST_ID_HEADER_OUT]: call.requestId })
  }

  /**
   * {@link postSse}'s name in v0.1.0: a Worker of that release may still call it while a deploy
   * rolls out.
   * @deprecated Use {@link postSse}.
   */
  postLegacy(call: SessionPost): Promise<SessionReply> {
    return this.postSse(call)
  }

  /** Handles `DELETE /mcp`: closes the session's connections and deletes all its storage. */
  async end(call: SessionCall): Promise<Response> {
    const rejected = this.#access.check(call)
    if (rejected) return rejected
    await this.#destroy()
    return new Response(null, { status: 200 })
  }

  /**
   * Called by a resource's hub when it changed: a subscribed session sends
   * `notifications/resources/updated` (on its standalone stream, or into the log). False tells
   * the hub this session is gone or no longer listens.
   */
  async resourceUpdated(uri: string): Promise<boolean> {
    if (this.#state.record === undefined || !this.#state.subscribed(uri)) return false
    // A hibernated session woken just for this needn't build its server to pass it on.
    const sender = await this.#cache.transport()
    sender.notify({
      jsonrpc: '2.0',
      method: 'notifications/resources/updated',
      params: { uri },
    })
    return true
  }

  /**
   * Whether this session still listens to `uri` (a hub checking its subscribers asks); wakes no
   * server, sends nothing.
   */
  async subscribedTo(uri: string): Promise<boolean> {
    return this.#state.record !== undefined && this.#state.subscribed(uri)
  }

  /** Ends the session when it has been idle for the TTL; otherwise prunes its event log. */
  override async alarm(): Promise<void> {
    this.#alarm.forget()
    this.#state.reload()
    const record = this.#state.record
    if (record === undefined) return
    const live = await this.#cache.current
    const now = Date.now()
    // A client holding a stream open is not idle, even if it sends nothing.
    if (this.#sockets.connected || live?.connected) this.#state.touch(now, 0)
    const current = this.#state.record ?? record
    const lastSeen = current.lastSeenAt
    const ttl = this.#access.ttl(current)
    if (now - lastSeen >= ttl) {
      await this.#destroy()
      return
    }
    this.#log.prune(this.#config.log)
    this.#requests.expire()
    const expiresAt = lastSeen + ttl
    await this.#alarm.set(this.#alarm.next(now, expiresAt, this.#log.size().events > 0))
  }

  async #initialize(call: SessionPost, request: JSONRPCRequest): Promise<SessionReply> {
    const initializeParams = negotiatedInitializeParams(call.kind, request.params)
    if (initializeParams === undefined) return malformedInitialize()
    if (this.#state.record !== undefined) return alreadyInitialized()
    this.#access.open(call, initializeParams)
    // A new object: the server is built here, and must see this initialize, not a replay of it.
    const live = await this.#cache.live(false)
    const refused = live.refuse(call.messages, call.principal, call.requestId)
    if (refused) {
      await this.#destroy()
      return refused
    }
    const reply = live.openReply([request.id], false, this.#sessionHeaders(call))
    live.transport.receive({ ...request, params: initializeParams }, reply)
    return reply.response
  }

  /** Headers of a response built here: with the request id, so the Worker needn't copy it in. */
  #sessionHeaders(call: SessionCall): Record<string, string> {
    return { [SESSION_ID_HEADER_OUT]: this.sessionId, [REQUEST_ID_HEADER_OUT]: call.requestId }
  }

  async #destroy(): Promise<void> {
    // Before anything is awaited: a call that arrives meanwhile finds no session, and a
    // subscribe still joining its hub is left with the rest.
    this.#state.end()
    const live = this.#cache.drop()
    if (live !== undefined) await (await live).close(sessionTerminated)
    this.#sockets.closeAll()
    await this.#subscriptions.leaveAll()
    await this.#state.destroy()
    this.#subscriptions.reset()
    this.#log.reset()
    this.#alarm.forget()
  }
}
