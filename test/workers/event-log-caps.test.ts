/**
 * The event log's byte cap holds in every case. Invariant: after any append, the UTF-8 bytes of
 * the events a session stores are at most `EVENT_LOG_MAX_BYTES`, however large one event is (the
 * newest stays alone when nothing else fits, and not even it when it alone is over the cap), and
 * an event the caps dropped is never skipped silently: a resume from before it is refused.
 */
import { runInDurableObject } from 'cloudflare:test'
import { describe, expect, it } from 'vitest'
import type { EventLog } from '../../durable/session/event-log/event-log'
import { cappedEventLog } from '../../durable/session/event-log/log-caps'
import { replayGap, resumePoint } from '../../durable/session/event-log/replay'
import { fetchApp, MSG, openSession, postMcp } from '../helpers/requests'
import { freshObject, sessionObject } from '../helpers/session-storage'
import {
  initializedLegacy,
  type LegacyStream,
  openLegacy,
  postMessage,
} from '../helpers/sse-transport'

/** What the log's table holds: its events, their `bytes` column, and their real UTF-8 size. */
function stored(sql: SqlStorage) {
  return sql
    .exec<{ events: number; bytes: number; utf8: number }>(
      `SELECT COUNT(*) AS events, COALESCE(SUM(bytes), 0) AS bytes,
         COALESCE(SUM(length(CAST(message AS BLOB))), 0) AS utf8 FROM mcp_events`,
    )
    .one()
}

/** The JSON of `note('')`: 71 bytes. */
const NOTE_OVERHEAD = 71

const note = (data: string) =>
  ({ jsonrpc: '2.0', method: 'notifications/message', params: { data } }) as const

/** A notification whose JSON is exactly `bytes` bytes long (ASCII). */
const sized = (bytes: number) => note('x'.repeat(bytes - NOTE_OVERHEAD))

/** Runs `body` with a log capped at `maxBytes`, over a fresh object's storage. */
function withCappedLog(maxBytes: number, body: (log: EventLog, sql: SqlStorage) => void) {
  return runInDurableObject(freshObject(), (_instance, state) => {
    const limits = { maxEvents: 1_000, maxBytes, maxAgeMs: 60_000 }
    body(
      cappedEventLog(state.storage.sql, limits, () => undefined),
      state.storage.sql,
    )
  })
}

describe('the event log byte cap', () => {
  it('keeps only the newest event when it alone is over 90 % of the cap', async () => {
    await withCappedLog(10_000, (log, sql) => {
      for (let i = 0; i < 5; i++) log.append('get', sized(1_000))
      expect(stored(sql)).toEqual({ events: 5, bytes: 5_000, utf8: 5_000 })
      // 14,500 bytes: over the cap; pruned towards 9,000, which the newest alone exceeds.
      expect(log.append('get', sized(9_500))).toBe('get_6')
      expect(stored(sql)).toEqual({ events: 1, bytes: 9_500, utf8: 9_500 })
      log.append('get', sized(400))
      expect(stored(sql)).toEqual({ events: 2, bytes: 9_900, utf8: 9_900 })
      log.append('get', sized(9_500))
      expect(stored(sql)).toEqual({ events: 1, bytes: 9_500, utf8: 9_500 })
      expect(log.eventsAfter('get', 0).map((event) => event.id)).toEqual(['get_8'])
    })
  })

  it('keeps one of many events each just under the cap, append after append', async () => {
    await withCappedLog(10_000, (log, sql) => {
      for (let i = 1; i <= 50; i++) {
        log.append('get', sized(9_999))
        expect(stored(sql)).toEqual({ events: 1, bytes: 9_999, utf8: 9_999 })
      }
      expect(log.eventsAfter('get', 0).map((event) => event.id)).toEqual(['get_50'])
    })
  })

  it('keeps no event that alone is over the cap, and knows what it dropped', async () => {
    await withCappedLog(10_000, (log, sql) => {
      log.append('get', sized(1_000))
      log.append('get', sized(1_000))
      expect(log.append('get', sized(12_000))).toBe('get_3')
      expect(stored(sql)).toEqual({ events: 0, bytes: 0, utf8: 0 })
      expect([0, 1, 2].map((seq) => log.prunedAfter('get', seq))).toEqual([true, true, true])
      // A client that has get_3 missed nothing; another stream lost nothing.
      expect(log.prunedAfter('get', 3)).toBe(false)
      expect(log.prunedAfter('sse', 0)).toBe(false)
      log.append('get', sized(500))
      expect(stored(sql)).toEqual({ events: 1, bytes: 500, utf8: 500 })
      expect(log.prunedAfter('get', 3)).toBe(false)
    })
  })

  it.each([
    ['€', 3],
    ['😀', 4],
  ])('counts UTF-8 bytes, not UTF-16 units (%s: %i bytes)', async (char, charBytes) => {
    await withCappedLog(2_000, (log, sql) => {
      // 400 of them: 1,271 bytes (€) or 1,671 (😀); UTF-16 would count 471 or 871.
      const bytes = NOTE_OVERHEAD + 400 * charBytes
      for (let i = 0; i < 10; i++) {
        log.append('get', note(char.repeat(400)))
        expect(stored(sql).utf8).toBeLessThanOrEqual(2_000)
      }
      expect(stored(sql)).toEqual({ events: 1, bytes, utf8: bytes })
    })
  })

  it('a resume of a reply stream from before a dropped event is refused, from after it not', async () => {
    await withCappedLog(10_000, (log) => {
      const stream = log.openReplyStream([1, 2])
      log.append(stream, sized(1_000))
      log.append(stream, sized(1_000))
      log.append(stream, sized(9_500))
      log.append(stream, sized(300))
      const resume = (lastEventId: string) => {
        const point = resumePoint(log, lastEventId, ['reply'])
        if (point instanceof Response) throw new Error(`refused ${lastEventId}`)
        return replayGap(log, point)
      }
      expect(resume('p1_1')?.status).toBe(400)
      expect(resume('p1_2')).toBeUndefined()
      expect(log.eventsAfter(stream, 2).map((event) => event.id)).toEqual(['p1_3', 'p1_4'])
    })
  })

  it('the alarm’s prune holds the cap too: an event alone over it goes', async () => {
    await withCappedLog(1_000_000, (log, sql) => {
      log.append('get', sized(3_000))
      log.append('get', sized(5_000))
      expect(log.prune({ maxEvents: 1_000, maxBytes: 4_000, maxAgeMs: 60_000 })).toBe(2)
      expect(stored(sql)).toEqual({ events: 0, bytes: 0, utf8: 0 })
      log.append('get', sized(3_000))
      log.append('get', sized(3_500))
      expect(log.prune({ maxEvents: 1_000, maxBytes: 4_000, maxAgeMs: 60_000 })).toBe(1)
      expect(stored(sql)).toEqual({ events: 1, bytes: 3_500, utf8: 3_500 })
    })
  })
})

/** The session's event log table and its database, as its object stores them. */
function sessionStorage(sessionId: string) {
  return runInDurableObject(sessionObject(sessionId), (_instance, state) => ({
    ...stored(state.storage.sql),
    databaseSize: state.storage.sql.databaseSize,
    /** The sizes of the events over 100 KB, oldest first. */
    big: state.storage.sql
      .exec<{ bytes: number }>('SELECT bytes FROM mcp_events WHERE bytes > 100000 ORDER BY seq')
      .toArray()
      .map((row) => row.bytes),
  }))
}

/**
 * Reads `stream` until it carried the id of another event, and returns that id. Multi-megabyte
 * events are scanned as they come (the helper's `next()` parses all it has on every read).
 */
async function nextEventId(stream: LegacyStream, seen: Set<string>): Promise<string> {
  const deadline = Date.now() + 20_000
  let text = ''
  while (Date.now() < deadline) {
    text = text.slice(-64) + (await stream.drain(100))
    const id = [...text.matchAll(/\nid: (sse_\d+)\n/g)].map((m) => m[1]!).find((i) => !seen.has(i))
    if (id !== undefined) {
      seen.add(id)
      return id
    }
  }
  throw new Error('no new event id within 20 s')
}

describe('the byte cap on a session', () => {
  // Replies stay under RESPONSE_MAX_BYTES (1 MiB), so a session's log meets its 4 MiB cap by
  // adding up; counted in UTF-16 units, each of these replies in € would weigh a third of itself.
  /** 990,000 bytes of UTF-8, 330,000 UTF-16 units. */
  const EUROS = '€'.repeat(330_000)

  it('/sse: six 1 MB replies in € keep the log within its cap, counted in UTF-8', async () => {
    const { stream, sessionId } = await initializedLegacy()
    const seen = new Set<string>()
    for (let i = 0; i < 6; i++) {
      const posted = await postMessage(sessionId, MSG.call('echo', { text: EUROS }, 10 + i))
      expect(posted.status).toBe(202)
      await nextEventId(stream, seen)
    }
    expect([...seen]).toEqual(['sse_2', 'sse_3', 'sse_4', 'sse_5', 'sse_6', 'sse_7'])
    // The legacy stream group-commits: closing the connection logs what it carried.
    await stream.cancel()
    await new Promise((resolve) => setTimeout(resolve, 500))
    const storage = await sessionStorage(sessionId)
    // Over the cap at the fifth reply: pruned to 90 % (the newest three), then a fourth.
    expect(storage).toMatchObject({ events: 4, bytes: 3_960_296, utf8: 3_960_296 })
    expect(storage.databaseSize).toBeLessThan(4.5 * 1024 * 1024)
  })

  it('/mcp: six 1 MB replies in €, on streams the client dropped, keep the log within its cap', async () => {
    const sessionId = await openSession('2025-03-26')
    for (let i = 0; i < 6; i++) {
      // The progress makes the reply a stream; the client drops it before the echo's response.
      const batch = [
        MSG.call('countdown', { from: 1, intervalMs: 50 }, 100 + i, { progressToken: i }),
        MSG.call('echo', { text: EUROS }, 200 + i),
      ]
      const res = await postMcp(batch, { 'mcp-session-id': sessionId })
      expect(res.headers.get('content-type')).toBe('text/event-stream')
      await res.body!.cancel()
      await new Promise((resolve) => setTimeout(resolve, 150))
    }
    const storage = await sessionStorage(sessionId)
    expect(storage.bytes).toBe(storage.utf8)
    expect(storage.bytes).toBeLessThanOrEqual(4 * 1024 * 1024)
    // The newest four echoes (990,075 bytes each), and some of the countdowns'
    // small events: which of those go first depends on the order the two calls' events came in.
    expect(storage.big).toEqual([990_075, 990_075, 990_075, 990_075])
    expect(storage.databaseSize).toBeLessThan(4.5 * 1024 * 1024)
  })

  it('/sse: a resume from before what the cap dropped is refused; from after, replayed', async () => {
    const { stream, sessionId } = await initializedLegacy()
    const seen = new Set<string>()
    for (let i = 0; i < 6; i++) {
      const posted = await postMessage(sessionId, MSG.call('echo', { text: EUROS }, 10 + i))
      expect(posted.status).toBe(202)
      await nextEventId(stream, seen)
    }
    await stream.cancel()
    await new Promise((resolve) => setTimeout(resolve, 500))
    // sse_1 is initialize's response; the cap dropped it and the first two echoes'.
    const refused = await fetchApp(`/sse?sessionId=${sessionId}`, {
      headers: { accept: 'text/event-stream', 'last-event-id': 'sse_1' },
    })
    expect(refused.status).toBe(400)
    expect(await refused.json()).toEqual({
      jsonrpc: '2.0',
      id: null,
      error: {
        code: -32000,
        message: 'Bad Request: events after this Last-Event-ID are no longer in the event log',
      },
    })
    const resumed = await openLegacy(sessionId, '/sse', 'sse_3')
    expect(resumed.response.status).toBe(200)
    expect(await nextEventId(resumed, new Set())).toBe('sse_4')
    await resumed.cancel()
  })
})
