/**
 * @module
 * HandleDO: the object behind one durable handle (SEP-2567). A 2026-07-28 request has no
 * session to keep state in, so a tool mints a handle (a server-chosen id, the string form of this
 * object's id) and the client passes it back as an ordinary tool argument. The handle is bound
 * to the principal that minted it: another principal's request answers exactly as for an
 * unknown id. It expires after `HANDLE_TTL_MS` without use, like a session.
 *
 * ## Storage layout
 * | key | value |
 * |---|---|
 * | `handle` | `{ principal, createdAt, lastSeenAt }` |
 * | `app:<key>` | the tool's values |
 *
 * ## Lifecycle
 * `mint` writes the record and the expiry alarm; every call by the owner refreshes `lastSeenAt`
 * (and the alarm, a quarter TTL at most late); the alarm deletes everything once the handle sat
 * unused for the TTL.
 */
import { DurableObject } from 'cloudflare:workers'
import type { StorageListOptions } from '../src/define-mcp-server'
import { readSessionConfig } from '../src/session-config'

interface HandleRecord {
  readonly principal: string
  readonly createdAt: number
  readonly lastSeenAt: number
}

const RECORD = 'handle'
const APP = 'app:'

/** One handle: its owner, its expiry and its values. */
export class HandleDO extends DurableObject {
  readonly #ttlMs: number

  constructor(ctx: DurableObjectState, env: unknown) {
    super(ctx, env as never)
    this.#ttlMs = readSessionConfig(env).handleTtlMs
  }

  /** Makes this fresh object the handle of `principal`. */
  async mint(principal: string): Promise<void> {
    const now = Date.now()
    this.ctx.storage.kv.put(RECORD, { principal, createdAt: now, lastSeenAt: now })
    await this.ctx.storage.setAlarm(now + this.#ttlMs)
  }

  /** Whether this is a live handle of `principal` (and so refreshed). */
  async open(principal: string): Promise<boolean> {
    return this.#owned(principal)
  }

  async get(principal: string, key: string): Promise<unknown> {
    return this.#owned(principal) ? this.ctx.storage.kv.get(APP + key) : undefined
  }

  async put(principal: string, key: string, value: unknown): Promise<boolean> {
    if (!this.#owned(principal)) return false
    this.ctx.storage.kv.put(APP + key, value)
    return true
  }

  async delete(principal: string, key: string): Promise<boolean> {
    return this.#owned(principal) && this.ctx.storage.kv.delete(APP + key)
  }

  /** The entries whose key starts with `prefix`, in key order (a page of them, with `options`). */
  async list(
    principal: string,
    prefix: string,
    options: StorageListOptions = {},
  ): Promise<Array<[string, unknown]>> {
    if (!this.#owned(principal)) return []
    const { startAfter, limit } = options
    const entries = this.ctx.storage.kv.list({
      prefix: APP + prefix,
      ...(startAfter !== undefined && { startAfter: APP + startAfter }),
      ...(limit !== undefined && { limit }),
    })
    return [...entries].map(([key, value]) => [key.slice(APP.length), value])
  }

  /** Ends the handle now (its owner only). */
  async end(principal: string): Promise<boolean> {
    if (!this.#owned(principal)) return false
    await this.ctx.storage.deleteAll()
    return true
  }

  /** Deletes the handle once it sat unused for the TTL; else wakes again when it would. */
  override async alarm(): Promise<void> {
    const record = this.ctx.storage.kv.get<HandleRecord>(RECORD)
    if (record === undefined) return
    const expiresAt = record.lastSeenAt + this.#ttlMs
    if (Date.now() >= expiresAt) await this.ctx.storage.deleteAll()
    else await this.ctx.storage.setAlarm(expiresAt)
  }

  /** Whether `principal` owns this live handle; refreshes its last use if so. */
  #owned(principal: string): boolean {
    const record = this.ctx.storage.kv.get<HandleRecord>(RECORD)
    if (record === undefined || record.principal !== principal) return false
    const now = Date.now()
    if (now - record.lastSeenAt >= this.#ttlMs) return false
    // A quarter TTL of slack, so a busy handle isn't rewritten on every call.
    if (now - record.lastSeenAt > this.#ttlMs / 4) {
      this.ctx.storage.kv.put(RECORD, { ...record, lastSeenAt: now })
    }
    return true
  }
}
