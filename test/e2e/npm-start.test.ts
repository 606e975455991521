/**
 * `npm start` for real, on the repo's own app (the demo in `src/mcp/`), exactly as a user runs
 * it: wrangler + workerd on a free loopback port, driven over a real socket by the official MCP
 * SDK client. Only the test named `demo: …` depends on what the demo offers.
 */
import fs from 'node:fs'
import { Client } from '@modelcontextprotocol/sdk/client/index.js'
import { StreamableHTTPClientTransport } from '@modelcontextprotocol/sdk/client/streamableHttp.js'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { type DevServer, isPortOpen, startDevServer } from './dev-server'

describe('npm start (the repo’s own app)', () => {
  let server: DevServer | undefined

  beforeAll(async () => {
    server = await startDevServer({ app: 'demo' })
  })

  afterAll(async () => {
    if (!server) return
    const { port, inspectorPort, persistTo } = server
    await server.stop()
    // Nothing from the process tree survives: neither port accepts connections any more, and the
    // temp dir the helper created is gone.
    expect(await isPortOpen(port)).toBe(false)
    expect(await isPortOpen(inspectorPort)).toBe(false)
    expect(fs.existsSync(persistTo)).toBe(false)
  })

  /** The server, or a failure that says why it isn't there. */
  function dev(): DevServer {
    if (!server) throw new Error('the dev server did not start')
    return server
  }

  it('answers /health with the server info, and persists to the given dir', async () => {
    const res = await fetch(`${dev().baseUrl}/health`)
    expect(res.status).toBe(200)
    expect(res.headers.get('content-type')).toContain('application/json')
    const body: unknown = await res.json()
    expect(body).toMatchObject({
      name: expect.any(String),
      version: expect.any(String),
      transports: { streamableHttp: '/mcp' },
    })
    // `--persist-to` took effect: workerd keeps its state under the temp dir, not .wrangler/state.
    expect(fs.readdirSync(dev().persistTo)).not.toHaveLength(0)
  })

  it('serves an MCP session to the SDK client over Streamable HTTP', async () => {
    const transport = new StreamableHTTPClientTransport(new URL(`${dev().baseUrl}/mcp`))
    const client = new Client({ name: 'e2e-test-client', version: '0.0.1' })
    try {
      await client.connect(transport)
      expect(transport.sessionId).toMatch(/^[0-9a-f]{64}$/)
      const serverName = client.getServerVersion()?.name
      expect(typeof serverName).toBe('string')
      expect(serverName).not.toBe('')
      const { tools } = await client.listTools()
      for (const tool of tools) expect(tool.inputSchema.type).toBe('object')
      await transport.terminateSession()
    } finally {
      await client.close()
    }
  })

  it('demo: echo answers over a real socket', async () => {
    const client = new Client({ name: 'e2e-test-client', version: '0.0.1' })
    try {
      await client.connect(new StreamableHTTPClientTransport(new URL(`${dev().baseUrl}/mcp`)))
      const result = await client.callTool({
        name: 'echo',
        arguments: { text: 'hello over a real socket' },
      })
      expect(result.content).toEqual([{ type: 'text', text: 'hello over a real socket' }])
    } finally {
      await client.close()
    }
  })

  it('answers malformed JSON on /mcp with a JSON-RPC parse error', async () => {
    const res = await fetch(`${dev().baseUrl}/mcp`, {
      method: 'POST',
      headers: {
        accept: 'application/json, text/event-stream',
        'content-type': 'application/json',
      },
      body: '{oops',
    })
    expect(res.status).toBe(400)
    expect(res.headers.get('content-type')).toContain('application/json')
    const body: unknown = await res.json()
    expect(body).toMatchObject({ jsonrpc: '2.0', id: null, error: { code: -32700 } })
  })
})
