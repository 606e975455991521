/**
 * Raw 2026-07-28 requests for tests inside workerd: the per-request envelope, the standard
 * headers derived from the body (as a conformant client sends them), and error assertions.
 */
import { expect } from 'vitest'
import { postMcp } from './requests'

/** The scope of a modern request that asks for no input (for building its server directly). */
export const NO_INPUT_SCOPE = {
  env: {},
  principal: { name: 'anonymous' },
  requestId: 'r',
  stateCodec: () => {
    throw new Error('no input here')
  },
}

/** The revision modern requests claim. */
export const MODERN = '2026-07-28'

/** The envelope keys a modern request carries in `params._meta`. */
export const ENVELOPE = {
  'io.modelcontextprotocol/protocolVersion': MODERN,
  'io.modelcontextprotocol/clientCapabilities': {},
  'io.modelcontextprotocol/clientInfo': { name: 'test-client', version: '0.0.1' },
} as const

/** A modern request: `params` plus the envelope (and `meta`, merged into `_meta`). */
export function modern(
  method: string,
  params: Record<string, unknown> = {},
  id: number | string = 1,
  meta: Record<string, unknown> = {},
) {
  return {
    jsonrpc: '2.0' as const,
    id,
    method,
    params: { ...params, _meta: { ...ENVELOPE, ...meta } },
  }
}

/** The standard headers for `body`: `MCP-Protocol-Version`, `Mcp-Method`, `Mcp-Name`. */
export function standardHeaders(body: {
  method: string
  params?: Record<string, unknown>
}): Record<string, string> {
  const name = body.params?.name ?? body.params?.uri
  return {
    'mcp-protocol-version': MODERN,
    'mcp-method': body.method,
    ...(typeof name === 'string' && { 'mcp-name': name }),
  }
}

/** POSTs a modern request with its standard headers, `headers` added or overriding them. */
export function postModern(
  body: { method: string; params?: Record<string, unknown> },
  headers: Record<string, string> = {},
): Promise<Response> {
  return postMcp(body, { ...standardHeaders(body), ...headers })
}

/**
 * Asserts that `res` is a JSON-RPC error with `status`, `code` and the request's `id` (the
 * 2026-07-28 rule), and returns the error.
 */
export async function expectModernError(
  res: Response,
  status: number,
  code: number,
  id: number | string | null,
): Promise<{ code: number; message: string; data?: unknown }> {
  expect(res.status).toBe(status)
  expect(res.headers.get('content-type')).toMatch(/^application\/json/)
  expect(res.headers.has('mcp-session-id')).toBe(false)
  const body = (await res.json()) as { id: unknown; error: { code: number; message: string } }
  expect(body).toMatchObject({ jsonrpc: '2.0', id, error: { code, message: expect.any(String) } })
  return body.error
}
