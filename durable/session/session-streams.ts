/**
 * @module
 * A session's long-lived streams, as the object opens them for the Worker: `GET /mcp` (the
 * standalone stream, or a resume of any of its streams) and `GET /sse` (an HTTP+SSE session's
 * one stream). The Worker holds the client's SSE response; the object sends events over a
 * hibernatable WebSocket (`transport/stream-sockets.ts`).
 */
import type { SessionConfig } from '../../src/session-config'
import { framingFor } from '../../src/sse/bridge-frames'
import { REQUEST_ID_HEADER_OUT } from '../../src/types'
import type { LiveSessionCache } from './boot/live-session-cache'
import { SSE_STREAM, STANDALONE_STREAM } from './event-log/event-journal'
import type { EventLog } from './event-log/event-log'
import { replayGap, resumePoint } from './event-log/replay'
import type { SessionAccess } from './session-access'
import type { SessionCall, SseConnect, StreamOpen, StreamSocketCall } from './session-calls'
import { sessionNotFound } from './session-errors'
import type { SessionState } from './session-state'
import { type StreamSockets, socketResponse } from './transport/stream-sockets'

/** What opening a session's streams takes of its object. */
export interface SessionStreamsParts {
  readonly state: SessionState
  readonly log: EventLog
  readonly config: SessionConfig
  readonly access: SessionAccess
  readonly cache: LiveSessionCache<unknown>
  readonly sockets: StreamSockets
  /** The headers of a response the object builds for `call`. */
  readonly headers: (call: SessionCall) => Record<string, string>
}

/** Opens the bridged streams of one session object. */
export class SessionStreams {
  readonly #parts: SessionStreamsParts

  constructor(parts: SessionStreamsParts) {
    this.#parts = parts
  }

  /** Opens what a socket request's call asks for (`'legacy'` on the wire is HTTP+SSE's stream). */
  open(call: StreamSocketCall): Promise<Response> {
    return call.stream === 'legacy' ? this.#connectSse(call) : this.#openStream(call)
  }

  /**
   * `GET /mcp`: the standalone stream or, with `Last-Event-ID`, a resume of the stream that id
   * names (the standalone one, bridged; or a POST's, which this object serves itself).
   */
  async #openStream(call: StreamOpen): Promise<Response> {
    const rejected = this.#parts.access.check(call)
    if (rejected) return rejected
    const resume = resumePoint(this.#parts.log, call.lastEventId, [STANDALONE_STREAM, 'reply'])
    if (resume instanceof Response) return resume
    const live = await this.#parts.cache.live()
    const gap = replayGap(this.#parts.log, resume)
    if (gap) return gap
    this.#parts.access.touch()
    if (resume !== undefined && resume.streamId !== STANDALONE_STREAM) {
      return live.resumeReply(resume.streamId, resume.seq).toResponse(this.#parts.headers(call))
    }
    const framing = framingFor(call.framing)
    const { connection, client } = this.#parts.sockets.accept(STANDALONE_STREAM, framing)
    live.openStandalone(connection, resume?.seq, call.reconnect)
    return socketResponse(client, this.#parts.headers(call), framing)
  }

  /** `GET /sse`: starts an HTTP+SSE session, or reconnects (and resumes) one; always bridged. */
  async #connectSse(call: SseConnect): Promise<Response> {
    if (call.create) {
      if (this.#parts.state.record !== undefined) return sessionNotFound()
      this.#parts.access.open(call)
    } else {
      const rejected = this.#parts.access.check(call)
      if (rejected) return rejected
      this.#parts.access.touch()
    }
    const resume = resumePoint(this.#parts.log, call.lastEventId, [SSE_STREAM])
    if (resume instanceof Response) return resume
    const live = await this.#parts.cache.live()
    live.flushSse()
    const gap = replayGap(this.#parts.log, resume)
    if (gap) return gap
    const framing = framingFor(call.framing)
    const { connection, client } = this.#parts.sockets.accept(
      SSE_STREAM,
      framing,
      this.#parts.config.progressGapMs,
    )
    live.connectSse(connection, call.endpoint, resume?.seq, call.reconnect)
    return socketResponse(client, { [REQUEST_ID_HEADER_OUT]: call.requestId }, framing)
  }
}
