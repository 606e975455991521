/**
 * @module
 * The event log's tables (see `event-log.ts` for its lifecycle) and its types.
 *
 * ## Storage layout
 * | table | rows |
 * |---|---|
 * | `mcp_meta(key, value)` | counters that must never go back: `seq` (last event seq issued or reserved), `stream` (last reply-stream number), `request` (last server→client request id), `pruned:<stream>` (the newest seq of that stream a cap dropped) |
 * | `mcp_streams(id, kind, state, request_ids, created_at)` | one per stream: `get`, `sse`, or `p<n>` per POST reply; `state` is `open`, `finished` (all responses logged) or `delivered` (the last one reached a client) |
 * | `mcp_events(seq, stream, message, bytes, at)` | the events; `seq` is the session-wide order, `bytes` the UTF-8 size of `message` |
 * | `mcp_inflight(stream, request_id)` | requests of the legacy stream still without a response (a reply stream keeps its ids in `mcp_streams`) |
 */
import type { RequestId } from '@modelcontextprotocol/server'

/** Caps of the event log. */
export interface EventLogLimits {
  readonly maxEvents: number
  readonly maxBytes: number
  readonly maxAgeMs: number
}

/** A reply stream whose requests did not all get a response before the object stopped. */
export interface InterruptedStream {
  readonly id: string
  readonly missing: RequestId[]
}

export type StreamState = 'open' | 'finished' | 'delivered'

export const SCHEMA = `
CREATE TABLE IF NOT EXISTS mcp_meta (key TEXT PRIMARY KEY, value INTEGER NOT NULL);
CREATE TABLE IF NOT EXISTS mcp_streams (
  id TEXT PRIMARY KEY, kind TEXT NOT NULL, state TEXT NOT NULL,
  request_ids TEXT NOT NULL, created_at INTEGER NOT NULL);
CREATE TABLE IF NOT EXISTS mcp_events (
  seq INTEGER PRIMARY KEY, stream TEXT NOT NULL, message TEXT NOT NULL,
  bytes INTEGER NOT NULL, at INTEGER NOT NULL);
CREATE INDEX IF NOT EXISTS mcp_events_by_stream ON mcp_events (stream, seq);
CREATE TABLE IF NOT EXISTS mcp_inflight (
  stream TEXT NOT NULL, request_id TEXT NOT NULL, PRIMARY KEY (stream, request_id));
`

/** The statements on legacy requests in flight (`track`, `settle` bind stream and request id). */
export const INFLIGHT = {
  track: 'INSERT OR REPLACE INTO mcp_inflight (stream, request_id) VALUES (?, ?)',
  settle: 'DELETE FROM mcp_inflight WHERE stream = ? AND request_id = ?',
  all: 'SELECT stream, request_id FROM mcp_inflight',
  clear: 'DELETE FROM mcp_inflight',
} as const

/**
 * The pruning statements, in the order the alarm runs them. Those of the caps return what they
 * dropped (`stream`, `seq`), for the log to record where each stream has a gap.
 */
export const PRUNE = {
  /** Events of reply streams whose last event reached a client. */
  delivered:
    "DELETE FROM mcp_events WHERE stream IN (SELECT id FROM mcp_streams WHERE state = 'delivered')",
  /** Events older than the age cap (bound: the oldest time kept). */
  tooOld: 'DELETE FROM mcp_events WHERE at < ? RETURNING stream, seq',
  /** All but the newest events, beyond the count cap (bound: the cap). */
  tooMany: `DELETE FROM mcp_events
     WHERE seq NOT IN (SELECT seq FROM mcp_events ORDER BY seq DESC LIMIT ?) RETURNING stream, seq`,
  /**
   * Oldest first, until the newest events fit in the bytes bound; when not even the newest one
   * does, all but it.
   */
  tooBig: `DELETE FROM mcp_events WHERE seq < COALESCE(
     (SELECT MIN(seq) FROM (
       SELECT seq, SUM(bytes) OVER (ORDER BY seq DESC) AS newer_bytes FROM mcp_events
     ) WHERE newer_bytes <= ?),
     (SELECT MAX(seq) FROM mcp_events)) RETURNING stream, seq`,
  /** An event that alone is over the byte cap (bound: the cap). */
  tooLarge: 'DELETE FROM mcp_events WHERE bytes > ? RETURNING stream, seq',
  /** Rows of finished reply streams with no events left. */
  emptyStreams: `DELETE FROM mcp_streams WHERE kind = 'reply' AND state != 'open'
     AND id NOT IN (SELECT DISTINCT stream FROM mcp_events)`,
  /** Gap marks of streams that are gone. */
  staleGaps: `DELETE FROM mcp_meta WHERE key LIKE 'pruned:%'
     AND substr(key, 8) NOT IN (SELECT id FROM mcp_streams)`,
} as const

/** The gap marks: `pruned:<stream>` is the newest seq of that stream a cap dropped. */
export const GAPS = {
  /** Raises a stream's mark (binds the key and the seq). */
  mark: `INSERT INTO mcp_meta (key, value) VALUES (?, ?)
     ON CONFLICT (key) DO UPDATE SET value = MAX(value, excluded.value)`,
  /** A stream's mark (binds the key). */
  read: 'SELECT value FROM mcp_meta WHERE key = ?',
} as const

/** The `mcp_meta` key of a stream's gap mark. */
export const gapKey = (streamId: string) => `pruned:${streamId}`
