/**
 * A hub's fan-out to hundreds of subscribed sessions. Invariant: a write is answered once the
 * value is stored, without waiting for the subscribers, and still reaches every one of them
 * (each session logs `notifications/resources/updated`, exactly once per write).
 */
import { runInDurableObject } from 'cloudflare:test'
import { env } from 'cloudflare:workers'
import { beforeAll, describe, expect, it } from 'vitest'
import { hubFor } from '../../src/shared-resource'
import { LEADERBOARD_URI } from '../fixtures/app/tools/leaderboard'
import { modern, postModern } from '../helpers/modern'
import { MSG, postMcp } from '../helpers/requests'
import { sessionObject } from '../helpers/session-storage'

const SUBSCRIBERS = 300

/**
 * Opens `count` sessions subscribed to the leaderboard, `batch` at a time: each one an
 * `initialize`, then `notifications/initialized` and `resources/subscribe` in one batch
 * (2025-03-26), so setting up costs two requests a session rather than three.
 */
async function subscribedSessions(count: number, batch = 25): Promise<string[]> {
  const ids: string[] = []
  for (let start = 0; start < count; start += batch) {
    const opened = await Promise.all(
      Array.from({ length: Math.min(batch, count - start) }, async (_, i) => {
        const init = await postMcp(MSG.initialize('2025-03-26'))
        expect(init.status).toBe(200)
        await init.text()
        const sessionId = init.headers.get('mcp-session-id')!
        const subscribe = {
          jsonrpc: '2.0',
          id: start + i,
          method: 'resources/subscribe',
          params: { uri: LEADERBOARD_URI },
        }
        const res = await postMcp([MSG.initialized, subscribe], { 'mcp-session-id': sessionId })
        expect(res.status).toBe(200)
        expect(await res.json()).toEqual([{ jsonrpc: '2.0', id: start + i, result: {} }])
        return sessionId
      }),
    )
    ids.push(...opened)
  }
  return ids
}

/** When the session logged each `resources/updated` it got (ms since the epoch). */
function updatesLogged(sessionId: string): Promise<number[]> {
  return runInDurableObject(sessionObject(sessionId), (_instance, state) => {
    const sql = state.storage.sql
    // The log's tables are made with its first event.
    const logged = sql.exec("SELECT 1 FROM sqlite_master WHERE name = 'mcp_events'").toArray()
    if (logged.length === 0) return []
    return sql
      .exec<{ at: number }>(
        "SELECT at FROM mcp_events WHERE message LIKE '%notifications/resources/updated%'",
      )
      .toArray()
      .map((row) => row.at)
  })
}

async function score(player: string): Promise<void> {
  const res = await postModern(
    modern('tools/call', { name: 'score', arguments: { player, points: 1 } }, 's'),
  )
  expect(await res.text()).toContain(`${player} now has`)
}

/** The subscribed sessions, opened once for the file (no test's own budget pays for that). */
let sessions: string[] = []

// The pool loads the SDK v2 modules on the first modern request (`score` is one): that, too,
// before the tests.
beforeAll(async () => {
  sessions = await subscribedSessions(SUBSCRIBERS)
  await (await postModern(modern('server/discover'))).text()
}, 180_000)

describe('a hub with hundreds of subscribers', () => {
  it('answers the writer at once and tells every subscriber, once per write', async () => {
    const hub = hubFor(env, LEADERBOARD_URI)
    expect(await hub.subscribers()).toHaveLength(SUBSCRIBERS)

    const started = Date.now()
    await score('fan')
    const answered = Date.now() - started
    // The log times tell when each was told. The sessions are asked one at a time, and one
    // not told yet is asked again a little later, so the polling leaves the CPU to the fan-out.
    const logged: number[][] = []
    const deadline = Date.now() + 15_000
    for (const sessionId of sessions) {
      let times = await updatesLogged(sessionId)
      while (times.length === 0 && Date.now() < deadline) {
        await new Promise((resolve) => setTimeout(resolve, 100))
        times = await updatesLogged(sessionId)
      }
      logged.push(times)
    }
    expect(logged.every((times) => times.length === 1)).toBe(true)
    const last = Math.max(...logged.flat()) - started
    expect(answered).toBeLessThan(last)
    // The target is 1000 within 2 s in production; here every object shares one busy thread.
    expect(last).toBeLessThan(5_000)
    // Every session is still subscribed (nobody was dropped as dead).
    expect(await hub.subscribers()).toHaveLength(SUBSCRIBERS)
  })

  it('drops subscribers that are gone, together, and keeps the rest', async () => {
    const hub = hubFor(env, LEADERBOARD_URI)
    const before = await hub.subscribers()
    const gone = env.SESSION_DO.newUniqueId().toString()
    await hub.subscribe(LEADERBOARD_URI, gone)
    await score('sweep')
    let subscribers = await hub.subscribers()
    // Gone sessions are dropped once the fan-out to all of them is done.
    const deadline = Date.now() + 15_000
    while (subscribers.includes(gone) && Date.now() < deadline) {
      await new Promise((resolve) => setTimeout(resolve, 50))
      subscribers = await hub.subscribers()
    }
    expect(subscribers.sort()).toEqual(before.sort())
  })
})
