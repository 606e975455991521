/**
 * `npm start` stays up whatever a client does to an upload: a body cut short mid-way, an
 * over-cap Content-Length and then a hang-up, a chunked upload aborted after its 413. And an
 * over-cap Content-Length is answered 413 at once, without the server waiting for the body.
 * (The wrangler this project pins keeps its dev server up; its request-body draining, which
 * would hold every refusal until the whole body arrived, is off in the start scripts.)
 */
import net from 'node:net'
import { describe, expect, it } from 'vitest'
import { INITIALIZE, MCP_POST_HEADERS, useDevServer } from './dev-server'

const dev = useDevServer()

const HEAD = (port: number, extra: string) =>
  `POST /mcp HTTP/1.1\r\nHost: 127.0.0.1:${port}\r\nContent-Type: application/json\r\nAccept: application/json, text/event-stream\r\n${extra}\r\n`

/**
 * Writes `chunks` on a raw socket (`gapMs` apart: an upload trickling in), waits up to `waitMs`
 * after the last for a status line, then hangs up.
 */
function rawPost(port: number, chunks: string[], waitMs: number, gapMs = 0): Promise<string> {
  return new Promise((resolve) => {
    const socket = net.connect({ host: '127.0.0.1', port })
    let received = ''
    const done = () => {
      socket.destroy()
      resolve(received.split('\r\n')[0] ?? '')
    }
    let timer: ReturnType<typeof setTimeout> | undefined
    socket.on('data', (data) => {
      received += data.toString('latin1')
      if (received.includes('\r\n')) {
        clearTimeout(timer)
        done()
      }
    })
    socket.on('error', () => undefined)
    socket.on('connect', async () => {
      for (const chunk of chunks) {
        if (socket.destroyed) return
        socket.write(chunk)
        if (gapMs > 0) await new Promise((r) => setTimeout(r, gapMs))
      }
      timer = setTimeout(done, waitMs)
    })
  })
}

async function healthy(): Promise<boolean> {
  const res = await fetch(`${dev().baseUrl}/health`, { signal: AbortSignal.timeout(5_000) }).catch(
    () => undefined,
  )
  return res?.status === 200
}

describe('npm start under hostile uploads', () => {
  it('answers an over-cap Content-Length 413 at once, without waiting for the body', async () => {
    const started = Date.now()
    const status = await rawPost(
      dev().port,
      [HEAD(dev().port, 'Content-Length: 10000000\r\n'), '{"a":'],
      5_000,
    )
    expect(status).toBe('HTTP/1.1 413 Payload Too Large')
    expect(Date.now() - started).toBeLessThan(2_000)
    expect(await healthy()).toBe(true)
  })

  it('survives bodies cut short, over-cap uploads dropped, and chunked uploads aborted', async () => {
    const { port } = dev()
    for (let round = 0; round < 3; round++) {
      // A declared 3 MB body trickling in at about 1 MB/s, of which the client sends half a
      // second's worth before it goes (what `curl -m 0.5 --limit-rate 1M` does).
      const trickle = Array.from({ length: 10 }, () => 'x'.repeat(50_000))
      await rawPost(port, [HEAD(port, 'Content-Length: 3000000\r\n'), ...trickle], 0, 50)
      // Over the cap, and gone before the answer.
      await rawPost(port, [HEAD(port, 'Content-Length: 10000000\r\n'), '{"a":'], 10)
      // Chunked past the cap: the 413 comes, then the client drops mid-chunk.
      const chunk = `100000\r\n${'x'.repeat(0x100000)}\r\n`
      await rawPost(
        port,
        [HEAD(port, 'Transfer-Encoding: chunked\r\n'), chunk.repeat(5), '100000\r\nxx'],
        1_000,
      )
    }
    expect(await healthy()).toBe(true)
    const res = await fetch(`${dev().baseUrl}/mcp`, {
      method: 'POST',
      headers: MCP_POST_HEADERS,
      body: JSON.stringify(INITIALIZE),
    })
    expect(res.status).toBe(200)
  })
})
