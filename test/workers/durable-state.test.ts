/**
 * Sessions that never get lost. Invariant: whatever happens to the object between two requests
 * (eviction, a hard restart, an idle alarm), the session either answers exactly as before, with
 * every event it owes the client, or is gone completely (404, no storage left).
 */

import {
  abortAllDurableObjects,
  evictDurableObject,
  runDurableObjectAlarm,
  runInDurableObject,
} from 'cloudflare:test'
import { McpServer } from '@modelcontextprotocol/server'
import { describe, expect, it } from 'vitest'
import { SessionChannels } from '../../durable/session/boot/session-channels'
import { startLiveSession } from '../../durable/session/boot/start-live-session'
import { EventLog } from '../../durable/session/event-log/event-log'
import type { SessionRecord } from '../../durable/session/session-state'
import { SessionTransport } from '../../durable/session/transport/session-transport'
import { readSessionConfig } from '../../src/session-config'
import { expectRpcError, MSG, openSession, postMcp, resumeMcp } from '../helpers/requests'
import { freshObject, sessionObject, storedEntries } from '../helpers/session-storage'
import { parseSSE } from '../helpers/sse'
import { LegacyStream, openLegacy, postMessage, startLegacy } from '../helpers/sse-transport'

const wait = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms))

/** The SQL tables the session's object holds, with their row counts. */
function tables(sessionId: string): Promise<Record<string, number>> {
  return runInDurableObject(sessionObject(sessionId), (_instance, state) => {
    const names = state.storage.sql
      .exec<{ name: string }>(
        "SELECT name FROM sqlite_master WHERE type = 'table' AND name LIKE 'mcp_%'",
      )
      .toArray()
      .map((row) => row.name)
    return Object.fromEntries(
      names.map((name) => [
        name,
        state.storage.sql.exec<{ n: number }>(`SELECT COUNT(*) AS n FROM ${name}`).one().n,
      ]),
    )
  })
}

describe('unsent events survive eviction', () => {
  it('legacy: replies logged while disconnected are replayed after an eviction', async () => {
    const { stream, sessionId, endpoint } = await startLegacy()
    await postMessage(sessionId, MSG.initialize('2024-11-05'))
    const init = await stream.next()
    await postMessage(sessionId, MSG.initialized)
    await postMessage(sessionId, MSG.call('remember', { key: 'k', note: 'kept' }, 2))
    await stream.next()
    await stream.cancel()
    await wait(500)
    expect((await postMessage(sessionId, MSG.call('recall', { key: 'k' }, 3))).status).toBe(202)
    await evictDurableObject(sessionObject(sessionId))

    const back = await openLegacy(sessionId, '/sse', init.id)
    expect(await back.next()).toEqual({ event: 'endpoint', data: endpoint })
    expect(JSON.parse((await back.next()).data)).toMatchObject({ id: 2, result: {} })
    expect(JSON.parse((await back.next()).data)).toEqual({
      jsonrpc: '2.0',
      id: 3,
      result: { content: [{ type: 'text', text: 'kept' }] },
    })
    await back.cancel()
  })

  it('/mcp: a cut reply is replayed after an eviction, final response included', async () => {
    const sessionId = await openSession()
    const res = await postMcp(
      MSG.call('countdown', { from: 3, intervalMs: 20 }, 9, { progressToken: 'e' }),
      {
        'mcp-session-id': sessionId,
      },
    )
    const stream = new LegacyStream(res)
    await stream.next()
    const first = await stream.next()
    await stream.cancel()
    await wait(300)
    await evictDurableObject(sessionObject(sessionId))
    const { events } = parseSSE(await (await resumeMcp(sessionId, first.id!)).text())
    expect(events.map((e) => e.id)).toEqual(['p1_1', 'p1_2', 'p1_3', 'p1_4'])
    expect(JSON.parse(events.at(-1)!.data)).toMatchObject({
      id: 9,
      result: { content: [{ text: 'Liftoff!' }] },
    })
  })
})

describe('a hard restart mid-call', () => {
  it('answers the lost request with an error in its stream, so the client never hangs', async () => {
    const sessionId = await openSession()
    const res = await postMcp(
      MSG.call('countdown', { from: 50, intervalMs: 50 }, 11, { progressToken: 'x' }),
      {
        'mcp-session-id': sessionId,
      },
    )
    const stream = new LegacyStream(res)
    await stream.next()
    const first = await stream.next()
    await abortAllDurableObjects()

    const { events } = parseSSE(await (await resumeMcp(sessionId, first.id!)).text())
    const last = JSON.parse(events.at(-1)!.data)
    expect(last).toEqual({
      jsonrpc: '2.0',
      id: 11,
      error: {
        code: -32603,
        message: 'Request interrupted: the server restarted before it finished; please retry',
      },
    })
    for (const event of events.slice(1, -1)) {
      expect(JSON.parse(event.data)).toMatchObject({ method: 'notifications/progress' })
    }
    // The session itself is intact.
    const ping = await postMcp(MSG.ping(12), { 'mcp-session-id': sessionId })
    expect(await ping.json()).toEqual({ jsonrpc: '2.0', id: 12, result: {} })
  })
})

describe('a hard restart mid-call on /sse', () => {
  it('answers the lost request on the stream after a reconnect; nothing hangs', async () => {
    const { stream, sessionId } = await startLegacy()
    await postMessage(sessionId, MSG.initialize('2024-11-05'))
    await stream.next()
    await postMessage(sessionId, MSG.initialized)
    await postMessage(
      sessionId,
      MSG.call('countdown', { from: 50, intervalMs: 50 }, 13, { progressToken: 'y' }),
    )
    const progress = await stream.next()
    expect(JSON.parse(progress.data)).toMatchObject({ method: 'notifications/progress' })
    // The legacy stream group-commits (EVENT_LOG_LEGACY_DELAY_MS, 200 ms here): a request still
    // running after that is on record, and so are the events the client was sent.
    await wait(300)
    await abortAllDurableObjects()

    const back = await openLegacy(sessionId, '/sse', progress.id)
    await back.next()
    let last = await back.next()
    while (JSON.parse(last.data).method === 'notifications/progress') last = await back.next()
    expect(JSON.parse(last.data)).toEqual({
      jsonrpc: '2.0',
      id: 13,
      error: {
        code: -32603,
        message: 'Request interrupted: the server restarted before it finished; please retry',
      },
    })
    // Answered requests are not tracked any more, so a second restart invents nothing.
    await back.cancel()
    await wait(500)
    await abortAllDurableObjects()
    const again = await openLegacy(sessionId, '/sse', last.id)
    await again.next()
    expect(await again.drain(300)).not.toContain('event: message')
    await again.cancel()
  })
})

describe('idle expiry', () => {
  it('schedules an alarm when the session starts: its expiry, not an early wake', async () => {
    const before = Date.now()
    const sessionId = await openSession()
    const alarm = await runInDurableObject(sessionObject(sessionId), (_i, state) =>
      state.storage.getAlarm(),
    )
    // SESSION_UNUSED_TTL_MS (10 min) from the start: an idle object is left to hibernate.
    expect(alarm).toBeGreaterThanOrEqual(before + 10 * 60_000)
    expect(alarm).toBeLessThanOrEqual(Date.now() + 10 * 60_000)
  })

  it('logged events bring the alarm no closer than their age cap (EVENT_LOG_MAX_AGE_MS)', async () => {
    const sessionId = await openSession()
    const streamed = await postMcp(
      MSG.call('countdown', { from: 1, intervalMs: 0 }, 5, { progressToken: 't' }),
      { 'mcp-session-id': sessionId },
    )
    expect(streamed.headers.get('content-type')).toBe('text/event-stream')
    await streamed.text()
    // Logging never brings the alarm forward: the first one is still the unused-session
    // expiry; when it runs, the session was used (24 h TTL): it comes back when logged events
    // age out (1 h) or at the expiry, never sooner, since the caps are kept at append time.
    const alarmAt = () =>
      runInDurableObject(sessionObject(sessionId), (_i, state) => state.storage.getAlarm())
    expect(await alarmAt()).toBeGreaterThan(Date.now() + 9 * 60_000)
    expect(await runDurableObjectAlarm(sessionObject(sessionId))).toBe(true)
    const next = (await alarmAt())!
    expect(next).toBeGreaterThan(Date.now() + 59 * 60_000)
  })

  it('an alarm after the TTL deletes everything; the id then answers 404', async () => {
    const sessionId = await openSession()
    await postMcp(MSG.call('remember', { key: 'a', note: 'b' }), {
      'mcp-session-id': sessionId,
    }).then((r) => r.text())
    const day = 24 * 60 * 60 * 1000
    await runInDurableObject(sessionObject(sessionId), (_i, state) => {
      const record = state.storage.kv.get<SessionRecord>('session')!
      state.storage.kv.put('session', { ...record, lastSeenAt: Date.now() - day - 1 })
    })
    await evictDurableObject(sessionObject(sessionId))
    expect(await runDurableObjectAlarm(sessionObject(sessionId))).toBe(true)
    expect(await storedEntries(sessionId)).toEqual([])
    expect(await tables(sessionId)).toEqual({})
    expect(
      await runInDurableObject(sessionObject(sessionId), (_i, s) => s.storage.getAlarm()),
    ).toBeNull()
    await expectRpcError(await postMcp(MSG.ping(), { 'mcp-session-id': sessionId }), 404, -32001)
  })

  it('a legacy session expires the same way (/messages → 404)', async () => {
    const { stream, sessionId } = await startLegacy()
    await stream.cancel()
    await wait(500)
    await runInDurableObject(sessionObject(sessionId), (_i, state) => {
      const record = state.storage.kv.get<SessionRecord>('session')!
      state.storage.kv.put('session', { ...record, lastSeenAt: 0 })
    })
    expect(await runDurableObjectAlarm(sessionObject(sessionId))).toBe(true)
    expect(await storedEntries(sessionId)).toEqual([])
    await expectRpcError(await postMessage(sessionId, MSG.ping()), 404, -32001)
  })

  it('an alarm within the TTL keeps the session and re-arms', async () => {
    const sessionId = await openSession()
    expect(await runDurableObjectAlarm(sessionObject(sessionId))).toBe(true)
    const ping = await postMcp(MSG.ping(3), { 'mcp-session-id': sessionId })
    expect(ping.status).toBe(200)
    await ping.text()
    const alarm = await runInDurableObject(sessionObject(sessionId), (_i, s) =>
      s.storage.getAlarm(),
    )
    expect(alarm).toBeGreaterThan(Date.now())
  })

  /** Makes the session look idle for `ms`, as far as its alarm can tell. */
  const idleFor = (sessionId: string, ms: number) =>
    runInDurableObject(sessionObject(sessionId), (_i, state) => {
      const record = state.storage.kv.get<SessionRecord>('session')!
      state.storage.kv.put('session', { ...record, lastSeenAt: Date.now() - ms })
    })
  const recordOf = (sessionId: string) =>
    runInDurableObject(sessionObject(sessionId), (_i, state) =>
      state.storage.kv.get<SessionRecord>('session'),
    )
  const UNUSED_TTL = 10 * 60 * 1000

  it('a session no request followed is ended after SESSION_UNUSED_TTL_MS; its first alarm is due by then', async () => {
    const sessionId = await openSession()
    // initialize and notifications/initialized only: `initialized` waits for a first request.
    expect(await recordOf(sessionId)).toMatchObject({ unused: true, initialized: false })
    const alarm = await runInDurableObject(sessionObject(sessionId), (_i, s) =>
      s.storage.getAlarm(),
    )
    expect(alarm).toBeLessThanOrEqual(Date.now() + UNUSED_TTL)
    await idleFor(sessionId, UNUSED_TTL + 1)
    expect(await runDurableObjectAlarm(sessionObject(sessionId))).toBe(true)
    expect(await storedEntries(sessionId)).toEqual([])
    await expectRpcError(await postMcp(MSG.ping(), { 'mcp-session-id': sessionId }), 404, -32001)
  })

  it('an evicted session set up in full still expires: its alarm is due within the unused TTL', async () => {
    const sessionId = await openSession()
    const call = await postMcp(MSG.call('echo', { text: 'x' }, 3), { 'mcp-session-id': sessionId })
    await call.text()
    await evictDurableObject(sessionObject(sessionId))
    const alarm = await runInDurableObject(sessionObject(sessionId), (_i, s) =>
      s.storage.getAlarm(),
    )
    expect(alarm).toBeGreaterThan(Date.now())
    expect(alarm).toBeLessThanOrEqual(Date.now() + UNUSED_TTL)
    expect(await recordOf(sessionId)).toMatchObject({ initialized: true })
    expect(await recordOf(sessionId)).not.toHaveProperty('unused')
    // Idle past the full TTL: the alarm ends it, though no instance stayed up to remember it.
    await idleFor(sessionId, 24 * 60 * 60 * 1000 + 1)
    await evictDurableObject(sessionObject(sessionId))
    expect(await runDurableObjectAlarm(sessionObject(sessionId))).toBe(true)
    expect(await storedEntries(sessionId)).toEqual([])
  })

  it('one request after initialize gives the session the full TTL', async () => {
    const sessionId = await openSession()
    const ping = await postMcp(MSG.ping(3), { 'mcp-session-id': sessionId })
    expect(ping.status).toBe(200)
    await ping.text()
    expect((await recordOf(sessionId))?.unused).toBeUndefined()
    await idleFor(sessionId, UNUSED_TTL + 1)
    expect(await runDurableObjectAlarm(sessionObject(sessionId))).toBe(true)
    expect((await storedEntries(sessionId)).map(([k]) => k)).toContain('session')
    const alarm = await runInDurableObject(sessionObject(sessionId), (_i, s) =>
      s.storage.getAlarm(),
    )
    expect(alarm).toBeGreaterThan(Date.now())
  })

  it('notifications alone leave a session unused', async () => {
    const sessionId = await openSession()
    const note = await postMcp(
      { jsonrpc: '2.0', method: 'notifications/roots/list_changed' },
      { 'mcp-session-id': sessionId },
    )
    expect(note.status).toBe(202)
    expect((await recordOf(sessionId))?.unused).toBe(true)
  })

  it('legacy: initialize through /messages leaves the session unused; the next request uses it', async () => {
    const { stream, sessionId } = await startLegacy()
    await postMessage(sessionId, MSG.initialize('2024-11-05'))
    await stream.next()
    expect((await recordOf(sessionId))?.unused).toBe(true)
    await postMessage(sessionId, MSG.ping(2))
    await stream.next()
    expect((await recordOf(sessionId))?.unused).toBeUndefined()
    await stream.cancel()
  })

  it('a client holding a stream open is not idle', async () => {
    const { stream, sessionId } = await startLegacy()
    await runInDurableObject(sessionObject(sessionId), (_i, state) => {
      const record = state.storage.kv.get<SessionRecord>('session')!
      state.storage.kv.put('session', { ...record, lastSeenAt: 0 })
    })
    expect(await runDurableObjectAlarm(sessionObject(sessionId))).toBe(true)
    expect((await storedEntries(sessionId)).map(([k]) => k)).toContain('session')
    await stream.cancel()
  })
})

describe('the event log', () => {
  /** Runs `body` with an EventLog over a fresh object's storage. */
  function withLog<T>(body: (log: EventLog, sql: SqlStorage) => T) {
    return runInDurableObject(freshObject(), (_i, state) =>
      body(new EventLog(state.storage.sql), state.storage.sql),
    )
  }

  it('numbers events session-wide and ids name their stream', async () => {
    await withLog((log) => {
      const a = log.openReplyStream([1])
      expect(a).toBe('p1')
      expect(log.append(a, MSG.ping(1))).toBe('p1_1')
      expect(log.append('get', MSG.initialized)).toBe('get_2')
      expect(log.openReplyStream([2])).toBe('p2')
      expect(log.append('p2', MSG.ping(2))).toBe('p2_3')
      expect(log.eventsAfter('p1', 0).map((e) => e.id)).toEqual(['p1_1'])
      expect(log.primingId('p2')).toBe('p2_3')
    })
  })

  it('prunes delivered streams, then by age, count and bytes, and never reuses a seq', async () => {
    await withLog((log, sql) => {
      const delivered = log.openReplyStream([1])
      log.append(delivered, MSG.ping(1))
      log.finishStream(delivered)
      log.markDelivered(delivered)
      for (let i = 0; i < 10; i++)
        log.append('get', { ...MSG.initialized, params: { i, pad: 'x'.repeat(100) } })
      expect(log.prune({ maxEvents: 1_000, maxBytes: 1_000_000, maxAgeMs: 60_000 })).toBe(1)
      expect(log.streamState(delivered)).toBeUndefined()
      expect(log.prune({ maxEvents: 6, maxBytes: 1_000_000, maxAgeMs: 60_000 })).toBe(4)
      const bytes = log.size().bytes
      expect(log.prune({ maxEvents: 6, maxBytes: Math.ceil(bytes / 2), maxAgeMs: 60_000 })).toBe(3)
      expect(log.size().events).toBe(3)
      expect(log.eventsAfter('get', 0).map((e) => e.id)).toEqual(['get_9', 'get_10', 'get_11'])
      sql.exec('UPDATE mcp_events SET at = 0')
      expect(log.prune({ maxEvents: 6, maxBytes: 1_000_000, maxAgeMs: 60_000 })).toBe(3)
      expect(log.append('get', MSG.initialized)).toBe('get_12')
    })
  })

  it('never reissues a seq it handed out without logging, even after a restart', async () => {
    await withLog((log, sql) => {
      expect(log.append('sse', MSG.initialized)).toBe('sse_1')
      expect([log.allocate('sse'), log.allocate('sse')]).toEqual([2, 3])
      const restarted = new EventLog(sql)
      const seq = restarted.allocate('sse')
      expect(seq).toBeGreaterThan(3)
      expect(restarted.issued(3)).toBe(true)
      expect(restarted.append('sse', MSG.ping(1), seq)).toBe(`sse_${seq}`)
      expect(restarted.append('sse', MSG.ping(2))).toBe(`sse_${seq + 1}`)
      expect(restarted.eventsAfter('sse', 0).map((e) => e.id)).toEqual([
        'sse_1',
        `sse_${seq}`,
        `sse_${seq + 1}`,
      ])
    })
  })

  it('keeps the server→client request counter across instances', async () => {
    await withLog((log, sql) => {
      expect([log.nextRequestId(), log.nextRequestId()]).toEqual([1, 2])
      expect(new EventLog(sql).nextRequestId()).toBe(3)
    })
  })
})

describe('server→client request ids', () => {
  it('go out under session-wide ids, come back under the server’s own; strays are dropped', async () => {
    let next = 41
    const transport = new SessionTransport('s', {
      requests: { open: () => ++next, settle: () => undefined },
    })
    const sent: unknown[] = []
    const received: unknown[] = []
    transport.onmessage = (message) => received.push(message)
    transport.setStandalone({ closed: false, send: (message) => sent.push(message) })
    await transport.send({ jsonrpc: '2.0', id: 0, method: 'roots/list' })
    await transport.send({ jsonrpc: '2.0', id: 1, method: 'ping' })
    expect(sent).toEqual([
      { jsonrpc: '2.0', id: 42, method: 'roots/list' },
      { jsonrpc: '2.0', id: 43, method: 'ping' },
    ])
    transport.receive({ jsonrpc: '2.0', id: 43, result: {} })
    transport.receive({ jsonrpc: '2.0', id: 42, result: { roots: [] } })
    transport.receive({ jsonrpc: '2.0', id: 42, result: { roots: [] } })
    expect(received).toEqual([
      { jsonrpc: '2.0', id: 1, result: {} },
      { jsonrpc: '2.0', id: 0, result: { roots: [] } },
    ])
  })
})

describe('restoring a session into a fresh server', () => {
  it('re-applies the stored log level, so filtering survives eviction', async () => {
    await runInDurableObject(freshObject(), async (_i, state) => {
      const log = new EventLog(state.storage.sql)
      const server = new McpServer({ name: 't', version: '1' }, { capabilities: { logging: {} } })
      const record: SessionRecord = {
        schema: 1,
        kind: 'streamable-http',
        principal: 'anonymous',
        protocolVersion: '2025-11-25',
        initializeParams: {
          protocolVersion: '2025-11-25',
          capabilities: {},
          clientInfo: { name: 'c', version: '1' },
        },
        initialized: true,
        logLevel: 'error',
        createdAt: 0,
        lastSeenAt: 0,
      }
      const config = readSessionConfig({})
      const wiring = new SessionChannels({
        sessionId: 'sid',
        env: {},
        plugins: [],
        record,
        log,
        config,
      })
      await startLiveSession(server, wiring, log, config, record, true)
      await server.sendLoggingMessage({ level: 'info', data: 'filtered out' }, 'sid')
      expect(log.size().events).toBe(0)
      await server.sendLoggingMessage({ level: 'error', data: 'kept' }, 'sid')
      expect(log.eventsAfter('get', 0).map((e) => e.message)).toEqual([
        {
          jsonrpc: '2.0',
          method: 'notifications/message',
          params: { level: 'error', data: 'kept' },
        },
      ])
    })
  })

  it('a server without logging refuses setLevel, and nothing is stored', async () => {
    const sessionId = await openSession()
    const res = await postMcp(
      { jsonrpc: '2.0', id: 5, method: 'logging/setLevel', params: { level: 'error' } },
      { 'mcp-session-id': sessionId },
    )
    expect(await res.json()).toMatchObject({ id: 5, error: { code: -32601 } })
    const record = new Map(await storedEntries(sessionId)).get('session') as SessionRecord
    expect(record.logLevel).toBeUndefined()
  })
})
