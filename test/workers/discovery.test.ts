/**
 * Discovery and fallbacks: `/health`, `/`, unknown paths.
 */
import { env } from 'cloudflare:workers'
import { describe, expect, it } from 'vitest'
import { createApp } from '../../routes/app'
import { server } from '../fixtures/app/server'
import { HEALTH } from '../helpers/discovery'
import { BASE, expectRpcError, fetchApp } from '../helpers/requests'

describe('discovery', () => {
  it.each([['/health'], ['/']])('GET %s describes the server', async (path) => {
    const res = await fetchApp(path)
    expect(res.status).toBe(200)
    expect(res.headers.get('content-type')).toMatch(/^application\/json/)
    expect(res.headers.get('cache-control')).toBe('no-store')
    expect(await res.json()).toEqual(HEALTH)
  })

  it('unknown path → 404 JSON-RPC error naming the route', async () => {
    const res = await fetchApp('/nope', { method: 'POST' })
    expect(await expectRpcError(res, 404, -32000)).toBe('Not Found: no route for POST /nope')
  })
})

describe('sse: false', () => {
  const app = createApp({ server, sse: false })
  const call = (path: string, init?: RequestInit) => app.fetch(new Request(BASE + path, init), env)

  it('drops /sse and /messages (404) and says so in /health', async () => {
    await expectRpcError(
      await call('/sse', { headers: { accept: 'text/event-stream' } }),
      404,
      -32000,
    )
    await expectRpcError(
      await call(`/messages?sessionId=${'a'.repeat(64)}`, { method: 'POST' }),
      404,
      -32000,
    )
    expect(await (await call('/health')).json()).toMatchObject({
      transports: { streamableHttp: '/mcp' },
      protocolVersions: { streamableHttp: HEALTH.protocolVersions.streamableHttp },
    })
    expect(await (await call('/health')).json()).not.toHaveProperty('transports.sse')
  })
})

describe("legacySse: false (v0.1.0's name for sse: false)", () => {
  it('still drops /sse', async () => {
    const app = createApp({ server, legacySse: false })
    const res = await app.fetch(
      new Request(`${BASE}/sse`, { headers: { accept: 'text/event-stream' } }),
      env,
    )
    await expectRpcError(res, 404, -32000)
  })
})
