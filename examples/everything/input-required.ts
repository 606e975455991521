/**
 * @module
 * The tools and the prompt the conformance suite's `input-required-result-*` scenarios call,
 * written once for both eras with `await tool.elicit(...)`: on a session they are real
 * server→client requests; on a 2026-07-28 request, `input_required` round trips whose keys are
 * the ones the scenarios expect.
 */
import type { ElicitRequest } from '@modelcontextprotocol/server'
import type { McpServerSetup } from '../../src/define-mcp-server'
import type { RequestContext } from '../../src/tool-context'

const text = (value: string) => ({ type: 'text' as const, text: value })

/** A form asking for one field, required. */
interface Form {
  readonly field: string
  readonly params: ElicitRequest['params']
}

/** A form asking for one string (or boolean) field, required. */
function form(message: string, field: string, type: 'string' | 'boolean' = 'string'): Form {
  const property = type === 'boolean' ? { type: 'boolean' as const } : { type: 'string' as const }
  return {
    field,
    params: {
      message,
      requestedSchema: { type: 'object', properties: { [field]: property }, required: [field] },
    },
  }
}

/** What an answer to a form said for its field (or `(decline)`, `(cancel)`). */
async function ask(context: RequestContext, key: string, { field, params }: Form) {
  const answer = await context.elicit(params, { key })
  return answer.action === 'accept' ? String(answer.content?.[field]) : `(${answer.action})`
}

const nameForm = form('What is your name?', 'name')
const greeting = {
  messages: [{ role: 'user' as const, content: text('Generate a greeting') }],
  maxTokens: 50,
}
const sampledText = (content: { type: string; text?: string }) =>
  content.type === 'text' ? (content.text ?? '') : JSON.stringify(content)

/** Registers the input-required tools and prompt of the example. */
export function registerEverythingInputRequired(server: McpServerSetup): void {
  server.registerTool(
    'test_input_required_result_elicitation',
    { description: 'Asks the user for their name, then greets them' },
    async (_args, tool) => ({
      content: [text(`Hello, ${await ask(tool, 'user_name', nameForm)}!`)],
    }),
  )
  server.registerTool(
    'test_input_required_result_sampling',
    { description: "Asks the client's model a question and returns its answer" },
    async (_args, tool) => {
      const reply = await tool.sample(
        {
          messages: [{ role: 'user', content: text('What is the capital of France?') }],
          maxTokens: 100,
        },
        { key: 'capital_question' },
      )
      return { content: [text(sampledText(reply.content))] }
    },
  )
  server.registerTool(
    'test_input_required_result_list_roots',
    { description: "Lists the client's roots" },
    async (_args, tool) => {
      const { roots } = await tool.roots({ key: 'client_roots' })
      return { content: [text(`Roots: ${roots.map((root) => root.uri).join(', ') || '(none)'}`)] }
    },
  )
  server.registerTool(
    'test_input_required_result_request_state',
    { description: 'Asks for a confirmation, carried across the round in signed requestState' },
    async (_args, tool) => {
      const ok = await ask(tool, 'confirm', form('Please confirm', 'ok', 'boolean'))
      // The SDK verified the echoed requestState before this ran again.
      return { content: [text(`state-ok: confirmed ${ok}`)] }
    },
  )
  server.registerTool(
    'test_input_required_result_tampered_state',
    { description: 'Asks for a confirmation; a tampered requestState is refused' },
    async (_args, tool) => {
      const ok = await ask(tool, 'confirm', form('Please confirm', 'ok', 'boolean'))
      return { content: [text(`Confirmed ${ok}`)] }
    },
  )
  server.registerTool(
    'test_input_required_result_multiple_inputs',
    { description: 'Asks for a name, a greeting and the roots at once' },
    async (_args, tool) => {
      const [name, reply, { roots }] = await Promise.all([
        ask(tool, 'user_name', nameForm),
        tool.sample(greeting, { key: 'greeting' }),
        tool.roots({ key: 'client_roots' }),
      ])
      const said = sampledText(reply.content)
      return { content: [text(`${said} ${name} (${roots.length} roots)`)] }
    },
  )
  server.registerTool(
    'test_input_required_result_multi_round',
    { description: 'Asks for a name, then for a favourite colour' },
    async (_args, tool) => {
      const name = await ask(tool, 'step1', form('Step 1: What is your name?', 'name'))
      const color = await ask(tool, 'step2', form('Step 2: What is your favorite color?', 'color'))
      return { content: [text(`${name} likes ${color}`)] }
    },
  )
  server.registerTool(
    'test_input_required_result_capabilities',
    { description: 'Asks only for what the client declared it can give' },
    async (_args, tool) => {
      const caps = tool.clientCapabilities
      const asked = await Promise.all([
        caps.elicitation ? ask(tool, 'user_name', nameForm) : 'no elicitation',
        caps.sampling
          ? tool.sample(greeting, { key: 'greeting' }).then((r) => sampledText(r.content))
          : 'no sampling',
        caps.roots
          ? tool.roots({ key: 'client_roots' }).then((r) => `${r.roots.length} roots`)
          : 'no roots',
      ])
      return { content: [text(asked.join('; '))] }
    },
  )
  server.registerPrompt(
    'test_input_required_result_prompt',
    { description: 'A prompt that asks the user for its context first' },
    async (_args, context) => {
      const about = await ask(
        context,
        'user_context',
        form('What context should the prompt use?', 'context'),
      )
      return { messages: [{ role: 'user', content: text(`Use this context: ${about}`) }] }
    },
  )
}
