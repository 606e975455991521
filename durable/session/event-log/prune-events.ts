/**
 * @module
 * Pruning a session's event log: what its alarm and its caps (`log-caps.ts`) drop, and the gaps
 * a drop leaves, which the log remembers so a resume from before one is refused.
 */
import { type EventLogLimits, GAPS, gapKey, PRUNE } from './event-log-schema'

/** Number of events in the log and their total size (UTF-8 bytes). */
export function logSize(sql: SqlStorage): { events: number; bytes: number } {
  const row = sql
    .exec<{ events: number; bytes: number | null }>(
      'SELECT COUNT(*) AS events, SUM(bytes) AS bytes FROM mcp_events',
    )
    .one()
  return { events: row.events, bytes: row.bytes ?? 0 }
}

/**
 * Drops events of delivered reply streams, events older than the age cap, then the oldest
 * events beyond `fill` of the count and byte caps, and any event alone over the byte cap; then
 * streams left empty and gap marks of streams that are gone. Returns how many events it dropped.
 */
export function pruneEvents(
  sql: SqlStorage,
  limits: EventLogLimits,
  fill: number,
  now: number,
): number {
  const before = logSize(sql).events
  sql.exec(PRUNE.delivered)
  drop(sql, PRUNE.tooOld, now - limits.maxAgeMs)
  drop(sql, PRUNE.tooMany, Math.floor(limits.maxEvents * fill))
  drop(sql, PRUNE.tooBig, Math.floor(limits.maxBytes * fill))
  drop(sql, PRUNE.tooLarge, limits.maxBytes)
  sql.exec(PRUNE.emptyStreams)
  sql.exec(PRUNE.staleGaps)
  return before - logSize(sql).events
}

/** Runs a cap's statement and marks the gap it left in each stream. */
function drop(sql: SqlStorage, statement: string, bound: number): void {
  const newest = new Map<string, number>()
  for (const { stream, seq } of sql.exec<{ stream: string; seq: number }>(statement, bound)) {
    newest.set(stream, Math.max(newest.get(stream) ?? 0, seq))
  }
  for (const [stream, seq] of newest) sql.exec(GAPS.mark, gapKey(stream), seq)
}
