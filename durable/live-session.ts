/**
 * @module
 * The in-memory half of a session: its `McpServer`, the transport, and the streams that are open
 * right now. Built when the object starts serving a session, rebuilt after eviction from the
 * session record (see `session-state.ts`), never the only copy of anything but open streams.
 */
import type { McpServer } from '@modelcontextprotocol/sdk/server/mcp.js'
import type { JSONRPCMessage, RequestId } from '@modelcontextprotocol/sdk/types.js'
import type { SessionConfig } from '../src/session-config'
import type { MessageSink } from '../src/transports/message-sink'
import { ReplyStream } from '../src/transports/reply-stream'
import type { SessionTransport } from '../src/transports/session-transport'
import { SSEStream } from '../src/transports/sse-stream'
import type { SessionRecord } from './session-state'

/** Id used to replay the stored `initialize` into a fresh server; its response is discarded. */
const REPLAY_INITIALIZE_ID = 'mcp-workers/replay-initialize'

/**
 * The one stream of a legacy (/sse) session, which carries every server message, responses
 * included. It outlives any single connection: a client that reconnects gets the same sink back,
 * so in-flight requests keep their route.
 */
class LegacySink implements MessageSink {
  stream: SSEStream | undefined
  readonly closed = false

  send(message: JSONRPCMessage): void {
    if (this.stream !== undefined && !this.stream.closed) void this.stream.send(message)
  }
}

/** A session's live server, transport and streams. */
export class LiveSession {
  readonly #replies = new Set<ReplyStream>()
  readonly #legacy = new LegacySink()
  #standalone: SSEStream | undefined

  constructor(
    readonly server: McpServer,
    readonly transport: SessionTransport,
    readonly config: SessionConfig,
  ) {}

  /** Starts the reply to a POST that carries the requests `requestIds`. */
  openReply(requestIds: RequestId[], batch: boolean, headers: Record<string, string>): ReplyStream {
    const reply = new ReplyStream(requestIds, {
      batch,
      headers,
      keepaliveMs: this.config.keepaliveMs,
      onDone: () => this.#replies.delete(reply),
    })
    this.#replies.add(reply)
    return reply
  }

  /** Opens the standalone stream of a Streamable HTTP session; undefined when one is open. */
  openStandalone(): SSEStream | undefined {
    if (this.#standalone !== undefined && !this.#standalone.closed) return undefined
    const stream = this.#openStream()
    this.#standalone = stream
    this.transport.setStandalone(stream)
    return stream
  }

  /** Whether a legacy session's SSE stream is connected right now. */
  get legacyConnected(): boolean {
    return this.#legacy.stream !== undefined && !this.#legacy.stream.closed
  }

  /** The sink every message of a legacy session goes to. */
  get legacySink(): MessageSink {
    return this.#legacy
  }

  /**
   * Connects a new legacy SSE stream; undefined when one is connected. Spec (2024-11-05): its
   * first event is `endpoint`, whose data is the URI the client POSTs its messages to.
   */
  connectLegacy(endpoint: string): SSEStream | undefined {
    if (this.legacyConnected) return undefined
    const stream = this.#openStream()
    void stream.writeEvent('endpoint', endpoint)
    this.#legacy.stream = stream
    this.transport.setStandalone(this.#legacy)
    return stream
  }

  /** Ends every open reply and stream and closes the server. */
  async close(gone: () => Response): Promise<void> {
    for (const reply of this.#replies) reply.abort(gone())
    this.#replies.clear()
    await Promise.all([this.#standalone?.close(), this.#legacy.stream?.close()])
    await this.server.close()
  }

  #openStream(): SSEStream {
    const stream = new SSEStream()
    stream.startKeepalive(this.config.keepaliveMs)
    return stream
  }
}

/** Connects `server` to `transport` and, for a session that was initialized, replays that. */
export async function startLiveSession(
  server: McpServer,
  transport: SessionTransport,
  config: SessionConfig,
  replay: SessionRecord | undefined,
): Promise<LiveSession> {
  await server.connect(transport)
  const live = new LiveSession(server, transport, config)
  if (replay?.initializeParams !== undefined) await replayInitialize(transport, replay)
  return live
}

/** Feeds the stored `initialize` (and `initialized`) to a fresh server, discarding its answer. */
async function replayInitialize(transport: SessionTransport, record: SessionRecord): Promise<void> {
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
