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
 * | `handle` | `{ principal, quotaKey?, createdAt, lastSeenAt }` (`quotaKey`: the owner object it counts in, when not the principal's) |
 * | `app:<key>` | the tool's values |
 *
 * ## Lifecycle
 * The Worker first reserves the handle in its owner's `HandleOwnerDO` (refused past
 * `HANDLE_MAX_PER_PRINCIPAL` live handles, and then this object is never made); `mint` writes
 * the record and the expiry alarm; every call by the owner refreshes `lastSeenAt` (and the
 * alarm, a quarter TTL at most late), and tells the owner's object the new expiry; the alarm
 * deletes everything once the handle sat unused for the TTL (the owner's object stops counting
 * it at that same instant); `end` deletes it at once and tells the owner's object.
 */
import { DurableObject } from 'cloudflare:workers'
import type { StorageListOptions } from '../src/define-mcp-server'
import { readSessionConfig } from '../src/session-config'
import type { FrameworkBindings } from '../src/types'
import type { HandleOwnerDO } from './handle-owner-do'

interface HandleRecord {
  readonly principal: string
  /** What its owner's quota is counted under, when not the principal's name (auth off). */
  readonly quotaKey?: string
  readonly createdAt: number
  readonly lastSeenAt: number
}

const RECORD = 'handle'
const APP = 'app:'

const MISSING_OWNER_BINDING =
  'Handles need a HANDLE_OWNER_DO Durable Object binding (class HandleOwnerDO) in wrangler.toml'

/** One handle: its owner, its expiry and its values. */
export class HandleDO extends DurableObject {
  readonly #ttlMs: number
  readonly #owners: DurableObjectNamespace<HandleOwnerDO> | undefined

  constructor(ctx: DurableObjectState, env: unknown) {
    super(ctx, env as never)
    this.#ttlMs = readSessionConfig(env).handleTtlMs
    this.#owners = (env as FrameworkBindings).HANDLE_OWNER_DO as
      | DurableObjectNamespace<HandleOwnerDO>
      | undefined
  }

  /**
   * Makes this fresh object the handle of `principal`, minted at `now` (the time its owner's
   * object, the one of `quotaKey`, counts it from: `HandleOwnerDO.reserve` came first).
   */
  async mint(principal: string, now: number, quotaKey = principal): Promise<void> {
    const record: HandleRecord = {
      principal,
      ...(quotaKey !== principal && { quotaKey }),
      createdAt: now,
      lastSeenAt: now,
    }
    this.ctx.storage.kv.put(RECORD, record)
    await this.ctx.storage.setAlarm(now + this.#ttlMs)
  }

  /** Whether this is a live handle of `principal` (and so refreshed). */
  async open(principal: string): Promise<boolean> {
    return this.#owned(principal)
  }

  async get(principal: string, key: string): Promise<unknown> {
    return (await this.#owned(principal)) ? this.ctx.storage.kv.get(APP + key) : undefined
  }

  async put(principal: string, key: string, value: unknown): Promise<boolean> {
    if (!(await this.#owned(principal))) return false
    this.ctx.storage.kv.put(APP + key, value)
    return true
  }

  async delete(principal: string, key: string): Promise<boolean> {
    return (await this.#owned(principal)) && this.ctx.storage.kv.delete(APP + key)
  }

  /** The entries whose key starts with `prefix`, in key order (a page of them, with `options`). */
  async list(
    principal: string,
    prefix: string,
    options: StorageListOptions = {},
  ): Promise<Array<[string, unknown]>> {
    if (!(await this.#owned(principal))) return []
    const { startAfter, limit } = options
    const entries = this.ctx.storage.kv.list({
      prefix: APP + prefix,
      ...(startAfter !== undefined && { startAfter: APP + startAfter }),
      ...(limit !== undefined && { limit }),
    })
    return [...entries].map(([key, value]) => [key.slice(APP.length), value])
  }

  /** Ends the handle now (its owner only), and so frees its place in the owner's quota. */
  async end(principal: string): Promise<boolean> {
    const record = this.ctx.storage.kv.get<HandleRecord>(RECORD)
    if (record === undefined || !(await this.#owned(principal))) return false
    // Deleted first: should telling the owner's object fail, the handle counts until its
    // expiry, never the other way round (live and uncounted).
    await this.ctx.storage.deleteAll()
    await this.#owner(record).release(this.ctx.id.toString())
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

  /**
   * Whether `principal` owns this live handle; refreshes its last use if so (and its expiry in
   * the owner's object first, so the handle never outlives its entry there).
   */
  async #owned(principal: string): Promise<boolean> {
    const record = this.ctx.storage.kv.get<HandleRecord>(RECORD)
    if (record === undefined || record.principal !== principal) return false
    const now = Date.now()
    if (now - record.lastSeenAt >= this.#ttlMs) return false
    // A quarter TTL of slack, so a busy handle isn't rewritten on every call.
    if (now - record.lastSeenAt > this.#ttlMs / 4) {
      await this.#owner(record).touch(this.ctx.id.toString(), now + this.#ttlMs)
      // Ended meanwhile: it stays ended.
      if (this.ctx.storage.kv.get(RECORD) === undefined) return false
      this.ctx.storage.kv.put(RECORD, { ...record, lastSeenAt: now })
    }
    return true
  }

  /** The object that counts this handle among its owner's live ones. */
  #owner(record: HandleRecord): DurableObjectStub<HandleOwnerDO> {
    if (this.#owners === undefined) throw new Error(MISSING_OWNER_BINDING)
    return this.#owners.get(this.#owners.idFromName(record.quotaKey ?? record.principal))
  }
}
