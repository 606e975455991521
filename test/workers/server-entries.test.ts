/**
 * One definition, recorded once: `setup` runs once per isolate however many sessions and modern
 * requests are served, raw shapes become zod objects there (one schema object for every build),
 * and a name registered twice is refused with a clear error.
 */
import { describe, expect, it } from 'vitest'
import { z } from 'zod'
import { defineMcpServer, resourceTemplate } from '../../src/define-mcp-server'
import { buildModernServer } from '../../src/modern/modern-server'
import { serverEntries } from '../../src/server-entries'

describe('serverEntries', () => {
  it('runs setup once, and keeps what it registered in order', () => {
    let runs = 0
    const definition = defineMcpServer({
      name: 'entries',
      version: '1',
      setup(server) {
        runs++
        server.registerTool('b', { inputSchema: { n: z.number() } }, ({ n }) => ({
          content: [{ type: 'text', text: String(n) }],
        }))
        server.registerTool('a', {}, () => ({ content: [] }))
        server.registerResource('r', 'test://r', {}, (uri) => ({
          contents: [{ uri: uri.href, text: '' }],
        }))
        server.registerResource('t', resourceTemplate('test://t/{id}'), {}, (uri) => ({
          contents: [{ uri: uri.href, text: '' }],
        }))
        server.registerPrompt('p', { argsSchema: { q: z.string() } }, ({ q }) => ({
          messages: [{ role: 'user', content: { type: 'text', text: q } }],
        }))
      },
    })
    const first = serverEntries(definition)
    const scope = {
      env: {},
      principal: { name: 'anonymous' },
      requestId: 'r',
      stateCodec: () => {
        throw new Error('no input here')
      },
    }
    buildModernServer(definition, scope)
    buildModernServer(definition, scope)
    expect(serverEntries(definition)).toBe(first)
    expect(runs).toBe(1)
    expect(first.tools.map((tool) => tool.name)).toEqual(['b', 'a'])
    expect(first.tools[0]!.config.inputSchema).toBeInstanceOf(z.ZodObject)
    expect(first.tools[1]!.config.inputSchema).toBeUndefined()
    expect(first.resources.map((resource) => resource.name)).toEqual(['r', 't'])
    expect(first.prompts[0]).toMatchObject({ name: 'p', argsShape: { q: expect.any(z.ZodString) } })
  })

  it('refuses a tool registered twice', () => {
    const definition = defineMcpServer({
      name: 'twice',
      version: '1',
      setup(server) {
        server.registerTool('x', {}, () => ({ content: [] }))
        server.registerTool('x', {}, () => ({ content: [] }))
      },
    })
    expect(() => serverEntries(definition)).toThrow('Tool "x" is registered twice')
  })

  it('defineMcpServer checks the definition when the module loads', () => {
    expect(() => defineMcpServer({ name: '', version: '1', setup() {} })).toThrow(
      '`name` is required',
    )
  })
})
