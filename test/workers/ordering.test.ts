/**
 * Ordering under load. Invariant: with many calls in flight in one session, every stream sees its
 * events in strictly increasing sequence, event ids are unique across the session, and every
 * result arrives exactly once.
 */
import { describe, expect, it } from 'vitest'
import { MSG, openSession, postMcp } from '../helpers/requests'
import { parseSSE } from '../helpers/sse'
import { openLegacy, postMessage, startLegacy } from '../helpers/sse-transport'

const CALLS = 20

const seqOf = (id: string) => Number(id.slice(id.lastIndexOf('_') + 1))

describe('ordering under load', () => {
  it(`${CALLS} concurrent calls on /mcp: per-stream order, unique ids, each result once`, async () => {
    const sessionId = await openSession()
    const bodies = await Promise.all(
      Array.from({ length: CALLS }, (_, i) =>
        postMcp(
          MSG.call('countdown', { from: 5, intervalMs: 1 }, 100 + i, { progressToken: `t${i}` }),
          {
            'mcp-session-id': sessionId,
          },
        ).then((res) => res.text()),
      ),
    )
    const allIds = new Set<string>()
    const results = new Map<number, number>()
    bodies.forEach((body, i) => {
      const events = parseSSE(body).events.filter((e) => e.event === 'message')
      const ids = events.map((e) => e.id!)
      const streams = new Set(ids.map((id) => id.slice(0, id.lastIndexOf('_'))))
      expect(streams.size).toBe(1)
      const seqs = ids.map(seqOf)
      expect(seqs).toEqual([...seqs].sort((a, b) => a - b))
      expect(new Set(seqs).size).toBe(seqs.length)
      for (const id of ids) allIds.add(id)
      const messages = events.map(
        (e) =>
          JSON.parse(e.data) as {
            id?: number
            params?: { progressToken: string; progress: number }
          },
      )
      expect(messages.slice(0, 5).map((m) => m.params)).toEqual(
        [1, 2, 3, 4, 5].map((p) =>
          expect.objectContaining({ progressToken: `t${i}`, progress: p }),
        ),
      )
      const result = messages[5]!
      expect(result.id).toBe(100 + i)
      results.set(result.id!, (results.get(result.id!) ?? 0) + 1)
    })
    expect(allIds.size).toBe(CALLS * 6)
    expect([...results.values()]).toEqual(Array(CALLS).fill(1))
  })

  it(`${CALLS} concurrent calls on one /sse stream: strictly increasing ids, each result once`, async () => {
    const { stream, sessionId } = await startLegacy()
    await postMessage(sessionId, MSG.initialize('2024-11-05'))
    await stream.nextMessage()
    await postMessage(sessionId, MSG.initialized)
    const accepted = await Promise.all(
      Array.from({ length: CALLS }, (_, i) =>
        postMessage(
          sessionId,
          MSG.call('countdown', { from: 3, intervalMs: 1 }, 200 + i, { progressToken: i }),
        ),
      ),
    )
    expect(accepted.map((r) => r.status)).toEqual(Array(CALLS).fill(202))
    const events = []
    for (let n = 0; n < CALLS * 4; n++) events.push(await stream.next())
    await stream.cancel()
    const seqs = events.map((e) => seqOf(e.id!))
    for (let i = 1; i < seqs.length; i++) expect(seqs[i]).toBeGreaterThan(seqs[i - 1]!)
    const messages = events.map(
      (e) =>
        JSON.parse(e.data) as { id?: number; params?: { progressToken: number; progress: number } },
    )
    const resultIds = messages.flatMap((m) => (m.id === undefined ? [] : [m.id]))
    expect(resultIds.sort((a, b) => a - b)).toEqual(
      Array.from({ length: CALLS }, (_, i) => 200 + i),
    )
    for (let i = 0; i < CALLS; i++) {
      const mine = messages.filter((m) => m.params?.progressToken === i || m.id === 200 + i)
      expect(mine.map((m) => m.params?.progress ?? 'result')).toEqual([1, 2, 3, 'result'])
    }
  })

  it('a reconnect with Last-Event-ID replays exactly what came after, nothing twice', async () => {
    const { stream, sessionId } = await startLegacy()
    await postMessage(sessionId, MSG.initialize('2024-11-05'))
    const init = await stream.next()
    await postMessage(sessionId, MSG.initialized)
    for (let i = 0; i < 5; i++)
      await postMessage(sessionId, MSG.call('echo', { text: `m${i}` }, 300 + i))
    const seen = [init]
    for (let i = 0; i < 2; i++) seen.push(await stream.next())
    await stream.cancel()
    await new Promise((resolve) => setTimeout(resolve, 500))
    const back = await openLegacy(sessionId, '/sse', seen.at(-1)!.id)
    await back.next()
    const rest = []
    for (let i = 0; i < 3; i++) rest.push(await back.next())
    expect(
      [...seen.slice(1), ...rest].map((e) => (JSON.parse(e.data) as { id: number }).id),
    ).toEqual([300, 301, 302, 303, 304])
    expect(await back.drain(200)).not.toContain('event: message')
    await back.cancel()
  })
})
