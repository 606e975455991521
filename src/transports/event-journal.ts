/**
 * @module
 * The event log as the transports see it: a narrow interface, so they never touch storage
 * themselves (the session object implements it over SQLite; tests can use an in-memory one).
 *
 * Event ids name their stream: `<streamId>_<seq>`, where `seq` is the session-wide, strictly
 * increasing sequence number of the event (checklist F.43: unique across all streams of the
 * session, and encoding the stream).
 */
import type { JSONRPCMessage, RequestId } from '@modelcontextprotocol/server'

/** One logged event. */
export interface JournalEvent {
  readonly id: string
  readonly message: JSONRPCMessage
}

/** Where a session's outbound messages are recorded before any stream sees them. */
export interface EventJournal {
  /** Opens a new stream for the reply to a POST carrying `requestIds`; returns its id. */
  openReplyStream(requestIds: readonly RequestId[]): string
  /**
   * Appends `message` to `streamId`'s events; returns the event id. With `seq` (from
   * {@link EventJournal.allocate}) the event takes that place in the order instead of the next;
   * with `text` (the message's JSON, when the caller has it) it isn't serialized again.
   */
  append(streamId: string, message: JSONRPCMessage, seq?: number, text?: string): string
  /**
   * Allocates the next seq for an event of `streamId` without logging it (yet): the caller
   * appends it with that seq only if it must. The seq is never issued again, even after a restart.
   */
  allocate(streamId: string): number
  /** Records that a reply stream has all its responses. */
  finishStream(streamId: string): void
  /** Records that a finished stream's last event reached a client (its events may be pruned). */
  markDelivered(streamId: string): void
  /** The id a priming event on `streamId` carries: any later event of that stream sorts after it. */
  primingId(streamId: string): string
}

/** Stream ids of the streams every session has at most one of. */
export const STANDALONE_STREAM = 'get'
export const LEGACY_STREAM = 'sse'

const EVENT_ID = /^(get|sse|p[1-9]\d*)_(0|[1-9]\d{0,15})$/

/** Formats an event id. */
export function formatEventId(streamId: string, seq: number): string {
  return `${streamId}_${seq}`
}

/** Parses an event id; undefined when it isn't one of ours. */
export function parseEventId(eventId: string): { streamId: string; seq: number } | undefined {
  const match = EVENT_ID.exec(eventId)
  if (!match) return undefined
  return { streamId: match[1]!, seq: Number(match[2]) }
}
