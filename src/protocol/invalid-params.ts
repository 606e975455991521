/**
 * @module
 * SDK v2 validates a session request's params with zod and, when they don't fit, answers with
 * zod's issue list (as JSON) for a message: `-32603` for most methods, `-32602` prefixed
 * `Invalid tools/call request: ` for `tools/call`. JSON-RPC calls that `-32602` Invalid params,
 * and a client should read what is wrong, so sessions answer `-32602 Invalid params: <field>:
 * <problem>` (what they answered on SDK v1, which had the same issue lists at `-32603`).
 */
import type { JSONRPCMessage } from '@modelcontextprotocol/server'
import { RPC_ERROR } from './json-rpc-error'

interface Issue {
  readonly path: readonly (string | number)[]
  readonly message: string
}

/** The prefix SDK v2 puts before the issue list of a `tools/call` whose params don't parse. */
const TOOLS_CALL_PREFIX = 'Invalid tools/call request: '

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

/** The issue list of an error the SDK's request parsing produced, if `error` is one. */
function issuesOf(error: { code: number; message: string }): Issue[] | undefined {
  if (error.code === RPC_ERROR.internalError) return paramsIssues(error.message)
  if (error.code === RPC_ERROR.invalidParams && error.message.startsWith(TOOLS_CALL_PREFIX)) {
    return paramsIssues(error.message.slice(TOOLS_CALL_PREFIX.length))
  }
  return undefined
}

/**
 * `message`, with the SDK's answer to params that failed its request schema turned into
 * `-32602` with a readable message; any other message unchanged (and not copied).
 */
export function withInvalidParams(message: JSONRPCMessage): JSONRPCMessage {
  if (!('error' in message)) return message
  const issues = issuesOf(message.error)
  if (issues === undefined) return message
  const detail = issues
    .map((issue) => `${issue.path.slice(1).join('.') || 'params'}: ${issue.message}`)
    .join('; ')
  return {
    ...message,
    error: { code: RPC_ERROR.invalidParams, message: `Invalid params: ${detail}` },
  }
}
