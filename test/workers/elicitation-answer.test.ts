/**
 * An accepted elicitation's content is checked against the `requestedSchema` the tool asked
 * with, before the tool sees it: missing required fields or wrong types are an error the tool
 * gets (an error result, unless it catches it); declines, cancels and URL mode pass unchanged.
 */
import type { ElicitRequest, ElicitResult, ServerContext } from '@modelcontextprotocol/server'
import { describe, expect, it } from 'vitest'
import { type SessionFacts, sessionContext } from '../../durable/session-context'
import type { SessionContext } from '../../src/define-mcp-server'
import { createToolContext } from '../../src/tool-context'

/** A tool context whose client answers every elicitation with `answer`. */
function answering(answer: ElicitResult) {
  const ctx = {
    mcpReq: {
      id: 1,
      signal: new AbortController().signal,
      notify: async () => undefined,
      send: async () => answer,
    },
  } as unknown as ServerContext
  const facts: SessionFacts = {
    initialized: () => true,
    clientCapabilities: () => ({ elicitation: { form: {}, url: {} } }),
    protocolVersion: () => '2025-11-25',
    requestTimeoutMs: 1_000,
    closeStream: () => false,
  }
  return createToolContext(ctx, sessionContext({ sessionId: 's' } as SessionContext, facts, ctx))
}

const form: ElicitRequest['params'] = {
  message: 'Who are you?',
  requestedSchema: {
    type: 'object',
    properties: { username: { type: 'string' }, age: { type: 'integer' } },
    required: ['username'],
  },
}

describe('elicitation answers', () => {
  it('accepted content that fits reaches the tool', async () => {
    const answer: ElicitResult = { action: 'accept', content: { username: 'ada', age: 36 } }
    expect(await answering(answer).elicit(form)).toEqual(answer)
  })

  it('accepted content without a required field → an error naming it', async () => {
    await expect(answering({ action: 'accept', content: {} }).elicit(form)).rejects.toThrow(
      /does not match its requestedSchema: #: Instance does not have required property "username"/,
    )
  })

  it('accepted content of the wrong type → an error naming the field', async () => {
    const answer: ElicitResult = { action: 'accept', content: { username: 'ada', age: 'old' } }
    await expect(answering(answer).elicit(form)).rejects.toThrow(/#\/age/)
  })

  it('declines, cancels and URL-mode answers pass unchanged', async () => {
    expect(await answering({ action: 'decline' }).elicit(form)).toEqual({ action: 'decline' })
    expect(await answering({ action: 'cancel' }).elicit(form)).toEqual({ action: 'cancel' })
    const url: ElicitRequest['params'] = {
      mode: 'url',
      message: 'Sign in',
      url: 'https://example.com/login',
      elicitationId: 'e1',
    }
    expect(await answering({ action: 'accept' }).elicit(url)).toEqual({ action: 'accept' })
  })
})
