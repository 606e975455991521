/**
 * Raw-request helpers for tests that run inside workerd: requests go through the Worker's own
 * default export, exactly as a client's would.
 */
import { exports } from 'cloudflare:workers'
import { expect } from 'vitest'

/** Origin the tests address (loopback, like `npm start`). */
export const BASE = 'http://127.0.0.1:8787'
export const ACCEPT_BOTH = 'application/json, text/event-stream'
export const JSON_HEADERS = { accept: ACCEPT_BOTH, 'content-type': 'application/json' }

/** JSON-RPC messages the tests send. */
export const MSG = {
  initialize: (protocolVersion = '2025-11-25', id: number | string = 1) => ({
    jsonrpc: '2.0' as const,
    id,
    method: 'initialize',
    params: {
      protocolVersion,
      capabilities: {},
      clientInfo: { name: 'test-client', version: '0.0.1' },
    },
  }),
  initialized: { jsonrpc: '2.0' as const, method: 'notifications/initialized' },
  ping: (id: number | string = 2) => ({ jsonrpc: '2.0' as const, id, method: 'ping' }),
  toolsList: (id: number | string = 3) => ({ jsonrpc: '2.0' as const, id, method: 'tools/list' }),
  call: (name: string, args: Record<string, unknown>, id: number | string = 4, meta?: object) => ({
    jsonrpc: '2.0' as const,
    id,
    method: 'tools/call',
    params: { name, arguments: args, ...(meta ? { _meta: meta } : {}) },
  }),
} as const

/** Sends a request to the app. */
export function fetchApp(path: string, init?: RequestInit): Promise<Response> {
  return exports.default.fetch(new Request(BASE + path, init))
}

/** A fetch for the SDK client transports, routed to the app. */
export const appFetch = (url: string | URL, init?: RequestInit): Promise<Response> =>
  exports.default.fetch(new Request(url, init))

/** POSTs `body` (JSON-encoded unless a string) to `/mcp`. */
export function postMcp(
  body: unknown,
  headers: Record<string, string> = {},
  path = '/mcp',
): Promise<Response> {
  return fetchApp(path, {
    method: 'POST',
    headers: { ...JSON_HEADERS, ...headers },
    body: typeof body === 'string' ? body : JSON.stringify(body),
  })
}

/** Initializes a session (initialize + initialized) and returns its id. */
export async function openSession(protocolVersion = '2025-11-25'): Promise<string> {
  const res = await postMcp(MSG.initialize(protocolVersion))
  expect(res.status).toBe(200)
  const sessionId = res.headers.get('mcp-session-id')
  expect(sessionId).toMatch(/^[0-9a-f]{64}$/)
  await res.text()
  const ack = await postMcp(MSG.initialized, { 'mcp-session-id': sessionId! })
  expect(ack.status).toBe(202)
  return sessionId!
}

/** Asserts that `res` is a JSON-RPC error with `status` and `code`, and returns its message. */
export async function expectRpcError(res: Response, status: number, code: number): Promise<string> {
  expect(res.status).toBe(status)
  expect(res.headers.get('content-type')).toMatch(/^application\/json/)
  const body = (await res.json()) as {
    jsonrpc: string
    id: unknown
    error: { code: number; message: string }
  }
  expect(body).toEqual({ jsonrpc: '2.0', id: null, error: { code, message: expect.any(String) } })
  return body.error.message
}

/** `GET /mcp` resuming the stream that `lastEventId` names. */
export function resumeMcp(sessionId: string, lastEventId: string): Promise<Response> {
  return fetchApp('/mcp', {
    headers: {
      accept: 'text/event-stream',
      'mcp-session-id': sessionId,
      'last-event-id': lastEventId,
    },
  })
}
