/**
 * The tool context's helpers, on a real SDK server with a recording client: what each sends, and
 * when it refuses.
 */

import { runInDurableObject } from 'cloudflare:test'
import {
  type ClientCapabilities,
  type JSONRPCMessage,
  type LoggingLevel,
  McpServer,
  type ServerContext,
  type Transport,
} from '@modelcontextprotocol/server'
import { describe, expect, it } from 'vitest'
import { EventLog } from '../../durable/event-log'
import { type SessionFacts, sessionContext } from '../../durable/session-context'
import type { SessionRecord } from '../../durable/session-state'
import { SessionWiring } from '../../durable/session-wiring'
import { startLiveSession } from '../../durable/start-live-session'
import type { SessionContext } from '../../src/define-mcp-server'
import { readSessionConfig } from '../../src/session-config'
import { createToolContext } from '../../src/tool-context'
import { freshObject } from '../helpers/session-storage'

interface Sent {
  kind: 'notification' | 'request'
  message: { method: string; params?: unknown }
}

/** What the recording client answers each server→client request with. */
const ANSWERS: Record<string, unknown> = {
  'roots/list': { roots: [{ uri: 'file:///x' }] },
  'elicitation/create': { action: 'decline' },
}

/**
 * A client at the other end of a real SDK server: records what the server sends after the
 * context is made, and answers its requests.
 */
class RecordingClient implements Transport {
  onmessage?: (message: JSONRPCMessage) => void
  recording = false
  constructor(readonly sent: Sent[]) {}
  async start() {}
  async close() {}
  async send(message: JSONRPCMessage) {
    if (!('method' in message) || !this.recording) return
    const { jsonrpc: _, ...rest } = message
    if (!('id' in rest)) {
      this.sent.push({ kind: 'notification', message: rest })
      return
    }
    const { id, ...request } = rest
    this.sent.push({ kind: 'request', message: request })
    const result = (ANSWERS[request.method] ?? {}) as Record<string, unknown>
    queueMicrotask(() => this.onmessage?.({ jsonrpc: '2.0', id, result }))
  }
}

/**
 * The context of a tool call on a real SDK server, after `initialize` (and `logging/setLevel`
 * when `level` is given), with the session's piece built from `options`.
 */
async function setup(options: {
  progressToken?: string
  level?: LoggingLevel
  initialized?: boolean
  caps?: ClientCapabilities
  version?: string
}) {
  const sent: Sent[] = []
  const server = new McpServer({ name: 't', version: '1' }, { capabilities: { logging: {} } })
  const called = new Promise<ServerContext>((resolve) => {
    server.registerTool('capture', {}, (ctx) => {
      resolve(ctx)
      return { content: [] }
    })
  })
  const client = new RecordingClient(sent)
  await server.connect(client)
  const version = options.version ?? '2025-11-25'
  const request = (id: number, method: string, params: Record<string, unknown>) =>
    client.onmessage?.({ jsonrpc: '2.0', id, method, params })
  request(1, 'initialize', {
    protocolVersion: version,
    capabilities: options.caps ?? { roots: {}, sampling: {}, elicitation: {} },
    clientInfo: { name: 'c', version: '1' },
  })
  if (options.level !== undefined) request(2, 'logging/setLevel', { level: options.level })
  const meta = options.progressToken === undefined ? {} : { progressToken: options.progressToken }
  request(3, 'tools/call', { name: 'capture', arguments: {}, _meta: meta })
  const ctx = await called
  client.recording = true
  const facts: SessionFacts = {
    initialized: () => options.initialized ?? true,
    clientCapabilities: () => options.caps ?? { roots: {}, sampling: {}, elicitation: {} },
    protocolVersion: () => version,
    requestTimeoutMs: 1_000,
    closeStream: () => false,
  }
  const session = { sessionId: 's' } as SessionContext
  return { tool: createToolContext(ctx, sessionContext(session, facts, ctx)), sent }
}

describe('the tool context', () => {
  it('progress: only with a token, and only increasing', async () => {
    const silent = await setup({})
    await silent.tool.progress(1, 2)
    expect(silent.sent).toEqual([])
    const { tool, sent } = await setup({ progressToken: 't' })
    await tool.progress(1, 2, 'half')
    await expect(tool.progress(1, 2)).rejects.toThrow('progress must increase')
    expect(sent).toEqual([
      {
        kind: 'notification',
        message: {
          method: 'notifications/progress',
          params: { progressToken: 't', progress: 1, total: 2, message: 'half' },
        },
      },
    ])
  })

  it('log: honours the session level', async () => {
    const { tool, sent } = await setup({ level: 'warning' })
    await tool.log('info', 'dropped')
    await tool.log('error', { code: 7 }, 'db')
    expect(sent).toEqual([
      {
        kind: 'notification',
        message: {
          method: 'notifications/message',
          params: { level: 'error', data: { code: 7 }, logger: 'db' },
        },
      },
    ])
  })

  it('roots and ping send their requests', async () => {
    const { tool, sent } = await setup({})
    expect(await tool.roots()).toEqual({ roots: [{ uri: 'file:///x' }] })
    await tool.ping()
    expect(sent.map((s) => s.message.method)).toEqual(['roots/list', 'ping'])
  })

  it('refuses requests before notifications/initialized', async () => {
    const { tool, sent } = await setup({ initialized: false })
    await expect(tool.roots()).rejects.toThrow(/not finished initialization/)
    expect(sent).toEqual([])
  })

  it('refuses capabilities the client did not declare', async () => {
    const { tool } = await setup({ caps: {} })
    await expect(tool.roots()).rejects.toThrow(/did not declare/)
    await expect(tool.sample({ messages: [], maxTokens: 1 })).rejects.toThrow(/did not declare/)
    await expect(
      tool.elicit({ message: 'm', requestedSchema: { type: 'object', properties: {} } }),
    ).rejects.toThrow(/did not declare/)
  })

  it('URL elicitation needs elicitation.url and 2025-11-25', async () => {
    const url = {
      mode: 'url' as const,
      message: 'Sign in',
      url: 'https://example.com',
      elicitationId: 'e1',
    }
    await expect(
      (await setup({ caps: { elicitation: { form: {} } } })).tool.elicit(url),
    ).rejects.toThrow(/did not declare/)
    await expect(
      (await setup({ caps: { elicitation: { url: {} } }, version: '2025-06-18' })).tool.elicit(url),
    ).rejects.toThrow(/did not declare/)
    const ok = await setup({ caps: { elicitation: { url: {} } } })
    await ok.tool.elicit(url)
    expect(ok.sent.map((s) => s.message.method)).toEqual(['elicitation/create'])
  })
})

describe('list_changed', () => {
  it('a tool set changed after start goes to the standalone stream (or its log)', async () => {
    await runInDurableObject(freshObject(), async (_i, state) => {
      const log = new EventLog(state.storage.sql)
      const server = new McpServer({ name: 't', version: '1' })
      const first = server.registerTool('a', { inputSchema: {} }, () => ({ content: [] }))
      const record = { kind: 'streamable-http', protocolVersion: '2025-11-25' } as SessionRecord
      const config = readSessionConfig({})
      const wiring = new SessionWiring({
        sessionId: 's',
        env: {},
        plugins: [],
        record,
        log,
        config,
      })
      await startLiveSession(server, wiring, log, config, record, false)
      first.disable()
      await new Promise((resolve) => setTimeout(resolve, 10))
      expect(log.eventsAfter('get', 0).map((e) => e.message)).toEqual([
        { jsonrpc: '2.0', method: 'notifications/tools/list_changed' },
      ])
    })
  })
})
