/**
 * @module
 * Reading a client's `Last-Event-ID` against a session's event log.
 */

import { badLastEventId, eventsPruned } from '../session-errors'
import { parseEventId } from './event-journal'
import type { EventLog } from './event-log'

/** Where a resuming client is: the stream and the last seq it has. */
export interface ResumePoint {
  readonly streamId: string
  readonly seq: number
}

/**
 * Reads a `Last-Event-ID`: undefined without one; a 400 response when it is malformed, names a
 * stream of a kind this route doesn't serve (`kinds`: `get`, `sse`, `reply`), or one this session
 * never had.
 */
export function resumePoint(
  log: EventLog,
  lastEventId: string | undefined,
  kinds: readonly string[],
): ResumePoint | Response | undefined {
  if (lastEventId === undefined) return undefined
  const point = parseEventId(lastEventId)
  if (point === undefined) return badLastEventId('malformed')
  const kind = point.streamId.startsWith('p') ? 'reply' : point.streamId
  if (!kinds.includes(kind) || !log.issued(point.seq)) return badLastEventId('unknown')
  if (log.streamState(point.streamId) === undefined) return badLastEventId('unknown')
  return point
}

/**
 * A resume the log can't replay in full: a cap dropped events of its stream after `point` → 400,
 * so the client knows, instead of getting the rest as if nothing were missing. Check it right
 * before the replay is read (after anything that logs, such as an HTTP+SSE flush).
 */
export function replayGap(log: EventLog, point: ResumePoint | undefined): Response | undefined {
  if (point === undefined || !log.prunedAfter(point.streamId, point.seq)) return undefined
  return eventsPruned()
}
