/**
 * What subscriptions leave in the hubs' storage. Invariant: a session subscribes only to
 * resources the server serves (any other URI is refused with `-32602` and wakes no hub), and a
 * hub that holds no value deletes its storage when its last subscriber leaves (by unsubscribing
 * or with its session), so an abandoned subscription leaves nothing behind; a hub that holds a
 * value keeps it, and its watchers keep hearing of changes. A hub with subscribers checks them at
 * its alarm (once per `SESSION_TTL_MS`): one whose session is gone without leaving (its leave
 * failed) is dropped, and a hub left with nothing deletes its storage, so a hub that is never
 * written can't keep a dead session for good.
 */
import { listDurableObjectIds, runDurableObjectAlarm, runInDurableObject } from 'cloudflare:test'
import { env } from 'cloudflare:workers'
import { describe, expect, it } from 'vitest'
import { hubFor } from '../../src/shared-resource'
import { LEADERBOARD_URI } from '../fixtures/app/tools/leaderboard'
import { fetchApp, openSession, postMcp } from '../helpers/requests'

/** `resources/subscribe` (or `unsubscribe`) of `uri` on a session: its status and body. */
async function subscription(
  sessionId: string,
  uri: string,
  id: number,
  method = 'resources/subscribe',
) {
  const res = await postMcp(
    { jsonrpc: '2.0', id, method, params: { uri } },
    { 'mcp-session-id': sessionId },
  )
  return { status: res.status, body: await res.json() }
}

/** Every key the hub of `uri` stores. */
function hubKeys(uri: string): Promise<string[]> {
  return runInDurableObject(hubFor(env, uri), (_instance, state) =>
    [...state.storage.kv.list()].map(([key]) => key),
  )
}

/** The tables of the hub's SQLite database (the key-value store is one, once written). */
function hubTables(uri: string): Promise<string[]> {
  return runInDurableObject(hubFor(env, uri), (_instance, state) =>
    state.storage.sql
      .exec<{ name: string }>("SELECT name FROM sqlite_master WHERE type = 'table'")
      .toArray()
      .map((row) => row.name),
  )
}

/** Whether the hub of `uri` was ever created in this file (a deleted one is still listed). */
async function hubExists(uri: string): Promise<boolean> {
  const id = env.RESOURCE_HUB!.idFromName(uri).toString()
  return (await listDurableObjectIds(env.RESOURCE_HUB!)).some((each) => each.toString() === id)
}

describe('hub storage', () => {
  it('refuses to subscribe to a URI the server does not serve, and wakes no hub', async () => {
    const sessionId = await openSession()
    for (let i = 0; i < 200; i++) {
      const uri = `nosuch://${i}`
      expect(await subscription(sessionId, uri, i)).toEqual({
        status: 200,
        body: {
          jsonrpc: '2.0',
          id: i,
          error: { code: -32602, message: `Resource not found: ${uri}`, data: { uri } },
        },
      })
    }
    // Unsubscribing from what it never subscribed to is a no-op, and wakes no hub either.
    expect(await subscription(sessionId, 'nosuch://0', 900, 'resources/unsubscribe')).toEqual({
      status: 200,
      body: { jsonrpc: '2.0', id: 900, result: {} },
    })
    expect(await hubExists('nosuch://0')).toBe(false)
    expect(await hubExists('nosuch://199')).toBe(false)
  })

  it('a hub with no value deletes its storage when its last subscriber leaves', async () => {
    const [a, b] = [await openSession(), await openSession()]
    expect((await subscription(a, LEADERBOARD_URI, 1)).body).toEqual({
      jsonrpc: '2.0',
      id: 1,
      result: {},
    })
    await subscription(b, LEADERBOARD_URI, 1)
    expect((await hubKeys(LEADERBOARD_URI)).sort()).toEqual(['uri', `sub:${a}`, `sub:${b}`].sort())
    // The key-value store, and the alarm that checks the subscribers.
    expect(await hubTables(LEADERBOARD_URI)).toEqual(['_cf_KV', '_cf_METADATA'])
    await subscription(a, LEADERBOARD_URI, 2, 'resources/unsubscribe')
    expect((await hubKeys(LEADERBOARD_URI)).sort()).toEqual([`sub:${b}`, 'uri'])
    // The last subscriber leaves with its session.
    const ended = await fetchApp('/mcp', { method: 'DELETE', headers: { 'mcp-session-id': b } })
    expect(ended.status).toBe(200)
    expect(await hubKeys(LEADERBOARD_URI)).toEqual([])
    expect(await hubTables(LEADERBOARD_URI)).toEqual([])
  })

  it('a hub that holds a value keeps it when its last subscriber leaves', async () => {
    const hub = hubFor(env, 'kept://value')
    await hub.write('kept://value', { n: 1 })
    await hub.subscribe('kept://value', 'some-session')
    await hub.unsubscribe('some-session')
    expect((await hubKeys('kept://value')).sort()).toEqual(['uri', 'value'])
    expect(await hub.read()).toEqual({ n: 1 })
  })

  it('a watcher of a hub that deleted its storage still hears the next write', async () => {
    const hub = hubFor(env, 'watched://x')
    const res = await hub.fetch('https://hub/watch', { headers: { upgrade: 'websocket' } })
    const socket = res.webSocket!
    const lines: string[] = []
    socket.accept()
    socket.addEventListener('message', (event) => lines.push(String(event.data)))
    await hub.subscribe('watched://x', 'some-session')
    await hub.unsubscribe('some-session')
    expect(await hubKeys('watched://x')).toEqual([])
    expect(await hub.write('watched://x', 2)).toBe(0)
    for (let i = 0; i < 50 && lines.length < 2; i++) await new Promise((r) => setTimeout(r, 20))
    expect(lines).toEqual(['ready', 'updated'])
    socket.close(1000, 'done')
  })
})

/** When the hub of `uri` has its alarm set for (null: none). */
function hubAlarm(uri: string): Promise<number | null> {
  return runInDurableObject(hubFor(env, uri), (_instance, state) => state.storage.getAlarm())
}

describe('hub alarm', () => {
  it('drops the subscribers whose sessions are gone, keeps the rest, and comes back', async () => {
    const [live, ended] = [await openSession(), await openSession()]
    for (const sessionId of [live, ended]) await subscription(sessionId, LEADERBOARD_URI, 1)
    const set = await hubAlarm(LEADERBOARD_URI)
    // Once per SESSION_TTL_MS (a day, by default).
    expect(set).toBeGreaterThan(Date.now() + 23 * 3_600_000)
    const res = await fetchApp('/mcp', { method: 'DELETE', headers: { 'mcp-session-id': ended } })
    expect(res.status).toBe(200)
    // Listed again, as if the ended session's leave had failed; and one that never existed.
    const hub = hubFor(env, LEADERBOARD_URI)
    const never = env.SESSION_DO.newUniqueId().toString()
    await hub.subscribe(LEADERBOARD_URI, ended)
    await hub.subscribe(LEADERBOARD_URI, never)
    await hub.subscribe(LEADERBOARD_URI, 'not-a-session-id')
    expect(await hubAlarm(LEADERBOARD_URI)).toBe(set)

    expect(await runDurableObjectAlarm(hub)).toBe(true)
    expect((await hubKeys(LEADERBOARD_URI)).sort()).toEqual([`sub:${live}`, 'uri'])
    expect(await hubAlarm(LEADERBOARD_URI)).toBeGreaterThan(Date.now() + 23 * 3_600_000)
  })

  it('a hub with no value and only gone subscribers deletes its storage, alarm included', async () => {
    const hub = hubFor(env, 'swept://gone')
    await hub.subscribe('swept://gone', env.SESSION_DO.newUniqueId().toString())
    expect(await hubAlarm('swept://gone')).not.toBeNull()
    expect(await runDurableObjectAlarm(hub)).toBe(true)
    expect(await hubKeys('swept://gone')).toEqual([])
    expect(await hubTables('swept://gone')).toEqual([])
    expect(await hubAlarm('swept://gone')).toBeNull()
  })

  it('a hub that holds a value keeps it, and sets no alarm once nobody is subscribed', async () => {
    const hub = hubFor(env, 'swept://kept')
    await hub.write('swept://kept', 7)
    await hub.subscribe('swept://kept', env.SESSION_DO.newUniqueId().toString())
    expect(await runDurableObjectAlarm(hub)).toBe(true)
    expect((await hubKeys('swept://kept')).sort()).toEqual(['uri', 'value'])
    expect(await hubAlarm('swept://kept')).toBeNull()
    expect(await hub.read()).toBe(7)
  })
})
