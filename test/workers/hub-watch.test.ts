/**
 * A Worker's watch of a hub, against a stand-in hub. Invariant: a watch passes on every message,
 * replaces a socket that closes under it or falls silent (telling its owner that events may have
 * been missed), gives up after its bounded retries, and closes its socket when closed; its
 * `ready` says whether it opened at all.
 */
import { describe, expect, it } from 'vitest'
import {
  type HubWatch,
  type WatchedHub,
  type WatchTiming,
  watchHub,
} from '../../src/modern/hub-watch'

/** A hub stand-in: each fetch is a socket that says `ready` (and answers pings, if `pongs`). */
class StandInHub implements WatchedHub {
  readonly sockets: WebSocket[] = []
  readonly closes: number[] = []
  pongs = true
  reachable = true

  async fetch(): Promise<Response> {
    if (!this.reachable) throw new Error('unreachable')
    const { 0: client, 1: server } = new WebSocketPair()
    server.accept()
    server.addEventListener('message', (event) => {
      if (event.data === 'ping' && this.pongs) server.send('pong')
    })
    server.addEventListener('close', (event) => {
      this.closes.push(event.code)
    })
    server.send('ready')
    this.sockets.push(server)
    return new Response(null, { status: 101, webSocket: client })
  }
}

function watching(
  hub: StandInHub,
  timing: WatchTiming = { pingMs: 20, reconnectDelaysMs: [10, 10] },
) {
  const lines: string[] = []
  let reconnects = 0
  const watch: HubWatch = watchHub(
    hub,
    {
      onMessage: (line) => lines.push(line),
      onReconnected: () => reconnects++,
    },
    timing,
  )
  return { watch, lines, reconnects: () => reconnects }
}

async function until(check: () => boolean, ms = 2_000): Promise<void> {
  const deadline = Date.now() + ms
  while (!check() && Date.now() < deadline) await new Promise((r) => setTimeout(r, 10))
  expect(check()).toBe(true)
}

describe('a watch of a hub', () => {
  it('passes on the messages, and closes its socket when closed', async () => {
    const hub = new StandInHub()
    const { watch, lines } = watching(hub)
    expect(await watch.ready).toBe(true)
    hub.sockets[0]!.send('updated')
    await until(() => lines.includes('updated'))
    expect(lines).toEqual(['ready', 'updated'])
    // Pings are answered, so the socket stays.
    await new Promise((r) => setTimeout(r, 100))
    expect(hub.sockets).toHaveLength(1)
    watch.close()
    expect(await watch.ended).toBe(false)
    await until(() => hub.closes.length === 1)
  })

  it('opens a new socket when the hub closes its own, and says events may be missed', async () => {
    const hub = new StandInHub()
    const { watch, lines, reconnects } = watching(hub)
    await watch.ready
    hub.sockets[0]!.close(1001, 'going away')
    await until(() => hub.sockets.length === 2 && reconnects() === 1)
    hub.sockets[1]!.send('updated')
    await until(() => lines.includes('updated'))
    expect(lines).toEqual(['ready', 'ready', 'updated'])
    watch.close()
    expect(await watch.ended).toBe(false)
  })

  it('replaces a socket that falls silent', async () => {
    const hub = new StandInHub()
    hub.pongs = false
    const { watch, reconnects } = watching(hub, {
      pingMs: 20,
      silenceMs: 60,
      reconnectDelaysMs: [10, 10],
    })
    await watch.ready
    await until(() => hub.sockets.length >= 2 && reconnects() >= 1)
    watch.close()
    expect(await watch.ended).toBe(false)
  })

  it('breaks after its retries when the hub stays away', async () => {
    const hub = new StandInHub()
    const { watch } = watching(hub)
    await watch.ready
    hub.reachable = false
    hub.sockets[0]!.close(1001, 'going away')
    expect(await watch.ended).toBe(true)
  })

  it("doesn't hold anything back when the hub can't be reached at all, and says so", async () => {
    const hub = new StandInHub()
    hub.reachable = false
    const { watch, lines } = watching(hub)
    expect(await watch.ready).toBe(false)
    expect(await watch.ended).toBe(false)
    expect(lines).toEqual([])
  })
})
