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
import { type ServerEntries, serverEntries, templatesOf } from '../server-entries'
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

function withoutSubscribe(resources: ServerCapabilities['resources']) {
  const { subscribe: _subscribe, ...rest } = resources ?? {}
  return rest
}

const capabilitiesOf = new WeakMap<McpServerDefinition<never>, ServerCapabilities>()

/**
 * What the modern leg advertises: the definition's capabilities without `listChanged` and
 * `subscribe`, which need `subscriptions/listen` streams this leg does not serve yet (the SDK
 * then acknowledges a listen request with an empty filter and ends it). A capability whose
 * kind has no entry is left out, as the SDK would.
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
      ...(entries.tools.length > 0 && { tools: { ...tools, listChanged: false } }),
      ...(entries.resources.length > 0 && {
        resources: { ...withoutSubscribe(resources), listChanged: false },
      }),
      ...(entries.prompts.length > 0 && { prompts: { ...prompts, listChanged: false } }),
    }
    capabilitiesOf.set(definition, capabilities)
  }
  return capabilities
}

/** Builds the server of one modern request. */
export function buildModernServer<Env>(
  definition: McpServerDefinition<Env>,
  scope: ModernScope<Env>,
): McpServer {
  const entries = serverEntries(definition)
  const server = new McpServer(
    { name: definition.name, version: definition.version },
    {
      capabilities: modernCapabilities(definition as McpServerDefinition<never>, entries),
      ...(definition.instructions !== undefined && { instructions: definition.instructions }),
    },
  )
  const context = scope as ModernScope
  for (const { name, config, handler } of entries.tools) {
    const { inputSchema, outputSchema, ...rest } = config
    const call = async (args: Record<string, unknown>, ctx: ServerContext) => {
      try {
        return (await handler(args, createModernToolContext(context, ctx))) as CallToolResult
      } catch (error) {
        if (error instanceof UndeclaredCapability) return error.result()
        throw error
      }
    }
    const tool = { ...rest, ...(outputSchema !== undefined && { outputSchema }) }
    if (inputSchema === undefined) server.registerTool(name, tool, (ctx) => call({}, ctx))
    else server.registerTool(name, { ...tool, inputSchema }, call)
  }
  for (const entry of entries.resources) {
    if ('uri' in entry) {
      server.registerResource(
        entry.name,
        entry.uri,
        entry.metadata,
        async (uri, ctx) =>
          (await entry.read(uri, modernRequestContext(context, ctx))) as ReadResourceResult,
      )
    } else {
      server.registerResource(
        entry.name,
        modernTemplate(entry.template),
        entry.metadata,
        async (uri, variables, ctx) =>
          (await entry.read(
            uri,
            variables,
            modernRequestContext(context, ctx),
          )) as ReadResourceResult,
      )
    }
  }
  for (const { name, title, description, argsSchema, handler } of entries.prompts) {
    const get = async (args: Record<string, unknown>, ctx: ServerContext) =>
      (await handler(args, modernRequestContext(context, ctx))) as GetPromptResult
    const prompt = {
      ...(title !== undefined && { title }),
      ...(description !== undefined && { description }),
    }
    if (argsSchema === undefined) server.registerPrompt(name, prompt, (ctx) => get({}, ctx))
    else server.registerPrompt(name, { ...prompt, argsSchema }, get)
  }
  return server
}
