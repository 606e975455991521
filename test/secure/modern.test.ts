/**
 * The plugins on 2026-07-28 requests, in a Worker composed with the OAuth and logging plugins:
 * the OAuth middleware decides each modern request's principal (same 401 and RFC 9728
 * challenge), its per-tool scopes hook refuses a call in the Worker, and the logger writes the
 * same lines as for a session's messages, marked `modern` and without a session id.
 */
import { beforeEach, describe, expect, it } from 'vitest'
import { logLines, RESOURCE } from '../fixtures/secure/worker'
import { expectModernError, modern, postModern } from '../helpers/modern'
import { postMcp } from '../helpers/requests'
import { auth } from '../helpers/tokens'

type Line = Record<string, unknown>
const lines = (): Line[] => logLines.map((line) => JSON.parse(line) as Line)

beforeEach(() => {
  logLines.length = 0
})

const call = (name: string, args: Record<string, unknown>, id: number) =>
  modern('tools/call', { name, arguments: args }, id)

describe('OAuth on modern requests', () => {
  it('no token → 401 with the resource_metadata challenge, and the request id', async () => {
    const res = await postModern(call('echo', { text: 'x' }, 51))
    expect(res.headers.get('www-authenticate')).toBe(
      `Bearer resource_metadata="${RESOURCE}/.well-known/oauth-protected-resource"`,
    )
    expect(res.status).toBe(401)
  })

  it('a valid token → served, as its subject', async () => {
    const res = await postModern(call('echo', { text: 'x' }, 52), await auth('alice'))
    expect(await res.json()).toMatchObject({ id: 52, result: { content: [{ text: 'x' }] } })
  })

  it('a tool whose scope the token lacks → 403 insufficient_scope with the request id', async () => {
    const headers = await auth('alice', { scope: 'notes:read' })
    const res = await postModern(call('remember', { key: 'k', note: 'n' }, 53), headers)
    expect(res.headers.get('www-authenticate')).toBe(
      `Bearer error="insufficient_scope", scope="notes:read notes:write", resource_metadata="${RESOURCE}/.well-known/oauth-protected-resource"`,
    )
    const error = await expectModernError(res, 403, -32000, 53)
    expect(error.message).toBe('Forbidden: tool "remember" needs scope notes:write')
  })
})

describe('mcpLogger on modern requests', () => {
  it('one http and one rpc line, tied by the request id, marked modern, without a session', async () => {
    const headers = { ...(await auth('alice')), 'x-request-id': 'modern-1' }
    const res = await postModern(call('echo', { text: 'x', token: 'hunter2' }, 54), headers)
    await res.text()
    expect(lines().filter((l) => l.requestId === 'modern-1')).toEqual([
      {
        level: 'info',
        time: expect.any(String),
        type: 'rpc',
        era: 'modern',
        requestId: 'modern-1',
        principal: 'oauth:alice',
        method: 'tools/call',
        name: 'echo',
        id: 54,
        durationMs: expect.any(Number),
        outcome: 'ok',
        arguments: { text: 'x', token: '[REDACTED]' },
      },
      {
        level: 'info',
        time: expect.any(String),
        type: 'http',
        requestId: 'modern-1',
        method: 'POST',
        path: '/mcp',
        status: 200,
        durationMs: expect.any(Number),
        transport: 'streamable-http',
        era: 'modern',
        principal: 'oauth:alice',
      },
    ])
  })

  it('a request the SDK refuses is logged with its error code', async () => {
    const headers = {
      ...(await auth('alice')),
      'x-request-id': 'modern-2',
      'mcp-protocol-version': '2025-11-25',
    }
    const res = await postModern(call('echo', { text: 'x' }, 55), headers)
    await expectModernError(res, 400, -32020, 55)
    expect(lines().find((l) => l.type === 'rpc' && l.requestId === 'modern-2')).toMatchObject({
      level: 'warn',
      era: 'modern',
      id: 55,
      outcome: 'error',
      errorCode: -32020,
    })
  })

  it('a batch with a claim reaches no hook: only the http line of its 400', async () => {
    const headers = { ...(await auth('alice')), 'x-request-id': 'modern-3' }
    const res = await postMcp([call('echo', { text: 'x' }, 56)], {
      ...headers,
      'mcp-protocol-version': '2026-07-28',
    })
    await expectModernError(res, 400, -32600, null)
    expect(
      lines()
        .filter((l) => l.requestId === 'modern-3')
        .map((l) => l.type),
    ).toEqual(['http'])
  })
})
