/**
 * @module
 * A session's event log, in its Durable Object's SQLite storage (tables: `event-log-schema.ts`):
 * every message that goes on an SSE stream is appended here, so a client that lost its
 * connection (or a server that restarted) can replay it with `Last-Event-ID`.
 *
 * ## Lifecycle
 * - An event is appended in the same synchronous turn as its send, so the log order is the send
 *   order, except on HTTP+SSE streams, which group-commit what a connection carried
 *   (`JournaledStream`): those take the seq they were sent with ({@link EventLog.allocate}).
 * - {@link EventLog.prune} (from the object's alarm, and from `LogCaps` as events are appended)
 *   drops events of delivered reply streams, events older than the age cap, then the oldest
 *   events beyond the count and byte caps, down to the newest alone if need be, and that one too
 *   when it alone is over the byte cap. Sizes are UTF-8 bytes.
 * - What a cap drops leaves a gap in its stream, and the log remembers the newest seq of each
 *   gap ({@link EventLog.prunedAfter}): a client resuming from before it is refused, never
 *   replayed the rest as if nothing were missing.
 * - A reply stream still `open`, or a HTTP+SSE request still in flight, when the object starts
 *   again lost its request with the old instance; {@link EventLog.interruptedStreams} lists them
 *   so each gets an error response.
 * - Everything goes with the session's `deleteAll()`.
 */
import type { JSONRPCMessage, RequestId } from '@modelcontextprotocol/server'
import { utf8Length } from '../../../src/utf8-length'
import {
  type EventJournal,
  formatEventId,
  type JournalEvent,
  SSE_STREAM,
  STANDALONE_STREAM,
} from './event-journal'
import {
  type EventLogLimits,
  GAPS,
  gapKey,
  INFLIGHT,
  type InterruptedStream,
  SCHEMA,
  type StreamState,
} from './event-log-schema'
import { interruptedStreams } from './interrupted-streams'
import { logSize, pruneEvents } from './prune-events'

/** How many seqs {@link EventLog.allocate} reserves at a time. */
const SEQ_BLOCK = 1024

/** The event log of one session, over its SQLite storage. */
export class EventLog implements EventJournal {
  readonly #sql: SqlStorage
  readonly #now: () => number
  /** The last seq issued, once loaded. */
  #seq: number | undefined
  /** Seqs up to this one are reserved in storage by this instance (see `allocate`). */
  #reserved = 0
  /** Standalone/HTTP+SSE stream rows known to exist, so appends don't re-insert them. */
  readonly #known = new Set<string>()
  #ready = false

  readonly #onAppend: ((bytes: number) => void) | undefined

  /** @param onAppend Called after every append, with its size (pruning, caps). */
  constructor(sql: SqlStorage, onAppend?: (bytes: number) => void, now: () => number = Date.now) {
    this.#sql = sql
    this.#onAppend = onAppend
    this.#now = now
  }

  /** Forgets what it knew of the tables (after the session's storage was deleted). */
  reset(): void {
    this.#ready = false
    this.#seq = undefined
    this.#reserved = 0
    this.#known.clear()
  }

  openReplyStream(requestIds: readonly RequestId[]): string {
    const id = `p${this.#next('stream')}`
    this.#insertStream(id, 'reply', requestIds)
    return id
  }

  append(
    streamId: string,
    message: JSONRPCMessage,
    seq = this.#issue(),
    text = JSON.stringify(message),
  ): string {
    this.#ensureStream(streamId)
    const bytes = utf8Length(text)
    this.#sql.exec(
      'INSERT INTO mcp_events (seq, stream, message, bytes, at) VALUES (?, ?, ?, ?, ?)',
      seq,
      streamId,
      text,
      bytes,
      this.#now(),
    )
    this.#onAppend?.(bytes)
    return formatEventId(streamId, seq)
  }

  allocate(streamId: string): number {
    this.#ensureStream(streamId)
    const seq = this.#issue()
    // Its event is logged later, or lost in a crash: seqs are reserved ahead, a block per write.
    if (seq > this.#reserved) {
      this.#reserved = seq + SEQ_BLOCK
      this.#raiseSeqMark(this.#reserved)
    }
    return seq
  }

  finishStream(streamId: string): void {
    this.#setState(streamId, 'finished')
  }

  markDelivered(streamId: string): void {
    this.#setState(streamId, 'delivered')
  }

  primingId(streamId: string): string {
    this.#ensureStream(streamId)
    return formatEventId(streamId, this.#lastSeq())
  }

  /** Whether `seq` could be an event id this session issued (not in the future). */
  issued(seq: number): boolean {
    return seq <= this.#lastSeq()
  }

  /** Whether `streamId` is a stream of this session, and its state. */
  streamState(streamId: string): StreamState | undefined {
    if (!this.#readable()) return undefined
    const row = this.#sql
      .exec<{ state: string }>('SELECT state FROM mcp_streams WHERE id = ?', streamId)
      .toArray()[0]
    return row?.state as StreamState | undefined
  }

  /** Whether a cap dropped events of `streamId` after `seq` (a replay from there has a gap). */
  prunedAfter(streamId: string, seq: number): boolean {
    if (!this.#readable()) return false
    const row = this.#sql.exec<{ value: number }>(GAPS.read, gapKey(streamId)).toArray()[0]
    return row !== undefined && row.value > seq
  }

  /** The events of `streamId` after `seq`, in order. */
  eventsAfter(streamId: string, seq: number): JournalEvent[] {
    if (!this.#readable()) return []
    return this.#sql
      .exec<{ seq: number; message: string }>(
        'SELECT seq, message FROM mcp_events WHERE stream = ? AND seq > ? ORDER BY seq',
        streamId,
        seq,
      )
      .toArray()
      .map((row) => ({
        id: formatEventId(streamId, row.seq),
        message: JSON.parse(row.message) as JSONRPCMessage,
      }))
  }

  /** Records a request whose response will go on the (long-lived) `streamId`. */
  track(streamId: string, requestId: RequestId): void {
    this.#init()
    this.#sql.exec(INFLIGHT.track, streamId, JSON.stringify(requestId))
  }

  /** Records that the response to a tracked request went out. */
  settle(streamId: string, requestId: RequestId): void {
    this.#init()
    this.#sql.exec(INFLIGHT.settle, streamId, JSON.stringify(requestId))
  }

  /**
   * Streams left with unanswered requests by a previous instance: open reply streams, and the
   * tracked requests of long-lived streams (which are forgotten here: the caller answers them).
   */
  interruptedStreams(): InterruptedStream[] {
    return this.#readable() ? interruptedStreams(this.#sql, this) : []
  }

  /** Allocates the next id for a server→client request; never reused within the session. */
  nextRequestId(): number {
    return this.#next('request')
  }

  /** Number of events and their total size. */
  size(): { events: number; bytes: number } {
    return this.#readable() ? logSize(this.#sql) : { events: 0, bytes: 0 }
  }

  /**
   * Applies the caps, keeping at most `fill` of the count and byte caps (`LogCaps` prunes to
   * 90 %, so a full log is not pruned on every append); an event alone over the byte cap itself
   * is never kept. Returns how many events were dropped.
   */
  prune(limits: EventLogLimits, fill = 1): number {
    if (!this.#readable()) return 0
    this.#raiseSeqMark(this.#lastSeq())
    return pruneEvents(this.#sql, limits, fill, this.#now())
  }

  /** Creates the tables (before a write). */
  #init(): void {
    if (this.#ready) return
    this.#sql.exec(SCHEMA)
    this.#ready = true
  }

  /** Whether the tables exist; a read never creates them, so a refused request writes nothing. */
  #readable(): boolean {
    if (!this.#ready) {
      this.#ready =
        this.#sql
          .exec("SELECT 1 FROM sqlite_master WHERE type = 'table' AND name = 'mcp_meta'")
          .toArray().length > 0
    }
    return this.#ready
  }

  #next(counter: 'stream' | 'request'): number {
    this.#init()
    return this.#sql
      .exec<{ value: number }>(
        `INSERT INTO mcp_meta (key, value) VALUES (?, 1)
         ON CONFLICT (key) DO UPDATE SET value = value + 1 RETURNING value`,
        counter,
      )
      .one().value
  }

  /**
   * The next seq. The counter lives in memory (loaded once): one statement per event, not two.
   * Its high-water mark is written before pruning, so a seq is never reused even if every event
   * is gone.
   */
  #issue(): number {
    this.#seq = this.#lastSeq() + 1
    return this.#seq
  }

  /** Raises the stored seq high-water mark to at least `seq`. */
  #raiseSeqMark(seq: number): void {
    this.#init()
    this.#sql.exec(
      'INSERT INTO mcp_meta (key, value) VALUES (?, ?) ON CONFLICT (key) DO UPDATE SET value = MAX(value, excluded.value)',
      'seq',
      seq,
    )
  }

  /** The last seq issued: max of the stored high-water mark and the newest event. */
  #lastSeq(): number {
    if (this.#seq !== undefined) return this.#seq
    if (!this.#readable()) return 0
    const row = this.#sql
      .exec<{ seq: number }>(
        "SELECT MAX(COALESCE((SELECT value FROM mcp_meta WHERE key = 'seq'), 0), COALESCE((SELECT MAX(seq) FROM mcp_events), 0)) AS seq",
      )
      .one()
    this.#seq = row.seq
    return row.seq
  }

  /** Creates the row of a standalone or HTTP+SSE stream the first time it is used. */
  #ensureStream(streamId: string): void {
    if (this.#known.has(streamId)) return
    if (streamId !== STANDALONE_STREAM && streamId !== SSE_STREAM) return
    this.#known.add(streamId)
    this.#insertStream(streamId, streamId, [])
  }

  #insertStream(id: string, kind: string, requestIds: readonly RequestId[]): void {
    this.#init()
    this.#sql.exec(
      "INSERT OR IGNORE INTO mcp_streams (id, kind, state, request_ids, created_at) VALUES (?, ?, 'open', ?, ?)",
      id,
      kind,
      JSON.stringify(requestIds),
      this.#now(),
    )
  }

  #setState(streamId: string, state: StreamState): void {
    this.#init()
    this.#sql.exec('UPDATE mcp_streams SET state = ? WHERE id = ?', state, streamId)
  }
}
