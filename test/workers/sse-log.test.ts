/**
 * How the legacy stream logs (group commit) and when a legacy request is made safe before its
 * 202. Invariants: every event keeps the seq it was sent with; what a connection carried is in
 * the log within the delay and the moment it closes; a request still unanswered is recorded
 * within the delay (delay 0: before it is acknowledged), and nothing is written for the rest.
 */
import type { JSONRPCMessage, RequestId } from '@modelcontextprotocol/sdk/types.js'
import { describe, expect, it } from 'vitest'
import {
  type EventJournal,
  formatEventId,
  SSE_STREAM,
} from '../../durable/session/event-log/event-journal'
import { JournaledStream } from '../../durable/session/transport/journaled-stream'
import { SsePendingRequests } from '../../durable/session/transport/sse-pending-requests'
import { SSEStream } from '../../src/sse/sse-stream'
import { LegacyStream } from '../helpers/sse-transport'

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
  const stream = new JournaledStream(SSE_STREAM, journal, { logWithinMs })
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

  it('group commit: a request answered within the delay writes nothing, and is acknowledged at once', async () => {
    const journal = new MemoryJournal()
    const { stream, client } = connected(journal, 60_000)
    const { calls, log } = ledger()
    const requests = new SsePendingRequests(log, stream, 50)
    const request = requests.open(1)
    await request.keep()
    request.sink.send(result(1))
    expect((await client.next()).id).toBe('sse_1')
    await wait(100)
    expect(calls).toEqual([])
    await client.cancel()
  })

  it('group commit: a request still unanswered after the delay is recorded, then settled', async () => {
    const journal = new MemoryJournal()
    const { stream, client } = connected(journal, 60_000)
    const { calls, log } = ledger()
    const requests = new SsePendingRequests(log, stream, 50)
    const quick = requests.open('quick')
    const slow = requests.open('slow')
    quick.sink.send(result('quick'))
    expect(calls).toEqual([])
    await wait(100)
    expect(calls).toEqual(['track sse slow'])
    slow.sink.send(result('slow'))
    expect(calls).toEqual(['track sse slow', 'settle sse slow'])
    requests.stop()
    await client.cancel()
  })

  it('delay 0: a request answered by the next macrotask writes nothing (its response is logged)', async () => {
    const journal = new MemoryJournal()
    const { stream, client } = connected(journal, 0)
    const { calls, log } = ledger()
    const request = new SsePendingRequests(log, stream, 0).open(7)
    queueMicrotask(() => request.sink.send(result(7)))
    await request.keep()
    expect(calls).toEqual([])
    expect(journal.events).toEqual([{ stream: 'sse', seq: 1, message: result(7) }])
    await client.cancel()
  })

  it('delay 0: a request still unanswered is recorded before its 202', async () => {
    const journal = new MemoryJournal()
    const { stream, client } = connected(journal, 0)
    const { calls, log } = ledger()
    const request = new SsePendingRequests(log, stream, 0).open('slow')
    await request.keep()
    expect(calls).toEqual(['track sse slow'])
    request.sink.send(result('slow'))
    expect(calls).toEqual(['track sse slow', 'settle sse slow'])
    await client.cancel()
  })
})
