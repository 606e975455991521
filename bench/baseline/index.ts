/**
 * @module
 * The baseline: the least an MCP server on Workers can cost. A Hono route forwards each POST to a
 * Durable Object addressed by the session header (a new one when there is none); the object
 * parses the JSON-RPC body and answers a hand-written result (an echo of the tool's text), or 202
 * for a notification. No MCP SDK, no session record, no log. It is driven with exactly the
 * requests the app gets, so the two are compared on the same work.
 */
import { DurableObject } from 'cloudflare:workers'
import { Hono } from 'hono'

interface Env {
  BASELINE_DO: DurableObjectNamespace<BaselineDO>
}

/** One object per "session". */
export class BaselineDO extends DurableObject<Env> {
  /** Answers one JSON-RPC message of session `session`. */
  async call(body: string, session: string): Promise<Response> {
    const message = JSON.parse(body) as {
      id?: number | string
      params?: { arguments?: { text?: string } }
    }
    if (message.id === undefined) return new Response(null, { status: 202 })
    return Response.json(
      {
        jsonrpc: '2.0',
        id: message.id,
        result: { content: [{ type: 'text', text: message.params?.arguments?.text ?? '' }] },
      },
      { headers: { 'mcp-session-id': session } },
    )
  }
}

const app = new Hono<{ Bindings: Env }>()

app.post('/mcp', async (c) => {
  const session = c.req.header('mcp-session-id') ?? crypto.randomUUID()
  return c.env.BASELINE_DO.getByName(session).call(await c.req.text(), session)
})

export default app
