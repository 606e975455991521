/**
 * What a session's transport puts back on the wire where SDK v2 words it differently from what
 * sessions have always answered: notifications keep `jsonrpc` last (the framework's own go out
 * as they are), an unknown tool is an error result (a 2026-07-28 request keeps the SDK's -32602),
 * and params that fail the SDK's request schema are `-32602 Invalid params: <field>: <problem>`.
 */
import type { JSONRPCMessage } from '@modelcontextprotocol/server'
import { describe, expect, it } from 'vitest'
import type { MessageSink } from '../../src/transports/message-sink'
import { SessionTransport } from '../../src/transports/session-transport'

/** A transport with a recording standalone stream; `reply(id)` is a recording request sink. */
function setup() {
  const transport = new SessionTransport('s')
  const standalone: string[] = []
  transport.setStandalone({ closed: false, send: (m) => standalone.push(JSON.stringify(m)) })
  const reply = (message: JSONRPCMessage) => {
    const sent: JSONRPCMessage[] = []
    const sink: MessageSink = { closed: false, send: (m) => sent.push(m) }
    transport.receive(message, sink)
    return sent
  }
  return { transport, standalone, reply }
}

const call = (
  id: number,
  method: string,
  params: Record<string, unknown> = {},
): JSONRPCMessage => ({
  jsonrpc: '2.0',
  id,
  method,
  params,
})

describe('the session wire', () => {
  it("puts jsonrpc last in the SDK's notifications, and sends the framework's as they are", async () => {
    const { transport, standalone } = setup()
    await transport.send({ jsonrpc: '2.0', method: 'notifications/tools/list_changed' })
    transport.notify({
      jsonrpc: '2.0',
      method: 'notifications/resources/updated',
      params: { uri: 'x://y' },
    })
    expect(standalone).toEqual([
      '{"method":"notifications/tools/list_changed","jsonrpc":"2.0"}',
      '{"jsonrpc":"2.0","method":"notifications/resources/updated","params":{"uri":"x://y"}}',
    ])
  })

  it('answers a tools/call of an unknown tool with an error result, naming the tool', async () => {
    const { transport, reply } = setup()
    const sent = reply(call(7, 'tools/call', { name: 'nope' }))
    await transport.send({
      jsonrpc: '2.0',
      id: 7,
      error: { code: -32602, message: 'Tool nope not found' },
    })
    expect(sent).toEqual([
      {
        jsonrpc: '2.0',
        id: 7,
        result: { content: [{ type: 'text', text: 'Tool nope not found' }], isError: true },
      },
    ])
  })

  it('leaves the same error alone on any other method', async () => {
    const { transport, reply } = setup()
    const sent = reply(call(8, 'prompts/get', { name: 'nope' }))
    const error = {
      jsonrpc: '2.0' as const,
      id: 8,
      error: { code: -32602, message: 'Tool x not found' },
    }
    await transport.send(error)
    expect(sent).toEqual([error])
  })

  it("words the SDK's tools/call and other params failures as Invalid params", async () => {
    const { transport, reply } = setup()
    const issues = (path: string[]) =>
      JSON.stringify([{ code: 'invalid_type', path, message: 'Invalid input: expected string' }])
    const toolCall = reply(call(9, 'tools/call', { name: 1 }))
    await transport.send({
      jsonrpc: '2.0',
      id: 9,
      error: { code: -32602, message: `Invalid tools/call request: ${issues(['params', 'name'])}` },
    })
    const read = reply(call(10, 'resources/read', { uri: 1 }))
    await transport.send({
      jsonrpc: '2.0',
      id: 10,
      error: { code: -32603, message: issues(['params', 'uri']) },
    })
    expect([...toolCall, ...read]).toEqual([
      {
        jsonrpc: '2.0',
        id: 9,
        error: { code: -32602, message: 'Invalid params: name: Invalid input: expected string' },
      },
      {
        jsonrpc: '2.0',
        id: 10,
        error: { code: -32602, message: 'Invalid params: uri: Invalid input: expected string' },
      },
    ])
  })
})
