/**
 * @module
 * Access tokens this isolate has checked, so a request with a token seen moments ago reads
 * nothing from storage and decrypts nothing. An entry lives until the token expires or
 * `OAUTH_TOKEN_CACHE_MS` has passed, whichever is first; a revocation or re-authorization
 * handled in this isolate drops the grant's entries at once. Bounded: the oldest entries go first.
 *
 * Tokens are `<userId>:<grantId>:<secret>` (the library's format), so a grant's entries are
 * found by prefix.
 */
import type { Principal } from '../../types'

/** What a checked token grants. */
export interface CheckedToken {
  readonly principal: Principal
  /** The resource (origin) the token is bound to. */
  readonly audience: string
  readonly clientId: string
}

interface Entry extends CheckedToken {
  /** Trusted until this time (ms since the epoch). */
  readonly until: number
}

/** The most tokens kept; past it, the oldest entry is dropped for each new one. */
const MAX_ENTRIES = 10_000

/** A bounded map of checked tokens. */
export class TokenCache {
  readonly #entries = new Map<string, Entry>()

  /** The token's entry, if it is still trusted at `now`. */
  get(token: string, now: number): CheckedToken | undefined {
    const entry = this.#entries.get(token)
    if (entry === undefined) return undefined
    if (entry.until > now) return entry
    this.#entries.delete(token)
    return undefined
  }

  /** Trusts `checked` until `until`. */
  set(token: string, checked: CheckedToken, until: number): void {
    if (this.#entries.size >= MAX_ENTRIES) {
      const oldest = this.#entries.keys().next()
      if (!oldest.done) this.#entries.delete(oldest.value)
    }
    this.#entries.set(token, { ...checked, until })
  }

  /** Drops every entry of the grant a token (access or refresh) belongs to. */
  forgetGrantOf(token: string): void {
    const parts = token.split(':')
    if (parts.length !== 3) return
    const prefix = `${parts[0]}:${parts[1]}:`
    for (const key of this.#entries.keys()) if (key.startsWith(prefix)) this.#entries.delete(key)
  }

  /** Drops every entry of `userId`'s grants to `clientId` (re-authorization revokes them). */
  forgetClientGrants(userId: string, clientId: string): void {
    const prefix = `${userId}:`
    for (const [key, entry] of this.#entries) {
      if (key.startsWith(prefix) && entry.clientId === clientId) this.#entries.delete(key)
    }
  }
}
