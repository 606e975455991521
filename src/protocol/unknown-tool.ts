/**
 * @module
 * A session's `tools/call` that names a tool the server doesn't have. SDK v2 answers it with a
 * `-32602` error (`Tool <name> not found`); sessions have always answered it, as SDK v1 did, with
 * a tool error result naming the tool (200, `isError: true`), and their clients keep getting
 * that. (A 2026-07-28 request gets SDK v2's error.)
 */
import type { JSONRPCMessage } from '@modelcontextprotocol/server'
import { RPC_ERROR } from './json-rpc-error'

/** How SDK v2 words the error for an unknown tool. */
const NOT_FOUND = /^Tool .* not found$/

/**
 * `message`, the response to a `tools/call`, with SDK v2's unknown-tool error turned into the
 * error result sessions answer with; any other message unchanged (and not copied).
 */
export function unknownToolAsResult(message: JSONRPCMessage): JSONRPCMessage {
  if (!('error' in message) || message.id === undefined) return message
  const { code, message: text } = message.error
  if (code !== RPC_ERROR.invalidParams || !NOT_FOUND.test(text)) return message
  return {
    jsonrpc: '2.0',
    id: message.id,
    result: { content: [{ type: 'text', text }], isError: true },
  }
}
