/**
 * How the legacy stream logs (group commit) and when a legacy request is made safe before its
 * 202. Invariants: every event keeps the seq it was sent with; what a connection carried is in
 * the log within the delay and the moment it closes; what no connection took, and every request
 * still unanswered, is in storage before the request is acknowledged.
 */
import type { JSONRPCMessage, RequestId } from '@modelcontextprotocol/sdk/types.js'
import { describe, expect, it } from 'vitest'
import { LegacyRequests } from '../../durable/legacy-requests'
import { type EventJournal, formatEventId, LEGACY_STREAM } from '../../src/transports/event-journal'
import { JournaledStream } from '../../src/transports/journaled-stream'
import { SSEStream } from '../../src/transports/sse-stream'
import { LegacyStream } from '../helpers/legacy-sse'

/** An event journal in memory. */
class MemoryJournal implements EventJournal {
  seq = 0
  readonly events: Array<{ stream: string; seq: number; message: JSONRPCMessage }> = []
  openReplyStream(): string {
    return 'p1'
  }
  append(stream: string, message: JSONRPCMessage, seq = ++this.seq): string {
    this.events.push({ stream, seq, message })
    return formatEventId(stream, seq)
  }
  allocate(): number {
    return ++this.seq
  }
  finishStream(): void {}
  markDelivered(): void {}
  primingId(stream: string): string {
    return formatEventId(stream, this.seq)
  }
}

const ping = (id: number): JSONRPCMessage => ({ jsonrpc: '2.0', id, method: 'ping' })
const result = (id: RequestId): JSONRPCMessage => ({ jsonrpc: '2.0', id, result: {} })
const wait = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms))

/** A legacy stream over `journal` with a connection a client reads. */
function connected(journal: MemoryJournal, logWithinMs: number) {
  const stream = new JournaledStream(LEGACY_STREAM, journal, { logWithinMs })
  const connection = new SSEStream()
  stream.attach(connection)
  return { stream, connection, client: new LegacyStream(connection.toResponse()) }
}

describe('the legacy stream', () => {
  it('logs each event before writing it when the delay is 0', async () => {
    const journal = new MemoryJournal()
    const { stream, client } = connected(journal, 0)
    stream.send(ping(1))
    expect(journal.events).toEqual([{ stream: 'sse', seq: 1, message: ping(1) }])
    expect(await client.next()).toEqual({
      event: 'message',
      id: 'sse_1',
      data: '{"jsonrpc":"2.0","id":1,"method":"ping"}',
    })
    await client.cancel()
  })

  it('group-commits what a connected client is sent, under the ids it was sent with', async () => {
    const journal = new MemoryJournal()
    const { stream, client } = connected(journal, 50)
    stream.send(ping(1))
    stream.send(ping(2))
    expect(journal.events).toEqual([])
    expect((await client.next()).id).toBe('sse_1')
    expect((await client.next()).id).toBe('sse_2')
    await wait(100)
    expect(journal.events).toEqual([
      { stream: 'sse', seq: 1, message: ping(1) },
      { stream: 'sse', seq: 2, message: ping(2) },
    ])
    await client.cancel()
  })

  it('logs everything a connection carried when it closes, and later events at once', async () => {
    const journal = new MemoryJournal()
    const { stream, connection } = connected(journal, 60_000)
    stream.send(ping(1))
    expect(journal.events).toEqual([])
    connection.abort()
    expect(journal.events).toEqual([{ stream: 'sse', seq: 1, message: ping(1) }])
    stream.send(ping(2))
    expect(journal.events.map((e) => e.seq)).toEqual([1, 2])
  })
})

describe('legacy requests before their 202', () => {
  /** A log that records what it was asked to store. */
  function ledger() {
    const calls: string[] = []
    return {
      calls,
      log: {
        track: (stream: string, id: RequestId) => calls.push(`track ${stream} ${id}`),
        settle: (stream: string, id: RequestId) => calls.push(`settle ${stream} ${id}`),
      },
    }
  }

  it('a request answered at once, its response taken by the connection: nothing is written', async () => {
    const journal = new MemoryJournal()
    const { stream, client } = connected(journal, 60_000)
    const { calls, log } = ledger()
    const request = new LegacyRequests(log, stream).open(1)
    const next = client.next()
    queueMicrotask(() => request.sink.send(result(1)))
    await request.keep()
    expect((await next).id).toBe('sse_1')
    expect(calls).toEqual([])
    expect(journal.events).toEqual([])
    await client.cancel()
  })

  it('a request still unanswered is recorded, and settled when its response goes out', async () => {
    const journal = new MemoryJournal()
    const { stream, client } = connected(journal, 60_000)
    const { calls, log } = ledger()
    const request = new LegacyRequests(log, stream).open('slow')
    await request.keep()
    expect(calls).toEqual(['track sse slow'])
    request.sink.send(result('slow'))
    expect(calls).toEqual(['track sse slow', 'settle sse slow'])
    expect(JSON.parse((await client.next()).data)).toEqual(result('slow'))
    await client.cancel()
  })

  it('a response the connection does not take is logged before the 202', async () => {
    const journal = new MemoryJournal()
    // Nobody reads this connection, as with a client gone without the server knowing: once its
    // buffer is full (one event here), writes stop completing.
    const stream = new JournaledStream(LEGACY_STREAM, journal, { logWithinMs: 60_000 })
    const connection = new SSEStream()
    stream.attach(connection)
    connection.toResponse()
    stream.send(ping(1))
    const { calls, log } = ledger()
    const request = new LegacyRequests(log, stream).open(7)
    queueMicrotask(() => request.sink.send(result(7)))
    await request.keep()
    expect(journal.events).toEqual([
      { stream: 'sse', seq: 1, message: ping(1) },
      { stream: 'sse', seq: 2, message: result(7) },
    ])
    expect(calls).toEqual([])
    connection.abort()
    expect(journal.events).toHaveLength(2)
  })

  it('a request with no connection attached: its response is logged when sent', async () => {
    const journal = new MemoryJournal()
    const stream = new JournaledStream(LEGACY_STREAM, journal, { logWithinMs: 60_000 })
    const { calls, log } = ledger()
    const request = new LegacyRequests(log, stream).open(3)
    queueMicrotask(() => request.sink.send(result(3)))
    await request.keep()
    expect(journal.events).toEqual([{ stream: 'sse', seq: 1, message: result(3) }])
    expect(calls).toEqual([])
  })
})
