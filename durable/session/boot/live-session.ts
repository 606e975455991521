/**
 * @module
 * The in-memory half of a session: its `McpServer`, the transport (`session-channels.ts`), and the
 * logical streams with whatever connections are attached right now. Built when the object starts
 * serving a session, rebuilt after eviction from the session record and the event log; never the
 * only copy of anything but open connections.
 */
import { LoggingLevelSchema } from '@modelcontextprotocol/core'
import type {
  InitializeRequest,
  JSONRPCMessage,
  LoggingLevel,
  McpServer,
  RequestId,
} from '@modelcontextprotocol/server'
import { negotiatedInitializeParams } from '../../../src/protocol/initialize-params'
import { jsonRpcErrorResponse } from '../../../src/protocol/json-rpc-error'
import type { SessionConfig } from '../../../src/session-config'
import { SSEStream } from '../../../src/sse/sse-stream'
import type { Principal, SessionKind } from '../../../src/types'
import { formatEventId, SSE_STREAM, STANDALONE_STREAM } from '../event-log/event-journal'
import type { EventLog } from '../event-log/event-log'
import { alreadyInitialized, malformedInitialize, requestIdInUse } from '../session-errors'
import type { SessionHookRunner } from '../session-hooks'
import type { SessionRecord } from '../session-state'
import type { JournaledStream } from '../transport/journaled-stream'
import { type MessageSink, onSuccess } from '../transport/message-sink'
import { ReplyStream } from '../transport/reply-stream'
import type { ResponseLimit } from '../transport/response-limit'
import type { SessionTransport } from '../transport/session-transport'
import { type SsePendingRequest, SsePendingRequests } from '../transport/sse-pending-requests'
import { StreamAfter } from '../transport/stream-after'
import type { SessionChannels } from './session-channels'

/** The parts of the session record that incoming messages update. */
export interface RecordKeeper {
  markInitialized(): void
  setLogLevel(level: LoggingLevel): void
}

/** What a `POST /messages` updates in the session record, besides a {@link RecordKeeper}'s. */
export interface SseRecordKeeper extends RecordKeeper {
  readonly record: { readonly initializeParams?: unknown } | undefined
  recordInitialize(params: InitializeRequest['params']): void
  markUsed(now: number, normalOperation: boolean): void
}

/** A session's live server, transport and streams. */
export class LiveSession {
  readonly #replies = new Set<ReplyStream>()
  readonly #standalone: JournaledStream
  readonly #sseStream: JournaledStream
  readonly #ssePending: SsePendingRequests
  readonly #limit: ResponseLimit
  readonly #primeRetryMs: number | undefined
  /** Primed sessions only: a reply still waiting after `sseAfterMs` becomes a resumable stream. */
  readonly #streamAfter: StreamAfter | undefined

  readonly transport: SessionTransport
  readonly hooks: SessionHookRunner

  constructor(
    readonly server: McpServer,
    channels: SessionChannels,
    readonly log: EventLog,
    readonly config: SessionConfig,
    record: SessionRecord,
  ) {
    this.transport = channels.transport
    this.hooks = channels.hooks
    this.#standalone = channels.standalone
    this.#sseStream = channels.sseStream
    this.#limit = channels.limit
    this.#ssePending = new SsePendingRequests(log, this.#sseStream, config.sseLogDelayMs)
    // Spec 2025-11-25: priming events; older clients may choke on an event with empty data.
    this.#primeRetryMs =
      record.kind === 'streamable-http' && (record.protocolVersion ?? '') >= '2025-11-25'
        ? config.retryMs
        : undefined
    this.#streamAfter =
      this.#primeRetryMs === undefined ? undefined : new StreamAfter(config.sseAfterMs)
  }

  /**
   * Refuses one HTTP request's messages, if need be: a request whose id one still in flight has
   * (400, so neither hangs), or a refusal by the plugins' `onIncoming` hooks. The refusal is the
   * HTTP answer to the whole request, and none of its messages is processed.
   */
  refuse(
    messages: readonly JSONRPCMessage[],
    principal: Principal,
    requestId: string,
  ): Response | undefined {
    const busy = this.#inFlight(messages)
    if (busy !== undefined) return requestIdInUse(busy)
    const refusal = this.hooks.incoming(messages, principal, requestId)
    if (refusal === undefined) return undefined
    return jsonRpcErrorResponse(refusal.status, refusal.code, refusal.message, refusal.headers)
  }

  /**
   * Hands one client message to the server (a request's replies go to `reply`), keeping the
   * session record in step: `initialized`, and a log level once the server accepted it. A
   * cancellation also ends the cancelled request's reply, since no response will come.
   */
  receive(message: JSONRPCMessage, record: RecordKeeper, reply?: MessageSink): void {
    if (!('method' in message)) {
      this.transport.receive(message)
      return
    }
    if (message.method === 'notifications/initialized') record.markInitialized()
    if (!('id' in message)) {
      this.transport.receive(message)
      const cancelled =
        message.method === 'notifications/cancelled' ? message.params?.requestId : undefined
      if (typeof cancelled === 'string' || typeof cancelled === 'number')
        this.transport.cancel(cancelled)
      return
    }
    let sink = reply
    if (sink !== undefined && message.method === 'logging/setLevel') {
      const level = LoggingLevelSchema.safeParse(message.params?.level)
      // Kept only once the server accepted it (a server without logging answers -32601).
      if (level.success) sink = onSuccess(sink, () => record.setLogLevel(level.data))
    }
    this.transport.receive(message, sink)
  }

  /** The first request of `messages` whose id a request still in flight already has. */
  #inFlight(messages: readonly JSONRPCMessage[]): RequestId | undefined {
    for (const message of messages) {
      if ('method' in message && 'id' in message && this.transport.sinkFor(message.id)) {
        return message.id
      }
    }
    return undefined
  }

  /**
   * Hands the message of one `POST /messages` to the server: an `initialize` is recorded (with
   * the negotiated version) first; a request's reply goes on the HTTP+SSE stream, or into the log,
   * and resolves once it is kept (see `SsePendingRequests`). Resolves with a refusal, if any.
   */
  async postSse(
    message: JSONRPCMessage,
    record: SseRecordKeeper,
    kind: SessionKind,
  ): Promise<Response | undefined> {
    if (!('method' in message && 'id' in message)) {
      this.receive(message, record)
      return undefined
    }
    let request: SsePendingRequest
    if (message.method === 'initialize') {
      const initializeParams = negotiatedInitializeParams(kind, message.params)
      if (initializeParams === undefined) return malformedInitialize()
      if (record.record?.initializeParams !== undefined) return alreadyInitialized()
      record.recordInitialize(initializeParams)
      request = this.ssePendingRequest(message.id)
      this.transport.receive({ ...message, params: initializeParams }, request.sink)
    } else {
      record.markUsed(Date.now(), message.method !== 'ping')
      request = this.ssePendingRequest(message.id)
      this.receive(message, record, request.sink)
    }
    await request.keep()
    return undefined
  }

  /** Starts the reply to a POST that carries the requests `requestIds`. */
  openReply(requestIds: RequestId[], batch: boolean, headers: Record<string, string>): ReplyStream {
    const reply = new ReplyStream(requestIds, {
      journal: this.log,
      batch,
      limit: this.#limit,
      maxBytes: this.config.maxReplyBytes,
      headers,
      keepaliveMs: this.config.keepaliveMs,
      primeRetryMs: this.#primeRetryMs,
      maxConnectionMs: this.config.streamMaxMs > 0 ? this.config.streamMaxMs : undefined,
      onDone: () => this.#replies.delete(reply),
    })
    this.#replies.add(reply)
    this.#streamAfter?.watch(reply)
    return reply
  }

  /**
   * Opens the standalone stream (`GET /mcp`) on `connection`, replaying after `resumeFrom` when
   * resuming. A connection the stream still has is dropped: the newest one wins. A bridge's
   * `reconnect` is not primed again.
   */
  openStandalone(connection: SSEStream, resumeFrom?: number, reconnect = false): void {
    this.#standalone.attach(connection, {
      primeRetryMs: reconnect ? undefined : this.#primeRetryMs,
      resumeFrom,
      replay: resumeFrom === undefined ? [] : this.log.eventsAfter(STANDALONE_STREAM, resumeFrom),
      mark: true,
    })
  }

  /**
   * Resumes a POST's reply stream after `resumeFrom`: while the request runs, the connection
   * then stays attached (taking over from one still attached) and gets the rest live; a
   * finished stream is replayed and closed.
   */
  resumeReply(streamId: string, resumeFrom: number): SSEStream {
    const replay = this.log.eventsAfter(streamId, resumeFrom)
    const connection = this.#connection()
    const live = [...this.#replies].find((reply) => reply.streamId === streamId)
    if (live?.resume(connection, replay, resumeFrom)) return connection
    if (this.#primeRetryMs !== undefined) {
      void connection.prime(formatEventId(streamId, resumeFrom), this.#primeRetryMs)
    }
    let last: Promise<void> = Promise.resolve()
    for (const event of replay) last = connection.send(event.message, event.id)
    void last.then(() => {
      if (!connection.closed) this.log.markDelivered(streamId)
      return connection.close()
    })
    return connection
  }

  /** Ends the connection carrying request `id`'s reply early (see `ReplyStream.dropConnection`). */
  closeStream(id: RequestId): boolean {
    const sink = this.transport.sinkFor(id)
    return sink instanceof ReplyStream && sink.dropConnection()
  }

  /** Registers an HTTP+SSE session's request: where its replies go (its one stream), and more. */
  ssePendingRequest(requestId: RequestId): SsePendingRequest {
    return this.#ssePending.open(requestId)
  }

  /** Logs what the HTTP+SSE stream's connection was sent but has not logged yet (group commit). */
  flushSse(): void {
    this.#sseStream.flush()
  }

  /**
   * Connects an HTTP+SSE stream on `connection`. Spec (2024-11-05): its first event is
   * `endpoint`, whose data is the URI the client POSTs to (not again on a bridge's `reconnect`).
   * A reconnect with `resumeFrom` then gets the events it missed; one that finds the stream
   * still connected takes it over.
   */
  connectSse(
    connection: SSEStream,
    endpoint: string,
    resumeFrom?: number,
    reconnect = false,
  ): void {
    // What the old connection was sent but not logged yet must be in the replay.
    this.#sseStream.flush()
    if (!reconnect) void connection.writeEvent('endpoint', endpoint)
    const replay = resumeFrom === undefined ? [] : this.log.eventsAfter(SSE_STREAM, resumeFrom)
    this.#sseStream.attach(connection, { replay, mark: true })
  }

  /** Whether any client connection is attached (an idle session with one is not idle). */
  get connected(): boolean {
    return (
      this.#standalone.connected ||
      this.#sseStream.connected ||
      [...this.#replies].some((reply) => reply.streamId !== undefined)
    )
  }

  /** Ends every open reply and connection and closes the server. */
  async close(gone: () => Response): Promise<void> {
    this.#streamAfter?.stop()
    this.#ssePending.stop()
    for (const reply of this.#replies) reply.abort(gone())
    this.#replies.clear()
    await Promise.all([this.#standalone.connection?.close(), this.#sseStream.connection?.close()])
    await this.server.close()
  }

  /** A new connection the object serves itself (a reply stream's resume). */
  #connection(): SSEStream {
    const connection = new SSEStream()
    connection.startKeepalive(this.config.keepaliveMs)
    return connection
  }
}
