/**
 * Tool schemas with their JSON Schema rendered once per isolate: the rendering is the original
 * schema's, made once per target and frozen, while validation (transforms and defaults
 * included) stays the original's. Through the modern leg, repeated calls and lists render once.
 */
import { McpServer } from '@modelcontextprotocol/server'
import { describe, expect, it, vi } from 'vitest'
import { z } from 'zod'
import { defineMcpServer } from '../../src/define-mcp-server'
import { jsonSchema } from '../../src/json-schema-input'
import { withJsonSchemaMemo } from '../../src/json-schema-memo'
import { buildModernServer } from '../../src/modern/modern-server'
import { NO_INPUT_SCOPE } from '../helpers/modern'

const TARGET = { target: 'draft-2020-12' }

describe('withJsonSchemaMemo', () => {
  it('renders once per target, the same JSON Schema the original renders', () => {
    const schema = z.object({ text: z.string().describe('The text'), n: z.number().default(1) })
    const render = vi.spyOn(schema['~standard'].jsonSchema, 'input')
    const memo = withJsonSchemaMemo(schema)
    const first = memo['~standard'].jsonSchema.input(TARGET)
    const again = memo['~standard'].jsonSchema.input(TARGET)
    expect(again).toBe(first)
    expect(render).toHaveBeenCalledTimes(1)
    expect(first).toEqual(z.toJSONSchema(schema, { target: 'draft-2020-12', io: 'input' }))
    memo['~standard'].jsonSchema.input({ target: 'draft-07' })
    expect(render).toHaveBeenCalledTimes(2)
    // Library options may change the rendering: not memoized.
    memo['~standard'].jsonSchema.input({ ...TARGET, libraryOptions: { unrepresentable: 'any' } })
    memo['~standard'].jsonSchema.input({ ...TARGET, libraryOptions: { unrepresentable: 'any' } })
    expect(render).toHaveBeenCalledTimes(4)
  })

  it('keeps the output rendering apart from the input one', () => {
    // A default makes the field optional going in and present coming out.
    const memo = withJsonSchemaMemo(z.object({ n: z.number().default(1) }))
    expect(memo['~standard'].jsonSchema.input(TARGET)).not.toHaveProperty('required')
    expect(memo['~standard'].jsonSchema.output(TARGET)).toMatchObject({ required: ['n'] })
    expect(memo['~standard'].jsonSchema.input(TARGET)).not.toHaveProperty('required')
  })

  it('validates with the original schema, transforms and defaults included', async () => {
    const schema = z.object({
      text: z.string().transform((s) => s.toUpperCase()),
      n: z.number().default(3),
    })
    const memo = withJsonSchemaMemo(schema)
    expect(await memo['~standard'].validate({ text: 'hi' })).toEqual({
      value: { text: 'HI', n: 3 },
    })
    const refused = await memo['~standard'].validate({ text: 1 })
    expect('issues' in refused && refused.issues?.length).toBe(1)
    expect(memo).toBeInstanceOf(z.ZodObject)
    expect(memo.shape).toBe(schema.shape)
    expect(memo.safeParse({ text: 'a' })).toEqual({ success: true, data: { text: 'A', n: 3 } })
  })

  it('freezes its copy of the rendering, never the objects a caller registered', () => {
    const properties = { id: { type: 'string' } }
    const schema = jsonSchema({ type: 'object', properties })
    const rendered = withJsonSchemaMemo(schema)['~standard'].jsonSchema.input(TARGET)
    expect(rendered).toMatchObject({ properties: { id: { type: 'string' } } })
    expect(Object.isFrozen(rendered)).toBe(true)
    expect(Object.isFrozen(rendered.properties)).toBe(true)
    expect(Object.isFrozen(properties)).toBe(false)
    expect(Object.isFrozen(properties.id)).toBe(false)
  })

  it('is one memo per schema, and leaves a schema without a JSON Schema rendering alone', () => {
    const schema = z.object({})
    expect(withJsonSchemaMemo(schema)).toBe(withJsonSchemaMemo(schema))
    const bare = {
      '~standard': { version: 1, vendor: 'x', validate: (value: unknown) => ({ value }) },
    }
    expect(withJsonSchemaMemo(bare)).toBe(bare)
  })

  it('serves the SDK: listed and called as the original schema would be', async () => {
    const schema = z.object({ text: z.string().describe('The text') })
    const render = vi.spyOn(schema['~standard'].jsonSchema, 'input')
    const listed: unknown[] = []
    for (const input of [schema, withJsonSchemaMemo(schema), withJsonSchemaMemo(schema)]) {
      const server = new McpServer({ name: 's', version: '1' })
      server.registerTool('echo', { inputSchema: input }, ({ text }) => ({
        content: [{ type: 'text', text }],
      }))
      listed.push(server.toolInputSchemaJson('echo'))
    }
    expect(listed[1]).toEqual(listed[0])
    expect(listed[2]).toEqual(listed[0])
    // Once for the original's server, once for both memo servers.
    expect(render).toHaveBeenCalledTimes(2)
  })

  it("the modern leg's per-request servers share one rendering of each tool schema", () => {
    const input = z.object({ text: z.string() })
    const output = z.object({ echoed: z.string() })
    const definition = defineMcpServer({
      name: 'memo',
      version: '1',
      setup(server) {
        server.registerTool('echo', { inputSchema: input, outputSchema: output }, ({ text }) => ({
          content: [{ type: 'text', text }],
          structuredContent: { echoed: text },
        }))
      },
    })
    const renderInput = vi.spyOn(input['~standard'].jsonSchema, 'input')
    const call = { method: 'tools/call', params: { name: 'echo', arguments: { text: 'x' } } }
    const schemas = [1, 2, 3].map(() =>
      buildModernServer(definition, NO_INPUT_SCOPE, call).toolInputSchemaJson('echo'),
    )
    expect(schemas[1]).toEqual(schemas[0])
    expect(schemas[2]).toEqual(schemas[0])
    expect(renderInput).toHaveBeenCalledTimes(1)
  })
})
