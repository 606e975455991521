/**
 * @module
 * Reading a client's `Last-Event-ID` against a session's event log.
 */
import { parseEventId } from '../src/transports/event-journal'
import type { EventLog } from './event-log'
import { badLastEventId } from './session-errors'

/** Where a resuming client is: the stream and the last seq it has. */
export interface ResumePoint {
  readonly streamId: string
  readonly seq: number
}

/**
 * Reads a `Last-Event-ID`: undefined without one; a 400 response when it is malformed, names a
 * stream of a kind this route doesn't serve (`kinds`: `get`, `sse`, `reply`), or one this session
 * never had (checklist F.47).
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
