/**
 * @module
 * Tools whose input is described by a raw JSON Schema instead of zod. The schema is published by
 * `tools/list` exactly as given (the SDK renders zod to JSON Schema, and zod merges registered
 * metadata into that rendering), and arguments are validated against it with the Workers-safe
 * JSON Schema validator (`@cfworker/json-schema`, draft 2020-12).
 */
import { Validator } from '@cfworker/json-schema'
import { z } from 'zod'

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
  const draft = String(schema.$schema ?? '').includes('draft-07') ? '7' : '2020-12'
  const validator = new Validator(schema as Record<string, unknown>, draft, false)
  const input = z.looseObject({}).superRefine((value, ctx) => {
    const result = validator.validate(value)
    for (const error of result.errors) {
      ctx.addIssue({ code: 'custom', message: `${error.instanceLocation}: ${error.error}` })
    }
  })
  z.globalRegistry.add(input, { ...schema })
  return input
}
