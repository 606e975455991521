/**
 * RequestStateDO, driven directly: the `signing-key` object mints one key and keeps it; a
 * `spent:<h>` ledger spends a nonce once, remembers it until it expires, and its alarm forgets
 * what expired and deletes the ledger once nothing is left.
 */
import { runInDurableObject } from 'cloudflare:test'
import { env } from 'cloudflare:workers'
import { describe, expect, it, vi } from 'vitest'

const ledger = (name: string) => env.REQUEST_STATE_DO.get(env.REQUEST_STATE_DO.idFromName(name))

/** The tables a ledger holds, with their rows. */
function rows(name: string) {
  return runInDurableObject(ledger(name), (_instance, state) => {
    const tables = state.storage.sql
      .exec<{ name: string }>("SELECT name FROM sqlite_master WHERE type = 'table'")
      .toArray()
      .map((row) => row.name)
    return tables.includes('spent')
      ? state.storage.sql.exec('SELECT nonce, expires_at FROM spent ORDER BY nonce').toArray()
      : undefined
  })
}

describe('RequestStateDO', () => {
  it('signing-key: 32 random bytes, minted once', async () => {
    const key = await ledger('signing-key').signingKey()
    expect(key).toBeInstanceOf(Uint8Array)
    expect(key).toHaveLength(32)
    expect(await ledger('signing-key').signingKey()).toEqual(key)
    expect(await ledger('another-key').signingKey()).not.toEqual(key)
  })

  it('a ledger spends a nonce once, and remembers it until it expires', async () => {
    const later = Date.now() + 60_000
    expect(await ledger('spent:a').spend('a1', later)).toBe(true)
    expect(await ledger('spent:a').spend('a1', later)).toBe(false)
    expect(await ledger('spent:a').spend('a1', later + 1)).toBe(false)
    expect(await ledger('spent:a').spend('a2', later)).toBe(true)
    expect(await rows('spent:a')).toEqual([
      { nonce: 'a1', expires_at: later },
      { nonce: 'a2', expires_at: later },
    ])
  })

  it('its alarm forgets what expired, and deletes the ledger once it is empty', async () => {
    const now = Date.now()
    const alarmOf = (name: string) =>
      runInDurableObject(ledger(name), (_instance, state) => state.storage.getAlarm())
    expect(await ledger('spent:b').spend('gone', now + 300)).toBe(true)
    expect(await ledger('spent:b').spend('kept', now + 60_000)).toBe(true)
    // The alarm rings by itself at the first expiry.
    await vi.waitFor(
      async () =>
        expect(await rows('spent:b')).toEqual([{ nonce: 'kept', expires_at: now + 60_000 }]),
      { timeout: 5_000 },
    )
    await vi.waitFor(async () =>
      expect(await alarmOf('spent:b')).toBeGreaterThanOrEqual(now + 60_000),
    )

    expect(await ledger('spent:c').spend('gone', now + 50)).toBe(true)
    await vi.waitFor(async () => expect(await rows('spent:c')).toBeUndefined(), { timeout: 5_000 })
    await vi.waitFor(async () => expect(await alarmOf('spent:c')).toBe(null))
    expect(await ledger('spent:c').spend('gone', now + 60_000)).toBe(true)
  })
})
