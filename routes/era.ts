/**
 * @module
 * Which era a `POST /mcp` belongs to, decided in the Worker before any object wakes.
 * A request that names a session goes to that session, whatever else it says; any other request
 * is classified by the spec's rule as SDK v2 implements it (`classifyInboundRequest`: the body's
 * `params._meta["io.modelcontextprotocol/protocolVersion"]` claim): `initialize`, claim-less
 * messages and all-legacy batches are the sessionful era; everything else, including what the
 * modern leg must refuse (a claim with a mismatching header, a modern header without a claim,
 * a batch with a claim), is the modern leg's to answer.
 */
import { classifyInboundRequest, PROTOCOL_VERSION_META_KEY } from '@modelcontextprotocol/server'
import type { Context } from 'hono'
import { isModernVersion } from '../src/protocol/versions'
import { type AppEnv, type Era, HEADER } from '../src/types'

/** The era of a `POST /mcp` whose body parsed as `body`. */
export function postEra(c: Context<AppEnv>, body: unknown): Era {
  // Clients that negotiated a session sometimes send a modern MCP-Protocol-Version header on it
  // (a known connector bug); the session's own version applies, so the session serves them.
  if (c.req.header(HEADER.sessionId) !== undefined) return 'legacy'
  const protocolVersionHeader = c.req.header(HEADER.protocolVersion)
  // The hot path: a well-formed message claiming the modern revision its header names is the
  // modern leg's whatever else the rule says (it is modern, or a refusal the leg words), and the
  // SDK's handler classifies it again there; classifying it here too cost a second pass.
  if (
    protocolVersionHeader !== undefined &&
    isModernVersion(protocolVersionHeader) &&
    claims(body, protocolVersionHeader)
  ) {
    return 'modern'
  }
  const outcome = classifyInboundRequest({
    httpMethod: 'POST',
    protocolVersionHeader,
    mcpMethodHeader: c.req.header(HEADER.mcpMethod),
    mcpNameHeader: c.req.header(HEADER.mcpName),
    body,
  })
  if (outcome.kind === 'legacy') return 'legacy'
  // A body that isn't JSON-RPC belongs to no era, and is refused as it always was, unless it is
  // a batch with a modern element (which 2026-07-28 forbids: the modern leg says so).
  if (outcome.kind === 'reject' && outcome.rung === 'jsonrpc-shape' && !hasModernElement(body)) {
    return 'legacy'
  }
  return 'modern'
}

/** Whether `body` is one JSON-RPC request or notification whose envelope claims `version`. */
function claims(body: unknown, version: string): boolean {
  if (typeof body !== 'object' || body === null || Array.isArray(body)) return false
  const { jsonrpc, method, id, params } = body as Record<string, unknown>
  if (jsonrpc !== '2.0' || typeof method !== 'string') return false
  if (id !== undefined && typeof id !== 'string' && typeof id !== 'number') return false
  const meta =
    typeof params === 'object' && params !== null ? Reflect.get(params, '_meta') : undefined
  return (
    typeof meta === 'object' &&
    meta !== null &&
    Reflect.get(meta, PROTOCOL_VERSION_META_KEY) === version
  )
}

/** Whether `body` is a batch with an element the SDK classifies as modern. */
function hasModernElement(body: unknown): boolean {
  return (
    Array.isArray(body) &&
    body.some(
      (item) => classifyInboundRequest({ httpMethod: 'POST', body: item }).kind === 'modern',
    )
  )
}
