/**
 * The era of a `POST /mcp`: the shortcut for a well-formed message that claims the modern
 * revision its header names agrees with the SDK's rule (`classifyInboundRequest`) on every case,
 * and what it does not take (a malformed body, a claim the header contradicts) is classified.
 */
import { classifyInboundRequest } from '@modelcontextprotocol/server'
import { Hono } from 'hono'
import { describe, expect, it } from 'vitest'
import { postEra } from '../../routes/era'
import type { AppEnv } from '../../src/types'

const MODERN = '2026-07-28'
const claim = (version = MODERN) => ({
  'io.modelcontextprotocol/protocolVersion': version,
  'io.modelcontextprotocol/clientCapabilities': {},
  'io.modelcontextprotocol/clientInfo': { name: 'era', version: '0' },
})

const app = new Hono<AppEnv>().post('/', async (c) => c.text(postEra(c, await c.req.json())))

async function eraOf(body: unknown, headers: Record<string, string> = {}): Promise<string> {
  const res = await app.request('/', { method: 'POST', headers, body: JSON.stringify(body) })
  return res.text()
}

/** What the era was before the shortcut: the SDK's rule alone. */
function ruleSays(body: unknown, header: string | undefined): string {
  const outcome = classifyInboundRequest({
    httpMethod: 'POST',
    protocolVersionHeader: header,
    body,
  })
  if (outcome.kind === 'legacy') return 'legacy'
  return outcome.kind === 'reject' && outcome.rung === 'jsonrpc-shape' ? 'legacy' : 'modern'
}

describe('the era of a POST /mcp', () => {
  const header = { 'mcp-protocol-version': MODERN }

  it('a well-formed message claiming its header’s revision is modern, as the rule says', async () => {
    const cases = [
      { jsonrpc: '2.0', id: 1, method: 'tools/call', params: { name: 'echo', _meta: claim() } },
      { jsonrpc: '2.0', id: 'a', method: 'tools/list', params: { _meta: claim() } },
      { jsonrpc: '2.0', id: 2, method: 'initialize', params: { _meta: claim() } },
      { jsonrpc: '2.0', id: 3, method: 'no/such/method', params: { _meta: claim() } },
      { jsonrpc: '2.0', method: 'notifications/cancelled', params: { _meta: claim() } },
    ]
    for (const body of cases) {
      expect(await eraOf(body, header)).toBe('modern')
      expect(ruleSays(body, MODERN)).toBe('modern')
    }
  })

  it('anything else is decided by the rule: malformed bodies, mismatched or absent claims', async () => {
    const cases: Array<[unknown, Record<string, string>]> = [
      [{ id: 1, method: 'tools/list', params: { _meta: claim() } }, header],
      [{ jsonrpc: '2.0', id: true, method: 'tools/list', params: { _meta: claim() } }, header],
      [
        { jsonrpc: '2.0', id: 1, method: 'tools/list', params: { _meta: claim('2025-11-25') } },
        header,
      ],
      [{ jsonrpc: '2.0', id: 1, method: 'tools/list', params: { _meta: claim() } }, {}],
      [{ jsonrpc: '2.0', id: 1, method: 'tools/list' }, header],
      [{ jsonrpc: '2.0', id: 1, method: 'initialize', params: {} }, {}],
    ]
    for (const [body, headers] of cases) {
      const said = ruleSays(body, headers['mcp-protocol-version'])
      expect(await eraOf(body, headers), JSON.stringify(body)).toBe(said)
    }
  })

  it('a batch is never taken by the shortcut; one with a claimed element is the leg’s to refuse', async () => {
    const element = { jsonrpc: '2.0', id: 1, method: 'tools/list', params: { _meta: claim() } }
    expect(await eraOf([element], header)).toBe('modern')
    expect(await eraOf([{ jsonrpc: '2.0', id: 1, method: 'ping' }], header)).toBe('legacy')
  })

  it('a request naming a session is the session’s, whatever it claims', async () => {
    const body = { jsonrpc: '2.0', id: 1, method: 'tools/list', params: { _meta: claim() } }
    expect(await eraOf(body, { ...header, 'mcp-session-id': 'a'.repeat(64) })).toBe('legacy')
  })
})
