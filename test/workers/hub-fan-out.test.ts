/**
 * A hub's fan-out to hundreds of subscribed sessions. Invariant: a write is answered once the
 * value is stored, without waiting for the subscribers, and still reaches every one of them
 * (each session logs `notifications/resources/updated`, exactly once per write).
 */
import { runInDurableObject } from 'cloudflare:test'
import { env } from 'cloudflare:workers'
import { describe, expect, it } from 'vitest'
import { hubFor } from '../../src/shared-resource'
import { LEADERBOARD_URI } from '../fixtures/app/tools/leaderboard'
import { modern, postModern } from '../helpers/modern'
import { openSession, postMcp } from '../helpers/requests'
import { sessionObject } from '../helpers/session-storage'

const SUBSCRIBERS = 300

/** Opens `count` sessions subscribed to the leaderboard, `batch` at a time. */
async function subscribedSessions(count: number, batch = 25): Promise<string[]> {
  const ids: string[] = []
  for (let start = 0; start < count; start += batch) {
    const opened = await Promise.all(
      Array.from({ length: Math.min(batch, count - start) }, async (_, i) => {
        const sessionId = await openSession()
        const res = await postMcp(
          {
            jsonrpc: '2.0',
            id: start + i,
            method: 'resources/subscribe',
            params: { uri: LEADERBOARD_URI },
          },
          { 'mcp-session-id': sessionId },
        )
        expect(res.status).toBe(200)
        await res.text()
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

describe('a hub with hundreds of subscribers', () => {
  it('answers the writer at once and tells every subscriber, once per write', async () => {
    const sessions = await subscribedSessions(SUBSCRIBERS)
    const hub = hubFor(env, LEADERBOARD_URI)
    expect(await hub.subscribers()).toHaveLength(SUBSCRIBERS)

    const started = Date.now()
    await score('fan')
    const answered = Date.now() - started
    let logged: number[][] = []
    const deadline = Date.now() + 10_000
    do {
      // The log times tell when each was told; polling less often leaves the CPU to them.
      await new Promise((resolve) => setTimeout(resolve, 250))
      logged = await Promise.all(sessions.map(updatesLogged))
    } while (logged.some((times) => times.length === 0) && Date.now() < deadline)
    const last = Math.max(...logged.flat()) - started
    expect(logged.every((times) => times.length === 1)).toBe(true)
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
    for (let i = 0; i < 100 && subscribers.includes(gone); i++) {
      await new Promise((resolve) => setTimeout(resolve, 20))
      subscribers = await hub.subscribers()
    }
    expect(subscribers.sort()).toEqual(before.sort())
  })
})
