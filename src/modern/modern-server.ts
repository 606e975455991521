/**
 * @module
 * The 2026-07-28 piece of a server (`src/build-server.ts` builds the rest): capabilities cut to
 * what this leg serves, a signed `requestState`, the few entries one request needs, and
 * handlers run in `input_required` rounds. Built in the Worker for each modern request (the
 * SDK's factory contract).
 */
import type { McpServer, ServerCapabilities } from '@modelcontextprotocol/server'
import { buildServer } from '../build-server'
import type { McpServerDefinition } from '../define-mcp-server'
import { type ServerEntries, serverEntries } from '../server-entries'
import { withInputRounds } from './input-rounds'
import { type ModernScope, modernContext, UndeclaredCapability } from './modern-tool-context'

const capabilitiesOf = new WeakMap<McpServerDefinition<never>, ServerCapabilities>()

/**
 * What the modern leg advertises: the definition's capabilities, less a kind it has no entry
 * of (the SDK would advertise it, and then have nothing to list). `listChanged` and
 * `subscribe` hold: listen streams hear of list changes (`tool.listChanged`) and of every
 * write to a subscribed shared resource, from any isolate (`listen.ts`).
 */
function modernCapabilities(
  definition: McpServerDefinition<never>,
  entries: ServerEntries,
): ServerCapabilities {
  let capabilities = capabilitiesOf.get(definition)
  if (capabilities === undefined) {
    const { tools, resources, prompts, ...rest } = (definition.capabilities ??
      {}) as ServerCapabilities
    capabilities = {
      ...rest,
      ...(entries.tools.length > 0 && { tools: { listChanged: true, ...tools } }),
      ...(entries.resources.length > 0 && { resources: { listChanged: true, ...resources } }),
      ...(entries.prompts.length > 0 && { prompts: { listChanged: true, ...prompts } }),
    }
    capabilitiesOf.set(definition, capabilities)
  }
  return capabilities
}

/** The capabilities the modern leg advertises for `definition` (what a listen can be given). */
export function modernCapabilitiesOf<Env>(
  definition: McpServerDefinition<Env>,
): ServerCapabilities {
  const all = definition as McpServerDefinition<never>
  return modernCapabilities(all, serverEntries(all))
}

const singleTools = new WeakMap<ServerEntries, Map<string, ServerEntries>>()

/**
 * The entries a request needs: a `tools/call` of a known tool needs that tool alone, so the
 * hot path's per-request server registers one entry, not the whole definition. Anything else
 * (a list, a read, an unknown tool, whose error the SDK words) gets every entry.
 */
function entriesFor(entries: ServerEntries, body: unknown): ServerEntries {
  const request = body as { method?: unknown; params?: { name?: unknown } } | null
  const name = request?.method === 'tools/call' ? request.params?.name : undefined
  if (typeof name !== 'string') return entries
  let byName = singleTools.get(entries)
  if (byName === undefined) {
    byName = new Map(
      entries.tools.map((tool) => [tool.name, { tools: [tool], resources: [], prompts: [] }]),
    )
    singleTools.set(entries, byName)
  }
  return byName.get(name) ?? entries
}

/**
 * Builds the server of one modern request; `body` (the request's JSON) lets a tool call build
 * only its tool. Each handler runs in an input round (`input-rounds.ts`): the call ends with its
 * result, or with `input_required` when it asked for input nobody has given yet (or, for input
 * the client can't take, with the result that makes the SDK answer `-32021`).
 */
export function buildModernServer<Env>(
  definition: McpServerDefinition<Env>,
  scope: ModernScope<Env>,
  body?: unknown,
): McpServer {
  const all = serverEntries(definition)
  return buildServer(definition, {
    options: {
      capabilities: modernCapabilities(definition as McpServerDefinition<never>, all),
      ...(definition.instructions !== undefined && { instructions: definition.instructions }),
      // The SDK verifies an echoed requestState before the handler runs (-32602 if it fails).
      requestState: { verify: (state, ctx) => scope.stateCodec().verify(state, ctx) },
    },
    entries: entriesFor(all, body),
    serve: (ctx, run) =>
      withInputRounds(ctx, scope.stateCodec, async (round) => {
        try {
          return await run(modernContext(scope, ctx, round))
        } catch (error) {
          if (error instanceof UndeclaredCapability) return error.result()
          throw error
        }
      }),
  })
}
