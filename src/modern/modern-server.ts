/**
 * @module
 * The SDK v2 `McpServer` of one stateless 2026-07-28 request: the definition's entries,
 * registered with handlers that get the request's context, and capabilities cut to what this
 * leg serves. Built in the Worker for each modern request (the SDK's factory contract).
 */
import {
  type CallToolResult,
  type GetPromptResult,
  type ListResourcesResult,
  McpServer,
  type ReadResourceResult,
  ResourceTemplate,
  type ServerCapabilities,
  type ServerContext,
} from '@modelcontextprotocol/server'
import type { McpServerDefinition } from '../define-mcp-server'
import {
  type ServedAs,
  type ServerEntries,
  servedAs,
  serverEntries,
  templatesOf,
} from '../server-entries'
import { type InputRound, withInputRounds } from './input-rounds'
import { withJsonSchemaMemo } from './json-schema-memo'
import {
  createModernToolContext,
  type ModernScope,
  modernRequestContext,
  UndeclaredCapability,
} from './modern-tool-context'

const modernTemplate = templatesOf(
  ({ uriTemplate, list, complete }) =>
    new ResourceTemplate(uriTemplate, {
      list: list === undefined ? undefined : async () => (await list()) as ListResourcesResult,
      ...(complete !== undefined && { complete: { ...complete } }),
    }),
)

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

/** How the definition serves `uri` to modern requests (a fixed URI, or through a template). */
export function modernServedAs<Env>(
  definition: McpServerDefinition<Env>,
  uri: string,
): ServedAs | undefined {
  return servedAs(
    serverEntries(definition),
    uri,
    (template) => modernTemplate(template).uriTemplate.match(uri) !== null,
  )
}

/** The capabilities the modern leg advertises for `definition` (what a listen can be given). */
export function modernCapabilitiesOf<Env>(
  definition: McpServerDefinition<Env>,
): ServerCapabilities {
  const all = definition as McpServerDefinition<never>
  return modernCapabilities(all, serverEntries(all))
}

/**
 * Runs one handler of a modern request with its input round: the handler's result, or the
 * `input_required` result that ends it (or, for input the client can't take, the result that
 * makes the SDK answer `-32021`).
 */
function served<R>(scope: ModernScope, ctx: ServerContext, run: (round: InputRound) => Promise<R>) {
  return withInputRounds(ctx, scope.stateCodec, async (round) => {
    try {
      return await run(round)
    } catch (error) {
      if (error instanceof UndeclaredCapability) return error.result()
      throw error
    }
  })
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
 * only its tool.
 */
export function buildModernServer<Env>(
  definition: McpServerDefinition<Env>,
  scope: ModernScope<Env>,
  body?: unknown,
): McpServer {
  const all = serverEntries(definition)
  const entries = entriesFor(all, body)
  const context = scope as ModernScope
  const server = new McpServer(
    { name: definition.name, version: definition.version },
    {
      capabilities: modernCapabilities(definition as McpServerDefinition<never>, all),
      ...(definition.instructions !== undefined && { instructions: definition.instructions }),
      // The SDK verifies an echoed requestState before the handler runs (-32602 if it fails).
      requestState: { verify: (state, ctx) => context.stateCodec().verify(state, ctx) },
    },
  )
  for (const { name, config, handler } of entries.tools) {
    const { inputSchema, outputSchema, ...rest } = config
    const call = (args: Record<string, unknown>, ctx: ServerContext) =>
      served(context, ctx, async (round) => {
        const tool = createModernToolContext(context, ctx, round)
        return (await handler(args, tool)) as CallToolResult
      })
    const tool = {
      ...rest,
      ...(outputSchema !== undefined && { outputSchema: withJsonSchemaMemo(outputSchema) }),
    }
    if (inputSchema === undefined) server.registerTool(name, tool, (ctx) => call({}, ctx))
    else server.registerTool(name, { ...tool, inputSchema: withJsonSchemaMemo(inputSchema) }, call)
  }
  for (const entry of entries.resources) {
    if ('uri' in entry) {
      server.registerResource(entry.name, entry.uri, entry.metadata, (uri, ctx) =>
        served(context, ctx, async (round) => {
          const read = await entry.read(uri, modernRequestContext(context, ctx, round))
          return read as ReadResourceResult
        }),
      )
    } else {
      server.registerResource(
        entry.name,
        modernTemplate(entry.template),
        entry.metadata,
        (uri, variables, ctx) =>
          served(context, ctx, async (round) => {
            const request = modernRequestContext(context, ctx, round)
            return (await entry.read(uri, variables, request)) as ReadResourceResult
          }),
      )
    }
  }
  for (const { name, title, description, argsSchema, handler } of entries.prompts) {
    const get = (args: Record<string, unknown>, ctx: ServerContext) =>
      served(context, ctx, async (round) => {
        const prompt = await handler(args, modernRequestContext(context, ctx, round))
        return prompt as GetPromptResult
      })
    const prompt = {
      ...(title !== undefined && { title }),
      ...(description !== undefined && { description }),
    }
    if (argsSchema === undefined) server.registerPrompt(name, prompt, (ctx) => get({}, ctx))
    else server.registerPrompt(name, { ...prompt, argsSchema }, get)
  }
  return server
}
