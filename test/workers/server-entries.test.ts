/**
 * One definition, recorded once: `setup` runs once per isolate however many sessions and modern
 * requests are served, raw shapes become zod objects there (one schema object for every build),
 * and a name registered twice is refused with a clear error. A 2026-07-28 tool call's server
 * holds just the tool it calls.
 */
import { McpServer } from '@modelcontextprotocol/server'
import { afterEach, describe, expect, it, vi } from 'vitest'
import { z } from 'zod'
import { defineMcpServer, resourceTemplate } from '../../src/define-mcp-server'
import { buildModernServer } from '../../src/modern/modern-server'
import { serverEntries } from '../../src/server-entries'
import { NO_INPUT_SCOPE } from '../helpers/modern'

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
    buildModernServer(definition, NO_INPUT_SCOPE)
    buildModernServer(definition, NO_INPUT_SCOPE)
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

  describe('the server of one 2026-07-28 request', () => {
    const definition = defineMcpServer({
      name: 'per-request',
      version: '1',
      setup(server) {
        server.registerTool('b', {}, () => ({ content: [] }))
        server.registerTool('a', {}, () => ({ content: [] }))
        server.registerResource('r', 'test://r', {}, (uri) => ({
          contents: [{ uri: uri.href, text: '' }],
        }))
        server.registerPrompt('p', {}, () => ({ messages: [] }))
      },
    })
    const call = (name: unknown) => ({
      jsonrpc: '2.0',
      id: 1,
      method: 'tools/call',
      params: { name },
    })
    afterEach(() => vi.restoreAllMocks())

    /** What building for `body` registers, by kind. */
    function registered(body: unknown) {
      const tools = vi.spyOn(McpServer.prototype, 'registerTool')
      const resources = vi.spyOn(McpServer.prototype, 'registerResource')
      const prompts = vi.spyOn(McpServer.prototype, 'registerPrompt')
      buildModernServer(definition, NO_INPUT_SCOPE, body)
      const names = {
        tools: tools.mock.calls.map((args) => args[0]),
        resources: resources.mock.calls.map((args) => args[0]),
        prompts: prompts.mock.calls.map((args) => args[0]),
      }
      vi.restoreAllMocks()
      return names
    }

    it('a call of a known tool registers that tool alone', () => {
      expect(registered(call('a'))).toEqual({ tools: ['a'], resources: [], prompts: [] })
      expect(registered(call('b'))).toEqual({ tools: ['b'], resources: [], prompts: [] })
    })

    it('anything else registers every entry: the SDK words an unknown tool’s error', () => {
      const every = { tools: ['b', 'a'], resources: ['r'], prompts: ['p'] }
      expect(registered(call('nope'))).toEqual(every)
      expect(registered(call(7))).toEqual(every)
      expect(registered({ jsonrpc: '2.0', id: 1, method: 'tools/list' })).toEqual(every)
      expect(
        registered({ jsonrpc: '2.0', id: 1, method: 'prompts/get', params: { name: 'p' } }),
      ).toEqual(every)
      expect(registered(undefined)).toEqual(every)
    })
  })
})
