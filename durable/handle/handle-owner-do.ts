/**
 * @module
 * HandleOwnerDO: one object per principal that holds durable handles (named by the principal),
 * listing its live handles with the time each expires, so their number can be capped
 * (`HANDLE_MAX_PER_PRINCIPAL`). It hears of a handle before it is minted (`reserve`, from
 * `handles.create()`, refused at the cap), then from the handle's own object when its use
 * pushes its expiry back (`touch`) and when it is ended (`release`). A handle that expires needs
 * no message: its entry expires at the same instant, and stops counting then.
 *
 * ## Storage layout
 * | key | value |
 * |---|---|
 * | `live:<handle id>` | when the handle expires (ms since the epoch) |
 *
 * ## Lifecycle
 * Expired entries are dropped when a handle is reserved and by the alarm, set for the latest
 * expiry; the alarm deletes the object once none is left.
 */
import { DurableObject } from 'cloudflare:workers'

const LIVE = 'live:'

/** The live handles of one principal. */
export class HandleOwnerDO extends DurableObject {
  /**
   * Records handle `id`, live until `expiresAt`, unless the principal already holds `limit` live
   * handles (then false, and nothing changes).
   */
  async reserve(id: string, expiresAt: number, limit: number): Promise<boolean> {
    if (this.#prune() >= limit) return false
    this.ctx.storage.kv.put(LIVE + id, expiresAt)
    await this.#alarmBy(expiresAt)
    return true
  }

  /** Handle `id` was used: it now lives until `expiresAt` (a handle no longer listed stays out). */
  async touch(id: string, expiresAt: number): Promise<void> {
    const kv = this.ctx.storage.kv
    const known = kv.get<number>(LIVE + id)
    if (known === undefined || known >= expiresAt) return
    kv.put(LIVE + id, expiresAt)
    await this.#alarmBy(expiresAt)
  }

  /** Handle `id` was ended: it no longer counts. */
  async release(id: string): Promise<void> {
    this.ctx.storage.kv.delete(LIVE + id)
  }

  /** Drops the expired entries; deletes the object when none is left, or wakes at the last one. */
  override async alarm(): Promise<void> {
    this.#prune()
    const last = Math.max(0, ...this.#entries().map(([, expiresAt]) => expiresAt))
    if (last === 0) await this.ctx.storage.deleteAll()
    else await this.ctx.storage.setAlarm(last)
  }

  /** Deletes the entries of expired handles; returns how many are live. */
  #prune(): number {
    const now = Date.now()
    let live = 0
    for (const [key, expiresAt] of this.#entries()) {
      if (expiresAt <= now) this.ctx.storage.kv.delete(key)
      else live++
    }
    return live
  }

  #entries(): Array<[string, number]> {
    return [...this.ctx.storage.kv.list<number>({ prefix: LIVE })]
  }

  /** Makes sure the alarm rings no earlier than `at`. */
  async #alarmBy(at: number): Promise<void> {
    const alarm = await this.ctx.storage.getAlarm()
    if (alarm === null || alarm < at) await this.ctx.storage.setAlarm(at)
  }
}
