/**
 * @module
 * The SDK v2 floor for the sessionful era: what a user who puts SDK v2 on Durable Objects by hand
 * writes. A Hono route forwards each `POST /mcp` to one object per session (a new one for
 * `initialize`); there a bare v2 `McpServer` with the same `echo` tool answers through v2's own
 * `WebStandardStreamableHTTPServerTransport` in JSON-response mode, and the session's record goes
 * to storage at `initialize`. No plugins, no event log, no guard, no resumption: the same floor
 * as `bench/sdk-floor/` (SDK v1), on the SDK the app's sessions now run on.
 */
import { DurableObject } from 'cloudflare:workers'
import { McpServer, WebStandardStreamableHTTPServerTransport } from '@modelcontextprotocol/server'
import { Hono } from 'hono'
import { z } from 'zod'

interface Env {
  SDK_V2_SESSIONS_DO: DurableObjectNamespace<SdkV2SessionsDO>
}

const input = z.object({ text: z.string().describe('The text to echo back') })

/** One object per session, holding its server and transport in memory. */
export class SdkV2SessionsDO extends DurableObject<Env> {
  #transport: WebStandardStreamableHTTPServerTransport | undefined

  override async fetch(request: Request): Promise<Response> {
    this.#transport ??= await this.#connect()
    return this.#transport.handleRequest(request)
  }

  async #connect(): Promise<WebStandardStreamableHTTPServerTransport> {
    const server = new McpServer({ name: 'sdk-v2-sessions-floor', version: '0' })
    server.registerTool(
      'echo',
      { title: 'Echo', description: 'Returns the given text unchanged.', inputSchema: input },
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
  const ns = c.env.SDK_V2_SESSIONS_DO
  const id = session === undefined ? ns.newUniqueId() : ns.idFromString(session)
  return ns.get(id).fetch(c.req.raw)
})

export default app
