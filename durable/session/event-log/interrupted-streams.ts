/**
 * @module
 * What a previous instance of a session's object left unanswered: a reply stream still `open`,
 * or an HTTP+SSE request still in flight, lost its request with the old instance, and each such
 * request gets an error response from the new one.
 */
import type { RequestId } from '@modelcontextprotocol/server'
import { isResponse } from '../transport/message-sink'
import type { JournalEvent } from './event-journal'
import { INFLIGHT, type InterruptedStream } from './event-log-schema'

/**
 * Streams left with unanswered requests: open reply streams (`log` gives their events), and the
 * tracked requests of long-lived streams (which are forgotten here: the caller answers them).
 */
export function interruptedStreams(
  sql: SqlStorage,
  log: { eventsAfter(streamId: string, seq: number): JournalEvent[] },
): InterruptedStream[] {
  const tracked = new Map<string, RequestId[]>()
  for (const row of sql.exec<{ stream: string; request_id: string }>(INFLIGHT.all)) {
    const requestId = JSON.parse(row.request_id) as RequestId
    tracked.set(row.stream, [...(tracked.get(row.stream) ?? []), requestId])
  }
  sql.exec(INFLIGHT.clear)
  const lost = [...tracked].map(([id, missing]) => ({ id, missing }))
  const open = sql
    .exec<{ id: string; request_ids: string }>(
      "SELECT id, request_ids FROM mcp_streams WHERE kind = 'reply' AND state = 'open'",
    )
    .toArray()
  const replies = open.map(({ id, request_ids }) => {
    const answered = new Set(
      log
        .eventsAfter(id, -1)
        .map((event) => event.message)
        .filter(isResponse)
        .map((message) => message.id),
    )
    const requested = JSON.parse(request_ids) as RequestId[]
    return { id, missing: requested.filter((requestId) => !answered.has(requestId)) }
  })
  return [...lost, ...replies]
}
