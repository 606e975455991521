/**
 * `npm start -- --var AUTH_TOKENS:alice:tokA,bob:tokB` for real: bearer auth, what an OAuth
 * client is told, sessions bound to their token, the Origin guard and a browser preflight.
 */
import type { OAuthClientProvider } from '@modelcontextprotocol/sdk/client/auth.js'
import { Client } from '@modelcontextprotocol/sdk/client/index.js'
import { StreamableHTTPClientTransport } from '@modelcontextprotocol/sdk/client/streamableHttp.js'
import { describe, expect, it } from 'vitest'
import { INITIALIZE, MCP_POST_HEADERS, useDevServer } from './dev-server'

const dev = useDevServer({ args: ['--var', 'AUTH_TOKENS:alice:tokA,bob:tokB'] })

function post(body: unknown, headers: Record<string, string> = {}): Promise<Response> {
  return fetch(`${dev().baseUrl}/mcp`, {
    method: 'POST',
    headers: { ...MCP_POST_HEADERS, ...headers },
    body: JSON.stringify(body),
  })
}

describe('npm start with AUTH_TOKENS', () => {
  it('no token → 401 with WWW-Authenticate; /health says bearer', async () => {
    const res = await post(INITIALIZE)
    expect(res.status).toBe(401)
    expect(res.headers.get('www-authenticate')).toBe('Bearer realm="mcp"')
    expect(await res.json()).toMatchObject({ jsonrpc: '2.0', id: null, error: { code: -32000 } })
    expect(await (await fetch(`${dev().baseUrl}/health`)).json()).toMatchObject({ auth: 'bearer' })
  })

  it('an OAuth-capable SDK client without a token fails at once, told to configure the token', async () => {
    // The SDK falls back to dynamic registration at the origin when no metadata names an
    // authorization server; what it reports is what Inspector and mcp-remote show the user.
    const registrations: string[] = []
    const provider: OAuthClientProvider = {
      redirectUrl: 'http://127.0.0.1:1/callback',
      clientMetadata: { redirect_uris: ['http://127.0.0.1:1/callback'], client_name: 'probe' },
      clientInformation: () => undefined,
      saveClientInformation: (info) => void registrations.push(info.client_id),
      tokens: () => undefined,
      saveTokens: () => undefined,
      redirectToAuthorization: () => {
        throw new Error('no authorization should be attempted')
      },
      saveCodeVerifier: () => undefined,
      codeVerifier: () => '',
    }
    const transport = new StreamableHTTPClientTransport(new URL(`${dev().baseUrl}/mcp`), {
      authProvider: provider,
    })
    const client = new Client({ name: 'no-token', version: '1' })
    await expect(client.connect(transport)).rejects.toThrow(
      'This MCP server takes a static bearer token, not OAuth: configure your client to send "Authorization: Bearer <token>"',
    )
    expect(registrations).toEqual([])
    for (const path of [
      '/.well-known/oauth-protected-resource/mcp',
      '/.well-known/oauth-authorization-server',
    ]) {
      const res = await fetch(`${dev().baseUrl}${path}`)
      expect(res.status).toBe(404)
      await res.body?.cancel()
    }
    await client.close()
  })

  it("the SDK client connects with alice's token; bob's token on her session → 404", async () => {
    const transport = new StreamableHTTPClientTransport(new URL(`${dev().baseUrl}/mcp`), {
      requestInit: { headers: { authorization: 'Bearer tokA' } },
    })
    const client = new Client({ name: 'alice', version: '1' })
    await client.connect(transport)
    expect(await client.callTool({ name: 'echo', arguments: { text: 'mine' } })).toEqual({
      content: [{ type: 'text', text: 'mine' }],
    })
    const stolen = await post(
      { jsonrpc: '2.0', id: 2, method: 'tools/call', params: { name: 'recall', arguments: {} } },
      { authorization: 'Bearer tokB', 'mcp-session-id': transport.sessionId! },
    )
    expect(stolen.status).toBe(404)
    expect(await stolen.json()).toEqual({
      jsonrpc: '2.0',
      id: null,
      error: { code: -32001, message: 'Session not found' },
    })
    await client.close()
  })

  it('Origin: http://evil.example → 403', async () => {
    const res = await post(INITIALIZE, {
      authorization: 'Bearer tokA',
      origin: 'http://evil.example',
    })
    expect(res.status).toBe(403)
    expect(await res.json()).toMatchObject({ error: { message: 'Forbidden: Origin not allowed' } })
  })

  it('a browser preflight from an allowed origin succeeds without a token', async () => {
    const res = await fetch(`${dev().baseUrl}/mcp`, {
      method: 'OPTIONS',
      headers: {
        origin: 'http://localhost:6274',
        'access-control-request-method': 'POST',
        'access-control-request-headers': 'authorization,content-type,mcp-session-id',
      },
    })
    expect(res.status).toBe(204)
    expect(res.headers.get('access-control-allow-origin')).toBe('http://localhost:6274')
    expect(res.headers.get('access-control-allow-headers')).toContain('Authorization')
  })
})
