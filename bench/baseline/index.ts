/**
 * @module
 * The baseline: the least an MCP server on Workers can cost. A Hono route forwards each POST to a
 * Durable Object addressed by the session header; the object parses the JSON-RPC body and
 * answers a hand-written JSON-RPC result (an echo). No MCP SDK, no session record, no log.
 */
import { DurableObject } from 'cloudflare:workers'
import { Hono } from 'hono'

interface Env {
  BASELINE_DO: DurableObjectNamespace<BaselineDO>
}

/** One object per "session". */
export class BaselineDO extends DurableObject<Env> {
  /** Answers one JSON-RPC request. */
  async call(body: string): Promise<Response> {
    const message = JSON.parse(body) as {
      id: number | string
      params?: { arguments?: { text?: string } }
    }
    return Response.json({
      jsonrpc: '2.0',
      id: message.id,
      result: { content: [{ type: 'text', text: message.params?.arguments?.text ?? '' }] },
    })
  }
}

const app = new Hono<{ Bindings: Env }>()

app.post('/mcp', async (c) => {
  const session = c.req.header('mcp-session-id') ?? crypto.randomUUID()
  return c.env.BASELINE_DO.getByName(session).call(await c.req.text())
})

export default app
