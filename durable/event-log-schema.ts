/**
 * @module
 * The event log's tables (see `event-log.ts` for its lifecycle) and its types.
 *
 * ## Storage layout
 * | table | rows |
 * |---|---|
 * | `mcp_meta(key, value)` | counters that must never go back: `seq` (last event seq issued or reserved), `stream` (last reply-stream number), `request` (last server→client request id) |
 * | `mcp_streams(id, kind, state, request_ids, created_at)` | one per stream: `get`, `sse`, or `p<n>` per POST reply; `state` is `open`, `finished` (all responses logged) or `delivered` (the last one reached a client) |
 * | `mcp_events(seq, stream, message, bytes, at)` | the events; `seq` is the session-wide order |
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

/** The pruning statements, in the order the alarm runs them. */
export const PRUNE = {
  /** Events of reply streams whose last event reached a client. */
  delivered:
    "DELETE FROM mcp_events WHERE stream IN (SELECT id FROM mcp_streams WHERE state = 'delivered')",
  /** Events older than the age cap (bound: the oldest time kept). */
  tooOld: 'DELETE FROM mcp_events WHERE at < ?',
  /** All but the newest events, beyond the count cap (bound: the cap). */
  tooMany:
    'DELETE FROM mcp_events WHERE seq NOT IN (SELECT seq FROM mcp_events ORDER BY seq DESC LIMIT ?)',
  /** Oldest first, until the newest events fit the byte cap (bound: the cap). */
  tooBig: `DELETE FROM mcp_events WHERE seq < (
     SELECT COALESCE(MIN(seq), 0) FROM (
       SELECT seq, SUM(bytes) OVER (ORDER BY seq DESC) AS newer_bytes FROM mcp_events
     ) WHERE newer_bytes <= ?)`,
  /** Rows of finished reply streams with no events left. */
  emptyStreams: `DELETE FROM mcp_streams WHERE kind = 'reply' AND state != 'open'
     AND id NOT IN (SELECT DISTINCT stream FROM mcp_events)`,
} as const
