/**
 * The tool context's helpers, against a recording `extra`: what each sends, and when it refuses.
 */

import { runInDurableObject } from 'cloudflare:test'
import { McpServer } from '@modelcontextprotocol/sdk/server/mcp.js'
import type { ClientCapabilities, LoggingLevel } from '@modelcontextprotocol/sdk/types.js'
import { describe, expect, it } from 'vitest'
import { EventLog } from '../../durable/event-log'
import type { SessionRecord } from '../../durable/session-state'
import { SessionWiring } from '../../durable/session-wiring'
import { startLiveSession } from '../../durable/start-live-session'
import type { SessionContext } from '../../src/define-mcp-server'
import { readSessionConfig } from '../../src/session-config'
import { createToolContext, type SessionFacts, type ToolExtra } from '../../src/tool-context'
import { freshObject } from '../helpers/session-storage'

interface Sent {
  kind: 'notification' | 'request'
  message: { method: string; params?: unknown }
}

function setup(options: {
  progressToken?: string
  level?: LoggingLevel
  initialized?: boolean
  caps?: ClientCapabilities
  version?: string
}) {
  const sent: Sent[] = []
  const extra = {
    signal: new AbortController().signal,
    requestId: 1,
    _meta:
      options.progressToken === undefined ? undefined : { progressToken: options.progressToken },
    sendNotification: async (message: Sent['message']) => {
      sent.push({ kind: 'notification', message })
    },
    sendRequest: async (message: Sent['message']) => {
      sent.push({ kind: 'request', message })
      return message.method === 'roots/list' ? { roots: [{ uri: 'file:///x' }] } : {}
    },
  } as unknown as ToolExtra
  const facts: SessionFacts = {
    logLevel: () => options.level,
    initialized: () => options.initialized ?? true,
    clientCapabilities: () => options.caps ?? { roots: {}, sampling: {}, elicitation: {} },
    protocolVersion: () => options.version ?? '2025-11-25',
    requestTimeoutMs: 1_000,
    closeStream: () => false,
  }
  const session = { sessionId: 's' } as SessionContext
  return { tool: createToolContext(session, facts, extra), sent }
}

describe('the tool context', () => {
  it('progress: only with a token, and only increasing', async () => {
    const silent = setup({})
    await silent.tool.progress(1, 2)
    expect(silent.sent).toEqual([])
    const { tool, sent } = setup({ progressToken: 't' })
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
    const { tool, sent } = setup({ level: 'warning' })
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
    const { tool, sent } = setup({})
    expect(await tool.roots()).toEqual({ roots: [{ uri: 'file:///x' }] })
    await tool.ping()
    expect(sent.map((s) => s.message.method)).toEqual(['roots/list', 'ping'])
  })

  it('refuses requests before notifications/initialized', async () => {
    const { tool, sent } = setup({ initialized: false })
    await expect(tool.roots()).rejects.toThrow(/not finished initialization/)
    expect(sent).toEqual([])
  })

  it('refuses capabilities the client did not declare', async () => {
    const { tool } = setup({ caps: {} })
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
    await expect(setup({ caps: { elicitation: { form: {} } } }).tool.elicit(url)).rejects.toThrow(
      /did not declare/,
    )
    await expect(
      setup({ caps: { elicitation: { url: {} } }, version: '2025-06-18' }).tool.elicit(url),
    ).rejects.toThrow(/did not declare/)
    const ok = setup({ caps: { elicitation: { url: {} } } })
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
