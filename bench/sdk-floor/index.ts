/**
 * @module
 * The SDK floor for the sessionful era: what a user who puts SDK v1 on Durable Objects by hand
 * writes. A Hono route forwards each `POST /mcp` to one object per session (a new one for
 * `initialize`); there a bare `McpServer` with the same `echo` tool answers through the SDK's
 * own `WebStandardStreamableHTTPServerTransport` in JSON-response mode, and the session's
 * record goes to storage at `initialize`. No plugins, no event log, no guard, no resumption:
 * the app's sessionful path is measured against it, so the ratio is what the framework adds.
 */
import { DurableObject } from 'cloudflare:workers'
import { McpServer } from '@modelcontextprotocol/sdk/server/mcp.js'
import { WebStandardStreamableHTTPServerTransport } from '@modelcontextprotocol/sdk/server/webStandardStreamableHttp.js'
import { Hono } from 'hono'
import { z } from 'zod'

interface Env {
  SDK_FLOOR_DO: DurableObjectNamespace<SdkFloorDO>
}

/** One object per session, holding its server and transport in memory. */
export class SdkFloorDO extends DurableObject<Env> {
  #transport: WebStandardStreamableHTTPServerTransport | undefined

  override async fetch(request: Request): Promise<Response> {
    this.#transport ??= await this.#connect()
    return this.#transport.handleRequest(request)
  }

  async #connect(): Promise<WebStandardStreamableHTTPServerTransport> {
    const server = new McpServer({ name: 'sdk-floor', version: '0' })
    server.registerTool(
      'echo',
      {
        title: 'Echo',
        description: 'Returns the given text unchanged.',
        inputSchema: { text: z.string().describe('The text to echo back') },
      },
      ({ text }) => ({ content: [{ type: 'text', text }] }),
    )
    const transport = new WebStandardStreamableHTTPServerTransport({
      sessionIdGenerator: () => this.ctx.id.toString(),
      enableJsonResponse: true,
      onsessioninitialized: (sessionId) => {
        this.ctx.storage.kv.put('session', { sessionId, createdAt: Date.now() })
      },
    })
    await server.connect(transport)
    return transport
  }
}

const app = new Hono<{ Bindings: Env }>()

app.post('/mcp', (c) => {
  const session = c.req.header('mcp-session-id')
  const ns = c.env.SDK_FLOOR_DO
  const id = session === undefined ? ns.newUniqueId() : ns.idFromString(session)
  return ns.get(id).fetch(c.req.raw)
})

export default app
