/**
 * An upgrade keeps every session: sessions made by the previous release (`v0.1.0`, sessions on
 * SDK v1) go on under this build (SDK v2) on the same persisted state. The release is checked out
 * from its tag and installed beside the repo (`release-checkout.ts`), started with
 * `--persist-to`, given a Streamable HTTP session and an /sse session (notes, a subscription to
 * the leaderboard, events left in their logs), and stopped; this build then starts on the same
 * directory and must accept both session ids, recall the notes, replay the old events on
 * `Last-Event-ID` exactly as the release logged them, and still notify both subscriptions.
 *
 * Skipped, saying so, only when this clone lacks the tag (`git fetch --tags` brings it).
 */
import fs from 'node:fs'
import os from 'node:os'
import path from 'node:path'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { parseSSE, type SSEEvent } from '../helpers/sse'
import { type DevServer, startDevServer } from './dev-server'
import { INSTALL_TIMEOUT_MS, releaseCheckout, taggedCommit } from './release-checkout'

const TAG = 'v0.1.0'
const COMMIT = taggedCommit(TAG)

/** Every legacy event is logged before it is written, so stopping a server loses none. */
const STRICT_LOG = ['--var', 'EVENT_LOG_LEGACY_DELAY_MS:0']
const LEADERBOARD = 'leaderboard://scores'
const UPDATED = { jsonrpc: '2.0', method: 'notifications/resources/updated' }
/** How long one wait for a frame may take. */
const WAIT_MS = 10_000

/** An open SSE response, read in the background. */
class Stream {
  readonly events: SSEEvent[] = []
  readonly #abort = new AbortController()
  #text = ''
  #ended = false

  static async open(url: string, headers: Record<string, string>): Promise<Stream> {
    const stream = new Stream()
    const res = await fetch(url, {
      headers: { accept: 'text/event-stream', ...headers },
      signal: stream.#abort.signal,
    })
    expect(res.status, `GET ${url}`).toBe(200)
    if (!res.body) throw new Error(`GET ${url} has no body`)
    void stream.#pump(res.body.getReader())
    return stream
  }

  /** The message events so far, parsed. */
  get messages(): unknown[] {
    return this.events.filter((e) => e.event === 'message').map((e) => JSON.parse(e.data))
  }

  /** Waits until `count` events have arrived; returns them. */
  async take(count: number, what: string): Promise<SSEEvent[]> {
    const deadline = Date.now() + WAIT_MS
    while (this.events.length < count) {
      if (this.#ended || Date.now() > deadline) {
        throw new Error(`no ${what} (got ${JSON.stringify(this.events)})`)
      }
      await new Promise((resolve) => setTimeout(resolve, 25))
    }
    return this.events.slice(0, count)
  }

  close(): void {
    this.#abort.abort()
  }

  async #pump(reader: ReadableStreamDefaultReader<Uint8Array>): Promise<void> {
    const decoder = new TextDecoder()
    try {
      for (;;) {
        const { done, value } = await reader.read()
        if (done) break
        this.#text += decoder.decode(value, { stream: true })
        const end = this.#text.lastIndexOf('\n\n')
        if (end === -1) continue
        this.events.push(...parseSSE(this.#text.slice(0, end + 2)).events)
        this.#text = this.#text.slice(end + 2)
      }
    } catch {
      // Aborted by the test, or cut by a server stopping.
    }
    this.#ended = true
  }
}

/** What the release left behind, for this build to continue. */
interface Left {
  readonly sessionId: string
  /** The standalone stream's priming event id: where its resume starts. */
  readonly standaloneFrom: string
  /** The countdown's reply stream, as the release sent it. */
  readonly countdown: readonly SSEEvent[]
  /** The standalone stream's events after `standaloneFrom`, as the release logged them. */
  readonly standalone: readonly SSEEvent[]
  readonly legacySessionId: string
  readonly legacyEndpoint: string
  /** The last event the legacy client saw before it went away. */
  readonly legacyFrom: string
  /** The legacy stream's events after `legacyFrom` (the endpoint event aside). */
  readonly legacy: readonly SSEEvent[]
}

describe.skipIf(COMMIT === undefined)(
  COMMIT === undefined
    ? `an upgrade from ${TAG}: SKIPPED, this clone has no tag ${TAG} (git fetch --tags)`
    : `an upgrade from ${TAG} on the same persisted state`,
  () => {
    let dir: string | undefined
    let release: string | undefined
    let server: DevServer | undefined
    let left: Left | undefined

    beforeAll(async () => {
      release = await releaseCheckout(TAG, COMMIT!)
      dir = fs.mkdtempSync(path.join(os.tmpdir(), 'mcp-e2e-upgrade-'))
    }, INSTALL_TIMEOUT_MS)

    afterAll(async () => {
      try {
        await server?.stop()
      } finally {
        if (dir !== undefined) fs.rmSync(dir, { recursive: true, force: true })
      }
    })

    function dev(): DevServer {
      if (!server) throw new Error('no server is running')
      return server
    }

    /** `POST /mcp`; a session's requests carry its id and 2025-11-25. */
    function postMcp(message: object, sessionId?: string): Promise<Response> {
      return fetch(`${dev().baseUrl}/mcp`, {
        method: 'POST',
        headers: {
          accept: 'application/json, text/event-stream',
          'content-type': 'application/json',
          ...(sessionId && { 'mcp-session-id': sessionId, 'mcp-protocol-version': '2025-11-25' }),
        },
        body: JSON.stringify(message),
      })
    }

    /** A session's tools/call; returns its result (from JSON or from the stream's last event). */
    async function callTool(sessionId: string, id: number, name: string, args: object) {
      const res = await postMcp(
        { jsonrpc: '2.0', id, method: 'tools/call', params: { name, arguments: args } },
        sessionId,
      )
      const text = await res.text()
      expect(res.status, text).toBe(200)
      if ((res.headers.get('content-type') ?? '').includes('application/json')) {
        return JSON.parse(text).result
      }
      const last = parseSSE(text)
        .events.filter((e) => e.event === 'message')
        .at(-1)
      return JSON.parse(last?.data ?? 'null').result
    }

    /** `POST /messages` (legacy), answered 202. */
    async function postLegacy(endpoint: string, message: object): Promise<void> {
      const res = await fetch(`${dev().baseUrl}${endpoint}`, {
        method: 'POST',
        headers: { 'content-type': 'application/json' },
        body: JSON.stringify(message),
      })
      expect(res.status, await res.text()).toBe(202)
    }

    const request = (id: number, method: string, params: object) => ({
      jsonrpc: '2.0',
      id,
      method,
      params,
    })

    it(`${TAG} opens both kinds of session and leaves events in their logs`, async () => {
      server = await startDevServer({ root: release, persistTo: dir, args: STRICT_LOG })

      // Streamable HTTP: a session with a note and a subscription.
      const init = await postMcp(
        request(1, 'initialize', {
          protocolVersion: '2025-11-25',
          capabilities: {},
          clientInfo: { name: 'upgrade', version: '0' },
        }),
      )
      expect(init.status).toBe(200)
      await init.text()
      const sessionId = init.headers.get('mcp-session-id') ?? ''
      expect(sessionId).toMatch(/^[0-9a-f]{64}$/)
      const initialized = await postMcp(
        { jsonrpc: '2.0', method: 'notifications/initialized' },
        sessionId,
      )
      expect(initialized.status).toBe(202)
      expect(await callTool(sessionId, 2, 'remember', { key: 'city', note: 'Lisbon' })).toEqual({
        content: [{ type: 'text', text: 'Remembered "city".' }],
      })
      const subscribed = await postMcp(
        request(3, 'resources/subscribe', { uri: LEADERBOARD }),
        sessionId,
      )
      expect(await subscribed.json()).toEqual({ jsonrpc: '2.0', id: 3, result: {} })

      // The standalone stream's first event (priming) names where a resume starts; then the
      // client goes away, and what comes meanwhile waits in the log.
      const headers = { 'mcp-session-id': sessionId, 'mcp-protocol-version': '2025-11-25' }
      const standalone = await Stream.open(`${dev().baseUrl}/mcp`, headers)
      const [priming] = await standalone.take(1, 'the standalone priming event')
      expect(priming).toMatchObject({ data: '', retry: 1000, id: expect.stringMatching(/^get_/) })
      standalone.close()

      // A reply stream, logged event by event.
      const countdownRes = await postMcp(
        request(4, 'tools/call', {
          name: 'countdown',
          arguments: { from: 3, intervalMs: 0 },
          _meta: { progressToken: 'up' },
        }),
        sessionId,
      )
      expect(countdownRes.headers.get('content-type')).toBe('text/event-stream')
      // A priming event, three progress notifications and the result, all on one stream.
      const countdown = parseSSE(await countdownRes.text()).events
      const stream = /^(p\d+)_\d+$/.exec(countdown[0]?.id ?? '')?.[1]
      expect(countdown.map((e) => e.id?.split('_')[0])).toEqual(Array(5).fill(stream))

      // /sse: a session with a note and a subscription; the client goes away, and a reply
      // posted meanwhile waits in the log.
      const legacyStream = await Stream.open(`${dev().baseUrl}/sse`, {})
      const [endpointEvent] = await legacyStream.take(1, 'the endpoint event')
      const legacyEndpoint = endpointEvent?.data ?? ''
      const legacySessionId = /^\/messages\?sessionId=([0-9a-f]{64})$/.exec(legacyEndpoint)?.[1]
      if (legacySessionId === undefined) throw new Error(`endpoint: ${legacyEndpoint}`)
      await postLegacy(
        legacyEndpoint,
        request(1, 'initialize', {
          protocolVersion: '2024-11-05',
          capabilities: {},
          clientInfo: { name: 'upgrade-sse', version: '0' },
        }),
      )
      await postLegacy(legacyEndpoint, { jsonrpc: '2.0', method: 'notifications/initialized' })
      await postLegacy(
        legacyEndpoint,
        request(2, 'tools/call', { name: 'remember', arguments: { key: 'pet', note: 'cat' } }),
      )
      await postLegacy(legacyEndpoint, request(3, 'resources/subscribe', { uri: LEADERBOARD }))
      const seen = await legacyStream.take(4, 'the legacy replies')
      expect(legacyStream.messages.slice(1)).toEqual([
        {
          jsonrpc: '2.0',
          id: 2,
          result: { content: [{ type: 'text', text: 'Remembered "pet".' }] },
        },
        { jsonrpc: '2.0', id: 3, result: {} },
      ])
      const legacyFrom = seen.at(-1)?.id ?? ''
      legacyStream.close()
      await new Promise((resolve) => setTimeout(resolve, 300))
      await postLegacy(
        legacyEndpoint,
        request(4, 'tools/call', { name: 'echo', arguments: { text: 'sent while away' } }),
      )

      // A change to the leaderboard reaches both subscriptions' logs.
      expect(await callTool(sessionId, 5, 'score', { player: 'before', points: 1 })).toEqual({
        content: [{ type: 'text', text: 'before now has 1 points.' }],
      })
      const standaloneAgain = await Stream.open(`${dev().baseUrl}/mcp`, {
        ...headers,
        'last-event-id': priming?.id ?? '',
      })
      const standaloneEvents = (await standaloneAgain.take(2, 'the logged update')).slice(1)
      standaloneAgain.close()
      expect(standaloneEvents.map((e) => JSON.parse(e.data))).toEqual([
        { ...UPDATED, params: { uri: LEADERBOARD } },
      ])
      const legacyAgain = await Stream.open(`${dev().baseUrl}/sse?sessionId=${legacySessionId}`, {
        'last-event-id': legacyFrom,
      })
      const legacyEvents = (await legacyAgain.take(3, 'the logged legacy events')).slice(1)
      legacyAgain.close()
      expect(legacyEvents.map((e) => JSON.parse(e.data))).toEqual([
        { jsonrpc: '2.0', id: 4, result: { content: [{ type: 'text', text: 'sent while away' }] } },
        { ...UPDATED, params: { uri: LEADERBOARD } },
      ])

      left = {
        sessionId,
        standaloneFrom: priming?.id ?? '',
        countdown,
        standalone: standaloneEvents,
        legacySessionId,
        legacyEndpoint,
        legacyFrom,
        legacy: legacyEvents,
      }
      await server.stop()
      server = undefined
    })

    function before(): Left {
      if (!left) throw new Error(`${TAG} did not leave its sessions`)
      return left
    }

    it('this build starts on the same state and accepts both session ids, notes and all', async () => {
      const { sessionId, legacyEndpoint } = before()
      server = await startDevServer({ persistTo: dir, args: STRICT_LOG })
      expect(await callTool(sessionId, 6, 'recall', { key: 'city' })).toEqual({
        content: [{ type: 'text', text: 'Lisbon' }],
      })
      const legacy = await Stream.open(
        `${dev().baseUrl}/sse?sessionId=${before().legacySessionId}`,
        {},
      )
      await legacy.take(1, 'the endpoint event')
      await postLegacy(
        legacyEndpoint,
        request(5, 'tools/call', { name: 'recall', arguments: { key: 'pet' } }),
      )
      await legacy.take(2, 'the recall')
      legacy.close()
      expect(legacy.messages).toEqual([
        { jsonrpc: '2.0', id: 5, result: { content: [{ type: 'text', text: 'cat' }] } },
      ])
    })

    it("Last-Event-ID replays the release's events exactly as it logged them", async () => {
      const { sessionId, countdown } = before()
      const headers = { 'mcp-session-id': sessionId, 'mcp-protocol-version': '2025-11-25' }
      // The countdown's reply, resumed after its first progress event.
      const from = countdown[1]?.id ?? ''
      const resumed = await fetch(`${dev().baseUrl}/mcp`, {
        headers: { accept: 'text/event-stream', ...headers, 'last-event-id': from },
      })
      expect(resumed.status).toBe(200)
      const events = parseSSE(await resumed.text()).events
      expect(events).toEqual([{ id: from, data: '', retry: 1000 }, ...countdown.slice(2)])
    })

    it('a subscription made under the release is still notified, on both transports', async () => {
      const { sessionId, standaloneFrom, standalone, legacySessionId, legacyFrom, legacy } =
        before()
      const headers = { 'mcp-session-id': sessionId, 'mcp-protocol-version': '2025-11-25' }
      const stream = await Stream.open(`${dev().baseUrl}/mcp`, {
        ...headers,
        'last-event-id': standaloneFrom,
      })
      expect((await stream.take(2, 'the replayed update')).slice(1)).toEqual(standalone)
      expect(await callTool(sessionId, 7, 'score', { player: 'after', points: 2 })).toEqual({
        content: [{ type: 'text', text: 'after now has 2 points.' }],
      })
      const [, , live] = await stream.take(3, 'the live update')
      stream.close()
      expect(JSON.parse(live?.data ?? '')).toEqual({ ...UPDATED, params: { uri: LEADERBOARD } })

      // The /sse session was away: the release's events, then this build's update.
      // (The recall in between was answered on the stream this build opened.)
      const back = await Stream.open(`${dev().baseUrl}/sse?sessionId=${legacySessionId}`, {
        'last-event-id': legacyFrom,
      })
      const events = (await back.take(legacy.length + 3, 'the legacy replay')).slice(1)
      back.close()
      expect(events.slice(0, legacy.length)).toEqual(legacy)
      expect(events.slice(legacy.length).map((e) => JSON.parse(e.data))).toEqual([
        { jsonrpc: '2.0', id: 5, result: { content: [{ type: 'text', text: 'cat' }] } },
        { ...UPDATED, params: { uri: LEADERBOARD } },
      ])
    })
  },
)
