/**
 * One `input_required` call completed across two isolates with no `REQUEST_STATE_KEY` set: two
 * `npm run start:everything` processes on the same `--persist-to` state, like two isolates of a
 * deployed Worker (nothing of one's module state reaches the other; they share only the Durable
 * Objects). Round 1 is served by the first, round 2 by the second: the state is signed with
 * the key kept in a Durable Object, so the second accepts it, and the round it spent is spent
 * for the first one too. (Two local processes don't share one instance of an object as
 * Cloudflare's isolates do, only its files; so nothing here races them: each object is first
 * written by one process and only then read by the other.)
 */
import fs from 'node:fs'
import os from 'node:os'
import path from 'node:path'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { type DevServer, MCP_POST_HEADERS, startDevServer } from './dev-server'

const TOOL = 'test_input_required_result_elicitation'

/** A 2026-07-28 call of the elicitation tool (`params` added), and its status and JSON. */
async function call(server: DevServer, id: number, params: Record<string, unknown> = {}) {
  const res = await fetch(`${server.baseUrl}/mcp`, {
    method: 'POST',
    headers: {
      ...MCP_POST_HEADERS,
      'mcp-protocol-version': '2026-07-28',
      'mcp-method': 'tools/call',
      'mcp-name': TOOL,
    },
    body: JSON.stringify({
      jsonrpc: '2.0',
      id,
      method: 'tools/call',
      params: {
        name: TOOL,
        arguments: {},
        ...params,
        _meta: {
          'io.modelcontextprotocol/protocolVersion': '2026-07-28',
          'io.modelcontextprotocol/clientCapabilities': { elicitation: {} },
          'io.modelcontextprotocol/clientInfo': { name: 'e2e', version: '0' },
        },
      },
    }),
  })
  return { status: res.status, body: await res.json() }
}

describe('an input_required call across two isolates, REQUEST_STATE_KEY unset', () => {
  let dir: string | undefined
  const servers: DevServer[] = []

  beforeAll(async () => {
    dir = fs.mkdtempSync(path.join(os.tmpdir(), 'mcp-e2e-isolates-'))
    const persistTo = dir
    servers.push(await startDevServer({ script: 'start:everything', persistTo }))
    servers.push(await startDevServer({ script: 'start:everything', persistTo }))
  })

  afterAll(async () => {
    try {
      await Promise.all(servers.map((server) => server.stop()))
    } finally {
      if (dir !== undefined) fs.rmSync(dir, { recursive: true, force: true })
    }
  })

  it('round 1 on one, round 2 on the other completes; the spent state is refused by both', async () => {
    const [first, second] = servers as [DevServer, DevServer]
    const round1 = await call(first, 1)
    expect(round1.status).toBe(200)
    expect(round1.body.result).toMatchObject({ resultType: 'input_required' })
    const retry = {
      inputResponses: { user_name: { action: 'accept', content: { name: 'Ada' } } },
      requestState: round1.body.result.requestState,
    }
    const round2 = await call(second, 2, retry)
    expect(round2).toMatchObject({
      status: 200,
      body: {
        jsonrpc: '2.0',
        id: 2,
        result: { resultType: 'complete', content: [{ type: 'text', text: 'Hello, Ada!' }] },
      },
    })
    const refused = {
      code: -32602,
      message: 'Invalid or expired requestState',
      data: { reason: 'invalid_request_state' },
    }
    for (const server of [second, first]) {
      expect(await call(server, 3, retry)).toEqual({
        status: 200,
        body: { jsonrpc: '2.0', id: 3, error: refused },
      })
    }
  })
})
