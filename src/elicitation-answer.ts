/**
 * @module
 * A client's answer to a form elicitation is checked against the schema the server asked with
 * (`requestedSchema`) before a tool sees it: a client may accept with fields missing or of the
 * wrong type, and a tool must not have to re-check what it declared. Validation is the
 * Workers-safe JSON Schema validator's (`@cfworker/json-schema`).
 */
import { Validator } from '@cfworker/json-schema'
import {
  type ElicitRequest,
  type ElicitResult,
  ProtocolError,
  ProtocolErrorCode,
} from '@modelcontextprotocol/server'

/**
 * `result`, when it declines, cancels, or accepts with content that fits the request's
 * `requestedSchema`; otherwise a `ProtocolError` (invalid params) that names what doesn't fit, which
 * the tool gets as the elicitation's failure (an error result unless it catches it).
 */
export function checkedAnswer(params: ElicitRequest['params'], result: ElicitResult): ElicitResult {
  if (result.action !== 'accept' || params.mode === 'url' || !('requestedSchema' in params)) {
    return result
  }
  const validator = new Validator(
    params.requestedSchema as Record<string, unknown>,
    '2020-12',
    false,
  )
  const { valid, errors } = validator.validate(result.content ?? {})
  if (valid) return result
  const why = errors
    .filter((error) => error.keyword !== 'properties')
    .map((error) => `${error.instanceLocation}: ${error.error}`)
    .join('; ')
  throw new ProtocolError(
    ProtocolErrorCode.InvalidParams,
    `The client accepted the elicitation with content that does not match its requestedSchema: ${why}`,
  )
}
