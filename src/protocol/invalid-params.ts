/**
 * @module
 * SDK v1 validates a request's params with zod and, when they don't fit, answers `-32603` with
 * zod's issue list (as JSON) for a message: it never maps the ZodError. JSON-RPC calls that
 * `-32602` Invalid params, which is what a client must see.
 */
import type { JSONRPCMessage } from '@modelcontextprotocol/sdk/types.js'
import { RPC_ERROR } from './json-rpc-error'

interface Issue {
  readonly path: readonly (string | number)[]
  readonly message: string
}

/** zod's issues, when `text` is the issue list the SDK's request parsing produced. */
function paramsIssues(text: string): Issue[] | undefined {
  if (!text.startsWith('[')) return undefined
  let issues: unknown
  try {
    issues = JSON.parse(text)
  } catch {
    return undefined
  }
  const isParamsIssue = (issue: unknown): issue is Issue =>
    typeof issue === 'object' &&
    issue !== null &&
    Array.isArray(Reflect.get(issue, 'path')) &&
    Reflect.get(issue, 'path')[0] === 'params' &&
    typeof Reflect.get(issue, 'message') === 'string'
  return Array.isArray(issues) && issues.length > 0 && issues.every(isParamsIssue)
    ? issues
    : undefined
}

/**
 * `message`, with the SDK's `-32603` for params that failed its request schema turned into
 * `-32602` and a readable message; any other message unchanged (and not copied).
 */
export function withInvalidParams(message: JSONRPCMessage): JSONRPCMessage {
  if (!('error' in message) || message.error.code !== RPC_ERROR.internalError) return message
  const issues = paramsIssues(message.error.message)
  if (issues === undefined) return message
  const detail = issues
    .map((issue) => `${issue.path.slice(1).join('.') || 'params'}: ${issue.message}`)
    .join('; ')
  return {
    ...message,
    error: { code: RPC_ERROR.invalidParams, message: `Invalid params: ${detail}` },
  }
}
