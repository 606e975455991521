/**
 * `npm start` stays up whatever a client does to an upload: a body cut short mid-way, an
 * over-cap Content-Length and then a hang-up, a chunked upload aborted after its 413. And an
 * over-cap Content-Length is answered 413 at once, without the server waiting for the body. An
 * upload cut short is the client's doing: one log line, no stack trace, no 500.
 * (The wrangler this project pins keeps its dev server up; its request-body draining, which
 * would hold every refusal until the whole body arrived, is off in the start scripts.)
 */
import net from 'node:net'
import { describe, expect, it } from 'vitest'
import { INITIALIZE, MCP_POST_HEADERS, useDevServer } from './dev-server'

const dev = useDevServer()

const HEAD = (port: number, extra: string, path = '/mcp') =>
  `POST ${path} HTTP/1.1\r\nHost: 127.0.0.1:${port}\r\nContent-Type: application/json\r\nAccept: application/json, text/event-stream\r\n${extra}\r\n`

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

  it('logs each upload cut short once, as the client going away: a 400, no stack trace', async () => {
    const { port } = dev()
    const start = dev().output().length
    const body = JSON.stringify(INITIALIZE)
    const half = body.slice(0, body.length / 2)
    const paths = ['/mcp', `/messages?sessionId=${'0'.repeat(64)}`]
    const cuts = Array.from({ length: 20 }, (_, i) => ({
      requestId: `cut-upload-${i}`,
      path: paths[i % 2]!,
      chunked: i % 4 >= 2,
    }))
    for (const { requestId, path, chunked } of cuts) {
      const framing = chunked
        ? `Transfer-Encoding: chunked\r\nX-Request-Id: ${requestId}\r\n`
        : `Content-Length: ${body.length}\r\nX-Request-Id: ${requestId}\r\n`
      const sent = chunked ? `${half.length.toString(16)}\r\n${half}\r\n100\r\nxx` : half
      // Headers and half the body, then the client goes away without waiting for an answer.
      expect(await rawPost(port, [HEAD(port, framing, path), sent], 100)).toBe('')
    }
    const lines = () => dev().output().slice(start).split('\n')
    const logged = (id: string) => lines().filter((line) => line.includes(`"${id}"`))
    const deadline = Date.now() + 20_000
    while (cuts.some(({ requestId }) => logged(requestId).length === 0) && Date.now() < deadline) {
      await new Promise((resolve) => setTimeout(resolve, 100))
    }
    // wrangler's dev proxy may drop an upload whose client left before it forwarded anything:
    // the Worker never sees that one (a deployed Worker has no such proxy).
    const reached = cuts.filter(({ requestId }) => logged(requestId).length > 0)
    expect(reached.length).toBeGreaterThanOrEqual(cuts.length - 2)
    for (const { requestId, path } of reached) {
      const [line, ...more] = logged(requestId)
      expect(more).toEqual([])
      expect(JSON.parse(line!)).toEqual({
        level: 'warn',
        time: expect.any(String),
        type: 'http',
        requestId,
        method: 'POST',
        path: path.split('?')[0],
        status: 400,
        clientGone: true,
        durationMs: expect.any(Number),
        transport: path === '/mcp' ? 'streamable-http' : 'sse',
        principal: 'anonymous',
        ...(path === '/mcp' ? {} : { sessionId: '0'.repeat(64) }),
      })
    }
    const output = lines().join('\n')
    // wrangler's dev proxy, which forwards each request to the Worker, reports each broken
    // forward itself, once and without a stack; a deployed Worker has no such proxy.
    const proxied = output.match(/Error inside ProxyWorker .*: Network connection lost\./g) ?? []
    expect(proxied.length).toBeGreaterThanOrEqual(reached.length)
    expect(proxied.length).toBeLessThanOrEqual(cuts.length)
    expect(output).not.toMatch(/^\s+at /m)
    expect(output).not.toContain('failed: Error')
    expect(output).not.toContain('"status":500')
    expect(await healthy()).toBe(true)
  })
})
