/**
 * @module
 * RequestStateDO: what 2026-07-28 `requestState` (input_required rounds) needs to outlive an
 * isolate, in objects of one class under two kinds of name:
 * - `signing-key`: the key every state is signed with while `REQUEST_STATE_KEY` is unset, minted
 *   by the first isolate that asks and the same for every isolate after it;
 * - `spent:<0-f>`: sixteen ledgers of the nonces of states a retry already carried (a state goes
 *   to the ledger named by its nonce's first hex digit), so each state is used once.
 *
 * ## Storage layout
 * | where | what |
 * |---|---|
 * | `signing-key` | kv `key`: the signing key, 32 random bytes |
 * | `spent:<h>` | `spent(nonce, expires_at)`: one row per spent state, until it has expired |
 *
 * ## Lifecycle
 * The key is kept for good (set `REQUEST_STATE_KEY` to choose, or rotate, one). A ledger's row is
 * written when a retry first carries the state; the alarm deletes the rows of states that have
 * expired (the signature check refuses those anyway), at most once a minute, and the ledger
 * itself once it is empty.
 */
import { DurableObject } from 'cloudflare:workers'

const KEY = 'key'

const SCHEMA = [
  'CREATE TABLE IF NOT EXISTS spent (nonce TEXT PRIMARY KEY, expires_at INTEGER NOT NULL)',
  'CREATE INDEX IF NOT EXISTS spent_expiry ON spent (expires_at)',
]

/** The shortest wait between two prunes of a ledger. */
const PRUNE_EVERY_MS = 60_000

/** The signing key, or a ledger of spent states. */
export class RequestStateDO extends DurableObject {
  #ready = false

  /** The signing key (in the `signing-key` object): minted on the first call, then kept. */
  signingKey(): Uint8Array {
    const kv = this.ctx.storage.kv
    const key = kv.get<Uint8Array>(KEY)
    if (key !== undefined) return key
    const minted = crypto.getRandomValues(new Uint8Array(32))
    kv.put(KEY, minted)
    return minted
  }

  /**
   * Spends the state `nonce` names (in a `spent:<h>` ledger): true the first time, false on
   * every later call until `expiresAt`, when the ledger forgets it.
   */
  async spend(nonce: string, expiresAt: number): Promise<boolean> {
    this.#init()
    const first = this.ctx.storage.sql
      .exec(
        'INSERT INTO spent (nonce, expires_at) VALUES (?, ?) ON CONFLICT DO NOTHING RETURNING nonce',
        nonce,
        expiresAt,
      )
      .toArray()
    if (first.length === 0) return false
    if ((await this.ctx.storage.getAlarm()) === null) await this.ctx.storage.setAlarm(expiresAt)
    return true
  }

  /** Forgets the expired states; deletes the ledger once none is left. */
  override async alarm(): Promise<void> {
    this.#init()
    const now = Date.now()
    const sql = this.ctx.storage.sql
    sql.exec('DELETE FROM spent WHERE expires_at <= ?', now)
    const next = sql
      .exec<{ next: number | null }>('SELECT MIN(expires_at) AS next FROM spent')
      .one()
    if (next.next === null) {
      await this.ctx.storage.deleteAll()
      this.#ready = false
    } else await this.ctx.storage.setAlarm(Math.max(next.next, now + PRUNE_EVERY_MS))
  }

  #init(): void {
    if (this.#ready) return
    for (const statement of SCHEMA) this.ctx.storage.sql.exec(statement)
    this.#ready = true
  }
}
