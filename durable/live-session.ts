/**
 * @module
 * The in-memory half of a session: its `McpServer`, the transport, and the logical streams with
 * whatever connections are attached right now. Built when the object starts serving a session,
 * rebuilt after eviction from the session record and the event log; never the only copy of
 * anything but open connections.
 */
import type { McpServer } from '@modelcontextprotocol/sdk/server/mcp.js'
import {
  type JSONRPCMessage,
  type LoggingLevel,
  LoggingLevelSchema,
  type RequestId,
} from '@modelcontextprotocol/sdk/types.js'
import { jsonRpcError, jsonRpcErrorResponse, RPC_ERROR } from '../src/protocol/json-rpc-error'
import type { SessionConfig } from '../src/session-config'
import { formatEventId, LEGACY_STREAM, STANDALONE_STREAM } from '../src/transports/event-journal'
import { JournaledStream } from '../src/transports/journaled-stream'
import { type MessageSink, onSuccess } from '../src/transports/message-sink'
import { ReplyStream } from '../src/transports/reply-stream'
import type { SessionTransport } from '../src/transports/session-transport'
import { SSEStream } from '../src/transports/sse-stream'
import { StreamAfter } from '../src/transports/stream-after'
import type { Principal } from '../src/types'
import type { EventLog } from './event-log'
import { type LegacyRequest, LegacyRequests } from './legacy-requests'
import { requestIdInUse } from './session-errors'
import type { SessionHookRunner } from './session-hooks'
import type { SessionRecord } from './session-state'

/** The error a request gets when the object restarted before it finished. */
const INTERRUPTED = 'Request interrupted: the server restarted before it finished; please retry'

/** Id used to replay stored requests into a fresh server; their responses are discarded. */
const REPLAY_ID = 'mcp-workers/replay'

/** The parts of the session record that incoming messages update. */
export interface RecordKeeper {
  markInitialized(): void
  setLogLevel(level: LoggingLevel): void
}

/** A session's live server, transport and streams. */
export class LiveSession {
  readonly #replies = new Set<ReplyStream>()
  readonly #standalone: JournaledStream
  readonly #legacy: JournaledStream
  readonly #legacyRequests: LegacyRequests
  readonly #primeRetryMs: number | undefined
  /** Primed sessions only: a reply still waiting after `sseAfterMs` becomes a resumable stream. */
  readonly #streamAfter: StreamAfter | undefined

  constructor(
    readonly server: McpServer,
    readonly transport: SessionTransport,
    readonly hooks: SessionHookRunner,
    readonly log: EventLog,
    readonly config: SessionConfig,
    record: SessionRecord,
  ) {
    this.#standalone = new JournaledStream(STANDALONE_STREAM, log)
    // 2024-11-05 defines no resumption, so what a connected client is sent is group-committed
    // (config.legacyLogDelayMs) rather than logged one commit per event.
    this.#legacy = new JournaledStream(LEGACY_STREAM, log, {
      logWithinMs: config.legacyLogDelayMs,
    })
    this.#legacyRequests = new LegacyRequests(log, this.#legacy, config.legacyLogDelayMs)
    // Every message that relates to no request goes to the session's one unrelated stream, and
    // waits in the log when no client is connected to it.
    transport.setStandalone(record.kind === 'sse' ? this.#legacy : this.#standalone)
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

  /** Starts the reply to a POST that carries the requests `requestIds`. */
  openReply(requestIds: RequestId[], batch: boolean, headers: Record<string, string>): ReplyStream {
    const reply = new ReplyStream(requestIds, {
      journal: this.log,
      batch,
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
   * Opens the standalone stream (`GET /mcp`), replaying after `resumeFrom` when resuming. A
   * connection the stream still has is dropped: the newest one wins.
   */
  openStandalone(resumeFrom?: number): SSEStream {
    const connection = this.#connection()
    this.#standalone.attach(connection, {
      primeRetryMs: this.#primeRetryMs,
      resumeFrom,
      replay: resumeFrom === undefined ? [] : this.log.eventsAfter(STANDALONE_STREAM, resumeFrom),
    })
    return connection
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

  /** Registers a legacy session's request: where its replies go (its one stream), and more. */
  legacyRequest(requestId: RequestId): LegacyRequest {
    return this.#legacyRequests.open(requestId)
  }

  /**
   * Connects a legacy SSE stream. Spec (2024-11-05): its first event is `endpoint`, whose data is
   * the URI the client POSTs to. A reconnect with `resumeFrom` then gets the events it missed;
   * one that finds the stream still connected takes it over.
   */
  connectLegacy(endpoint: string, resumeFrom?: number): SSEStream {
    // What the old connection was sent but not logged yet must be in the replay.
    this.#legacy.flush()
    const connection = this.#connection(this.config.progressGapMs)
    void connection.writeEvent('endpoint', endpoint)
    const replay = resumeFrom === undefined ? [] : this.log.eventsAfter(LEGACY_STREAM, resumeFrom)
    this.#legacy.attach(connection, { replay })
    return connection
  }

  /** Whether any client connection is attached (an idle session with one is not idle). */
  get connected(): boolean {
    return (
      this.#standalone.connected ||
      this.#legacy.connected ||
      [...this.#replies].some((reply) => reply.streamId !== undefined)
    )
  }

  /** Ends every open reply and connection and closes the server. */
  async close(gone: () => Response): Promise<void> {
    this.#streamAfter?.stop()
    this.#legacyRequests.stop()
    for (const reply of this.#replies) reply.abort(gone())
    this.#replies.clear()
    await Promise.all([this.#standalone.connection?.close(), this.#legacy.connection?.close()])
    await this.server.close()
  }

  /** A new client connection; legacy ones keep responses apart from progress (`gapMs`). */
  #connection(progressGapMs = 0): SSEStream {
    const connection = new SSEStream({ progressGapMs })
    connection.startKeepalive(this.config.keepaliveMs)
    return connection
  }
}

/**
 * Connects `server` to `transport` and, for a session that existed before this object instance,
 * restores what the server keeps only in memory by replaying the stored requests (`initialize`,
 * `notifications/initialized`, `logging/setLevel`), and answers every request the previous
 * instance left without a response with an error, so no client waits for it forever.
 */
export async function startLiveSession(
  server: McpServer,
  transport: SessionTransport,
  hooks: SessionHookRunner,
  log: EventLog,
  config: SessionConfig,
  record: SessionRecord,
  restore: boolean,
): Promise<LiveSession> {
  await server.connect(transport)
  const live = new LiveSession(server, transport, hooks, log, config, record)
  if (!restore) return live
  if (record.initializeParams !== undefined) {
    await replay(transport, 'initialize', record.initializeParams)
    if (record.initialized)
      transport.receive({ jsonrpc: '2.0', method: 'notifications/initialized' })
  }
  if (record.logLevel !== undefined) {
    await replay(transport, 'logging/setLevel', { level: record.logLevel })
  }
  for (const { id, missing } of log.interruptedStreams()) {
    for (const requestId of missing) {
      log.append(id, {
        jsonrpc: '2.0',
        id: requestId,
        error: jsonRpcError(RPC_ERROR.internalError, INTERRUPTED).error,
      })
    }
    log.finishStream(id)
  }
  return live
}

/** Feeds one stored request to a fresh server and waits for (and discards) its answer. */
async function replay(
  transport: SessionTransport,
  method: string,
  params: Record<string, unknown>,
): Promise<void> {
  let done!: () => void
  const answered = new Promise<void>((resolve) => {
    done = resolve
  })
  const sink: MessageSink = { closed: false, send: () => done() }
  transport.receive({ jsonrpc: '2.0', id: REPLAY_ID, method, params }, sink)
  await answered
}
