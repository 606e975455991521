/**
 * Discovery and fallbacks: `/health`, `/`, unknown paths.
 */
import { describe, expect, it } from 'vitest'
import { expectRpcError, fetchApp } from '../helpers/requests'

const HEALTH = {
  name: 'mcp-workers-demo',
  version: '0.1.0',
  status: 'ok',
  transports: { streamableHttp: '/mcp', sse: '/sse' },
  protocolVersions: {
    streamableHttp: ['2025-11-25', '2025-06-18', '2025-03-26'],
    sse: ['2025-11-25', '2025-06-18', '2025-03-26', '2024-11-05'],
  },
  auth: 'none',
}

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
