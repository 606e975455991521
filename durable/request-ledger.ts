/**
 * @module
 * Server→client requests (elicitation, sampling, roots, ping) in flight, in the session's SQLite
 * storage: each has a session-wide id that is never reused and a deadline.
 *
 * ## Storage layout
 * `mcp_requests(id, method, deadline)`: one row per request sent and not yet answered. Ids come
 * from the event log's never-decreasing `request` counter.
 *
 * ## Lifecycle
 * A row is written when the request goes out and deleted when its answer arrives. The waiting
 * tool call has its own timeout in memory; a row whose deadline passed (the answer never came, or
 * the object restarted and the call ended with "Request interrupted") is deleted by the alarm.
 * An answer that arrives after a restart is accepted (202) and dropped: nothing waits for it.
 */
import type { RequestId } from '@modelcontextprotocol/server'
import type { ServerRequestLedger } from '../src/transports/session-transport'
import type { EventLog } from './event-log'

const SCHEMA =
  'CREATE TABLE IF NOT EXISTS mcp_requests (id INTEGER PRIMARY KEY, method TEXT NOT NULL, deadline INTEGER NOT NULL)'

/** The server→client requests of one session. */
export class RequestLedger implements ServerRequestLedger {
  #ready = false

  constructor(
    readonly sql: SqlStorage,
    readonly log: EventLog,
    readonly timeoutMs: number,
    readonly now: () => number = Date.now,
  ) {}

  open(method: string): number {
    this.#init()
    const id = this.log.nextRequestId()
    this.sql.exec(
      'INSERT INTO mcp_requests (id, method, deadline) VALUES (?, ?, ?)',
      id,
      method,
      this.now() + this.timeoutMs,
    )
    return id
  }

  settle(id: RequestId): void {
    if (typeof id !== 'number' || !this.#exists()) return
    this.sql.exec('DELETE FROM mcp_requests WHERE id = ?', id)
  }

  /** Forgets requests past their deadline; returns how many. */
  expire(): number {
    if (!this.#exists()) return 0
    return this.sql.exec('DELETE FROM mcp_requests WHERE deadline < ?', this.now()).rowsWritten
  }

  #init(): void {
    if (this.#ready) return
    this.sql.exec(SCHEMA)
    this.#ready = true
  }

  /** Whether the table exists (reads and deletes never create it). */
  #exists(): boolean {
    if (!this.#ready) {
      this.#ready =
        this.sql
          .exec("SELECT 1 FROM sqlite_master WHERE type = 'table' AND name = 'mcp_requests'")
          .toArray().length > 0
    }
    return this.#ready
  }
}
