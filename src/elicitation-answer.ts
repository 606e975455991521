/**
 * @module
 * A client's answer to a form elicitation is checked against the schema the server asked with
 * (`requestedSchema`) before a tool sees it: a client may accept with fields missing or of the
 * wrong type, and a tool must not have to re-check what it declared. Validation is SDK v2's
 * Workers-safe JSON Schema validator (`@cfworker/json-schema`, the one the SDK uses in workerd).
 */
import {
  type ElicitRequest,
  type ElicitResult,
  ProtocolError,
  ProtocolErrorCode,
} from '@modelcontextprotocol/server'
import { CfWorkerJsonSchemaValidator } from '@modelcontextprotocol/server/validators/cf-worker'

/** Reports every problem of an answer, not just the first. */
const validator = new CfWorkerJsonSchemaValidator({ shortcircuit: false })

/**
 * `result`, when it declines, cancels, or accepts with content that fits the request's
 * `requestedSchema`; otherwise a `ProtocolError` (invalid params) that names what doesn't fit, which
 * the tool gets as the elicitation's failure (an error result unless it catches it).
 */
export function checkedAnswer(params: ElicitRequest['params'], result: ElicitResult): ElicitResult {
  if (result.action !== 'accept' || params.mode === 'url' || !('requestedSchema' in params)) {
    return result
  }
  const check = validator.getValidator(params.requestedSchema)
  const { valid, errorMessage } = check(result.content ?? {})
  if (valid) return result
  throw new ProtocolError(
    ProtocolErrorCode.InvalidParams,
    `The client accepted the elicitation with content that does not match its requestedSchema: ${errorMessage}`,
  )
}
