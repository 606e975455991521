/**
 * @module
 * The one way a server definition becomes an SDK v2 `McpServer`, in both eras: its recorded
 * entries registered with handlers that get the framework's context. What differs per era is
 * the {@link ServingEra} the caller passes: a session's (`durable/build-live-session.ts`, built
 * in the session's object each time it starts serving) or a stateless 2026-07-28 request's
 * (`src/modern/modern-server.ts`, built in the Worker per request).
 */
import {
  type CallToolResult,
  type GetPromptResult,
  type InputRequiredResult,
  type ListResourcesResult,
  McpServer,
  type McpServerOptions,
  type ReadResourceResult,
  ResourceTemplate,
  type ServerContext,
} from '@modelcontextprotocol/server'
import type { McpServerDefinition } from './define-mcp-server'
import { withJsonSchemaMemo } from './modern/json-schema-memo'
import {
  type ServedAs,
  type ServerEntries,
  servedAs,
  serverEntries,
  templatesOf,
} from './server-entries'
import { createRequestContext, createToolContext, type EraContext } from './tool-context'

/** What differs per era in a server: its options, its entries, and how a handler runs. */
export interface ServingEra<Env> {
  /** The server's capabilities and other options (its name and version are the definition's). */
  readonly options: McpServerOptions
  /** The entries to register (all of the definition's, or the few one request needs). */
  readonly entries: ServerEntries
  /**
   * Runs one handler of the request `ctx`, giving it the era's piece of its context; resolves
   * with what the SDK is to answer (the handler's result, or the era's own, e.g. `input_required`).
   */
  serve<R>(
    ctx: ServerContext,
    run: (era: EraContext<Env>) => Promise<R>,
  ): Promise<R | InputRequiredResult>
}

/** A template spec's SDK template, shared by every server of the isolate. */
export const templateOf = templatesOf(
  ({ uriTemplate, list, complete }) =>
    new ResourceTemplate(uriTemplate, {
      list: list === undefined ? undefined : async () => (await list()) as ListResourcesResult,
      ...(complete !== undefined && { complete: { ...complete } }),
    }),
)

/**
 * How `definition` serves `uri`, in both eras: as a fixed URI, through a template (matched as
 * the SDK matches it for a read), or not at all.
 */
export function resourceServedAs<Env>(
  definition: McpServerDefinition<Env>,
  uri: string,
): ServedAs | undefined {
  return servedAs(
    serverEntries(definition),
    uri,
    (template) => templateOf(template).uriTemplate.match(uri) !== null,
  )
}

/**
 * Builds the server of `definition` for one era: every entry of `serving.entries`, each
 * handler run by `serving.serve` with the context it builds. Tool schemas render their JSON
 * Schema once per isolate (`json-schema-memo.ts`), however many servers list them.
 */
export function buildServer<Env>(
  definition: McpServerDefinition<Env>,
  serving: ServingEra<Env>,
): McpServer {
  const server = new McpServer(
    { name: definition.name, version: definition.version },
    serving.options,
  )
  const { tools, resources, prompts } = serving.entries
  for (const { name, config, handler } of tools) {
    const { inputSchema, outputSchema, ...rest } = config
    const call = (args: Record<string, unknown>, ctx: ServerContext) =>
      serving.serve(ctx, async (era) => {
        return (await handler(args, createToolContext(ctx, era))) as CallToolResult
      })
    const tool = {
      ...rest,
      ...(outputSchema !== undefined && { outputSchema: withJsonSchemaMemo(outputSchema) }),
    }
    if (inputSchema === undefined) server.registerTool(name, tool, (ctx) => call({}, ctx))
    else server.registerTool(name, { ...tool, inputSchema: withJsonSchemaMemo(inputSchema) }, call)
  }
  for (const entry of resources) {
    if ('uri' in entry) {
      server.registerResource(entry.name, entry.uri, entry.metadata, (uri, ctx) =>
        serving.serve(ctx, async (era) => {
          return (await entry.read(uri, createRequestContext(ctx, era))) as ReadResourceResult
        }),
      )
    } else {
      server.registerResource(
        entry.name,
        templateOf(entry.template),
        entry.metadata,
        (uri, variables, ctx) =>
          serving.serve(ctx, async (era) => {
            const request = createRequestContext(ctx, era)
            return (await entry.read(uri, variables, request)) as ReadResourceResult
          }),
      )
    }
  }
  for (const { name, title, description, argsSchema, handler } of prompts) {
    const get = (args: Record<string, unknown>, ctx: ServerContext) =>
      serving.serve(ctx, async (era) => {
        return (await handler(args, createRequestContext(ctx, era))) as GetPromptResult
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
