/**
 * @module
 * The SDK v1 `McpServer` of one session: the definition's entries registered with handlers that
 * get the session's context. Built inside the session's object each time it starts serving.
 */
import {
  McpServer,
  type PromptCallback,
  ResourceTemplate,
} from '@modelcontextprotocol/sdk/server/mcp.js'
import type { ZodRawShapeCompat } from '@modelcontextprotocol/sdk/server/zod-compat.js'
import { CfWorkerJsonSchemaValidator } from '@modelcontextprotocol/sdk/validation/cfworker-provider.js'
import type { McpServerDefinition, SessionContext } from './define-mcp-server'
import { type ServedAs, servedAs, serverEntries, templatesOf } from './server-entries'
import {
  createToolContext,
  type SessionFacts,
  sessionRequestContext,
  type ToolExtra,
} from './tool-context'

const legacyTemplate = templatesOf(
  ({ uriTemplate, list, complete }) =>
    new ResourceTemplate(uriTemplate, {
      list: list === undefined ? undefined : () => list(),
      ...(complete !== undefined && { complete: { ...complete } }),
    }),
)

/** How the definition serves `uri` to sessions (a fixed URI, or through a template). */
export function legacyServedAs<Env>(
  definition: McpServerDefinition<Env>,
  uri: string,
): ServedAs | undefined {
  return servedAs(
    serverEntries(definition),
    uri,
    (template) => legacyTemplate(template).uriTemplate.match(uri) !== null,
  )
}

/**
 * Builds a fresh `McpServer` for one session. JSON Schema validation uses the Workers-safe
 * validator: the SDK's default (Ajv) compiles schemas with `new Function`, which Workers forbid.
 */
export function buildLegacyServer<Env>(
  definition: McpServerDefinition<Env>,
  session: SessionContext<Env>,
  facts: SessionFacts,
): McpServer {
  const server = new McpServer(
    { name: definition.name, version: definition.version },
    {
      capabilities: definition.capabilities,
      instructions: definition.instructions,
      jsonSchemaValidator: new CfWorkerJsonSchemaValidator(),
    },
  )
  const context = session as SessionContext
  const entries = serverEntries(definition)
  for (const { name, config, handler } of entries.tools) {
    const { inputSchema, ...rest } = config
    if (inputSchema === undefined) {
      server.registerTool(name, rest, (extra) =>
        handler({}, createToolContext(context, facts, extra)),
      )
    } else {
      server.registerTool(name, { ...rest, inputSchema }, (args, extra) =>
        handler(args, createToolContext(context, facts, extra)),
      )
    }
  }
  for (const entry of entries.resources) {
    if ('uri' in entry) {
      server.registerResource(entry.name, entry.uri, entry.metadata, (uri, extra) =>
        entry.read(uri, sessionRequestContext(context, facts, extra)),
      )
    } else {
      server.registerResource(
        entry.name,
        legacyTemplate(entry.template),
        entry.metadata,
        (uri, variables, extra) =>
          entry.read(uri, variables, sessionRequestContext(context, facts, extra)),
      )
    }
  }
  for (const { name, title, description, argsShape, handler } of entries.prompts) {
    const config = { title, description }
    if (argsShape === undefined) {
      // The SDK calls a prompt without arguments with `extra` alone, but its registerPrompt
      // typing only admits the two-argument form.
      const withoutArgs = (extra: ToolExtra) =>
        handler({}, sessionRequestContext(context, facts, extra))
      server.registerPrompt(
        name,
        config,
        withoutArgs as unknown as PromptCallback<ZodRawShapeCompat>,
      )
    } else {
      server.registerPrompt(name, { ...config, argsSchema: argsShape }, (args, extra) =>
        handler(args, sessionRequestContext(context, facts, extra)),
      )
    }
  }
  return server
}
