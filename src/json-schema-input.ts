/**
 * @module
 * Tools whose input is described by a raw JSON Schema instead of zod. The schema is published by
 * `tools/list` exactly as given (the SDK renders zod to JSON Schema, and zod merges registered
 * metadata into that rendering), and arguments are validated against it with SDK v2's
 * Workers-safe JSON Schema validator (`@cfworker/json-schema`), in the dialect its `$schema`
 * names (2020-12 when it names none).
 */
import { CfWorkerJsonSchemaValidator } from '@modelcontextprotocol/server/validators/cf-worker'
import { z } from 'zod'

/** Reports every problem of the arguments, not just the first. */
const validator = new CfWorkerJsonSchemaValidator({ shortcircuit: false })

/** A JSON Schema document for a tool's `inputSchema` (an object schema). */
export type JsonSchemaObject = Readonly<Record<string, unknown>> & { readonly type: 'object' }

/**
 * Wraps a raw JSON Schema so it can be a tool's `inputSchema`: published verbatim, enforced on
 * every call (a violation is the usual tool-input error, answered as an `isError` result).
 *
 * @example
 * ```ts
 * server.registerTool('lookup', {
 *   inputSchema: jsonSchema({ type: 'object', properties: { id: { type: 'string' } } }),
 * }, (args) => ({ content: [{ type: 'text', text: JSON.stringify(args) }] }))
 * ```
 */
export function jsonSchema(schema: JsonSchemaObject) {
  const check = validator.getValidator(schema)
  const input = z.looseObject({}).superRefine((value, ctx) => {
    const { valid, errorMessage } = check(value)
    if (!valid) ctx.addIssue({ code: 'custom', message: errorMessage ?? 'Invalid arguments' })
  })
  z.globalRegistry.add(input, { ...schema })
  return input
}
